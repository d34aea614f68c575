"""Reads never stand in a writer's way: graphql-core cancels sibling resolvers when one fails, and a
reader's connection must then go back to the pool at once instead of holding a transaction open."""

import asyncio
import sqlite3

import pytest
from sqlalchemy import func, select

from backend.consultations.models import Consultation
from backend.db import reading
from tests.conftest import BACKEND


async def test_a_cancelled_reader_hands_its_connection_back(engine, sessions):
    pool = engine.sync_engine.pool
    before = pool.checkedout()
    inside = asyncio.Event()

    async def resolver():
        async with reading(sessions) as session:
            await session.scalar(select(func.count()).select_from(Consultation))
            inside.set()
            await asyncio.sleep(60)

    task = asyncio.ensure_future(resolver())
    await asyncio.wait_for(inside.wait(), 10)
    assert pool.checkedout() == before + 1
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert pool.checkedout() == before


@pytest.mark.skipif(BACKEND != "sqlite", reason="SQLite's file lock; PostgreSQL readers never block writers")
async def test_an_open_read_does_not_lock_out_a_writer(settings, sessions):
    path = settings.database_url.split("///", 1)[1]
    async with reading(sessions) as session:
        await session.scalar(select(func.count()).select_from(Consultation))
        writer = sqlite3.connect(path, timeout=0.5, isolation_level=None)
        try:
            writer.execute("BEGIN IMMEDIATE")   # "database is locked" after 0.5 s if the read held the lock
            writer.execute("ROLLBACK")
        finally:
            writer.close()
