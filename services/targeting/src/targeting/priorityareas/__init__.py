"""Priority areas (lokus): areas ranked by extreme poverty from the registry, and the official designations."""
