"""Deliveries (realisasi): what an enrolled household received from a programme, when and how much."""
