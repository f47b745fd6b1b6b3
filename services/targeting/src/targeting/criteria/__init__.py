"""Targeting criteria: a JSON tree of conditions, checked against a field whitelist and compiled to one SQL
predicate that PostgreSQL evaluates (three-valued logic included)."""
