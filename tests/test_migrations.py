"""The migrations build exactly the schema the models describe, on both databases."""

from backend import migrate


async def test_models_and_migrations_agree(engine):
    await migrate.check(engine)   # alembic check: raises when an autogenerate would find a difference
