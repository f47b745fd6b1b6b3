"""The read models: the reporting schema's copies of the registry and programmes, filled from the feeds."""
