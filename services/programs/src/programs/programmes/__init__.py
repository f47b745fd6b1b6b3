"""Programmes: an agency's poverty programme for one fiscal year, with its targeting, budget and totals."""
