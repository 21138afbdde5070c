"""Adapters to systems outside streetrelief; each implements a Protocol of a domain's
``ports.py`` (e.g. ``notify.ports.Channel``)."""
