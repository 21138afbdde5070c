"""Shared building blocks: errors, clock, geography."""
