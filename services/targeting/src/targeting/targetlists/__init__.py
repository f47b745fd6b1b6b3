"""Target lists: the households criteria selected at one moment, frozen with the registry position."""
