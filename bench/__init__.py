"""Benchmarks: `python -m bench [NAME ...]`, one module per benchmark, figures merged into bench/RESULTS.md.

Speed is measured here, never asserted in tests: a shared 2-core machine makes timings too noisy for that.
"""
