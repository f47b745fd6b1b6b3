"""Registered API clients (OAuth2 client credentials) and the tokens issued to them."""
