"""Idempotency-Key on creating POSTs: a replay returns the first response; another body under the key is 422."""
