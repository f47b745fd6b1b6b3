"""Enrolments: households (or persons) taken into a programme, each checked against the registry."""
