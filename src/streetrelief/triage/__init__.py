"""Triage: the campaign's rules, as versioned data, from what was observed to what to do."""
