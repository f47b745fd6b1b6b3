"""Households (families keyed by No. KK) and their members (keyed by NIK): the DTKS registry itself."""
