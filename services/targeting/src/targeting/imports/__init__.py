"""Bulk import of DTKS/DTSEN files: validate every row with the registry's rules, publish atomically."""
