"""Persistence: SQLModel tables, Alembic migrations, and the repository that queries them."""
