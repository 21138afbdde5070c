"""Adapters to outside systems, each implementing a domain's port (``<domain>/ports.py``)."""
