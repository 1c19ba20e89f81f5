"""The diary's Alembic migrations, run by ``diary.db.Database.open()``: no names to import from here."""

__all__: list[str] = []
