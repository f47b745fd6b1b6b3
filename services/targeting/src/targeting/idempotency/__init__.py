"""Idempotency-Key records for creating POSTs."""
