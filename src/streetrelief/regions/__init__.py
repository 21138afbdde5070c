"""Regions: the administrative tree every record belongs to."""
