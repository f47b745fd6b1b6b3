"""The targeting service: owns the DTKS registry (regions, households, members) and who is targeted."""
