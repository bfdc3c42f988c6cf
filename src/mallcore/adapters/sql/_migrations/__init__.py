"""Alembic migrations of the mallcore schema (run by :func:`mallcore.adapters.sql.upgrade`)."""
