"""Agencies (OPD): the provincial and district bodies that run programmes."""
