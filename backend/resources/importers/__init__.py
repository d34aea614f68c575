"""Importers of the public sources: each parses a whole file into normalised records first (a bad file
is refused with its line and column before anything is written), then `apply` writes them in one
transaction."""
