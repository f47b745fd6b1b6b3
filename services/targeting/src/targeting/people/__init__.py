"""People search: find members by NIK, or by name and birth date, without NIKs in URLs."""
