"""Alembic driven from code: the CLI, start-up and the tests share it."""

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy.ext.asyncio import AsyncEngine

INI = Path(__file__).resolve().parent / "migrations" / "alembic.ini"


def alembic_config(url: str | None = None) -> Config:
    cfg = Config(str(INI))
    if url:
        cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


async def upgrade(engine: AsyncEngine, revision: str = "head") -> None:
    """Cookbook recipe: share one connection so env.py never calls asyncio.run in a running loop."""

    def _upgrade(connection) -> None:
        cfg = alembic_config()
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, revision)

    async with engine.begin() as conn:
        await conn.run_sync(_upgrade)


async def check(engine: AsyncEngine) -> None:
    """Raises when the models and the migrations disagree (`alembic check`)."""

    def _check(connection) -> None:
        cfg = alembic_config()
        cfg.attributes["connection"] = connection
        command.check(cfg)

    async with engine.connect() as conn:
        await conn.run_sync(_check)
