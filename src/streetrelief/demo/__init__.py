"""Generated demo data for a first look at streetrelief (not real people or places)."""
