"""streetrelief: command and dispatch for winter street relief."""

__version__ = "0.1.0"
