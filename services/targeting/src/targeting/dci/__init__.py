"""The DCI Social Registry API v1.0.0 over the registry: search (sync and async) and transaction status."""
