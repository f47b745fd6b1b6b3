"""The targeting service's registry, as the programs service sees it: bulk lookups over HTTP."""
