"""The reporting service: Owns the read models built from the registry and programs feeds, and every report."""
