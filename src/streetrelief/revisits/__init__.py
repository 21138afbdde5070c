"""Revisits of people who refused help: due times, patrol tasks, escalation, completion."""
