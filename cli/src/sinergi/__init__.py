"""The `sinergi` command: runs the whole system, manages clients, imports and generates data."""
