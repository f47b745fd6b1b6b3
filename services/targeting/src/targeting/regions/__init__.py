"""Indonesia's administrative regions (Kemendagri codes), versioned by the decree each comes from."""
