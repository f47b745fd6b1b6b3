"""Partners: private-sector off-takers, NGOs, state enterprises and others that programmes work with."""
