"""Protection of personal data: encryption at rest, masking, lawful basis and retention."""
