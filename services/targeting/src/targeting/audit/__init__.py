"""Audit trail of every read and write of personal data: who, when, what, which records."""
