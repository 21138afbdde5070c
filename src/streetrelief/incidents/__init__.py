"""Incidents: one situation at one place that reports point to, and its lifecycle."""
