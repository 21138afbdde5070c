"""Command line: ``streetrelief <group> <verb>``, thin over the domain services."""
