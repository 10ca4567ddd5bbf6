"""Sync between health-centre nodes (SQLite) and the country hub (PostgreSQL): docs/sync.md."""
