"""One Alembic revision per module, found by Alembic itself: no names to import from here."""

__all__: list[str] = []
