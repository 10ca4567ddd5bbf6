"""Page routes, one module per domain."""
