"""Spending (realisasi anggaran): what a programme spent per month of its fiscal year."""
