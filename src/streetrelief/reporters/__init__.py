"""Social reporters: registered eyes on the street whose reports are credited and thanked."""
