"""Dispatch: ranking teams for an incident and assigning them."""
