"""Cross-cutting mechanisms shared by the gateway and the services: no tables, no domain words."""
