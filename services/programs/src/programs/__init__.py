"""The programs service: Owns agencies (OPD), programmes, enrolments, deliveries, spending and partners."""
