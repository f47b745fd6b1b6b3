"""The reports: coverage, convergence, programme evaluation, progress, the unreached and the annual report."""
