"""Storage: engine, sessions, the declarative base with portable types, and the event outbox."""
