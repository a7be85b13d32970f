"""Alembic migrations for the SQL store (see bot/store/migrate.py)."""
