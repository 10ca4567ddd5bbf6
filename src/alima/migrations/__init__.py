"""Alembic migrations; the same revisions build SQLite and PostgreSQL."""
