"""Simulation: replay real help requests in simulated time through the real services."""
