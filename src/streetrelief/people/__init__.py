"""People met on the street and the encounters with them."""
