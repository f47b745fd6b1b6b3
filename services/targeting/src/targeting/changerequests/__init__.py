"""Change requests (usulan, verifikasi-validasi): proposed registry changes, frozen at submission, verified,
then approved by someone else and applied through the same rules as direct writes."""
