"""Small keyword-default builders for test records, one module per domain."""
