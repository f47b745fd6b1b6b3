"""Interventions: one household's enrolments and deliveries across every programme."""
