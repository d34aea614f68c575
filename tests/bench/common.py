"""Shared benchmark plumbing: a fresh PostgreSQL database, a server process, a load loop, and the
section writer for docs/performance.md. Ratios against `{ __typename }` on the same server in the
same run are the figures that count; absolute numbers depend on the machine."""

import asyncio
import os
import socket
import statistics
import subprocess
import sys
import time
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
from sqlalchemy import text

from backend import migrate
from backend.db import make_engine, make_sessions, transaction
from backend.regions import service as regions

ROOT = Path(__file__).resolve().parents[2]
PG_ADMIN = os.environ.get("RENKEI_BENCH_PG_ADMIN", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres")


async def fresh_database(name: str) -> str:
    admin = make_engine(PG_ADMIN)
    async with admin.connect() as conn:
        await conn.execution_options(isolation_level="AUTOCOMMIT")
        await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await conn.execute(text(f'CREATE DATABASE "{name}"'))
    await admin.dispose()
    url = PG_ADMIN.rsplit("/", 1)[0] + f"/{name}"
    engine = make_engine(url)
    await migrate.upgrade(engine)
    async with transaction(make_sessions(engine)) as s:
        await regions.load_reference_data(s)
    await engine.dispose()
    return url


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@asynccontextmanager
async def server(database_url: str, **env_extra):
    port = free_port()
    # deployed as in production: jobs go to Redis for workers (none run here), so the API process
    # measures requests only, not the embedded runner regrouping the seeded data beside them
    env = {**os.environ, "RENKEI_DATABASE_URL": database_url, "RENKEI_LOG_LEVEL": "WARNING",
           "RENKEI_TOKEN_CACHE_SECONDS": "60", "RENKEI_REDIS_URL": os.environ.get("RENKEI_BENCH_REDIS", "redis://127.0.0.1:6379/15"),
           **env_extra}
    proc = subprocess.Popen([str(Path(sys.executable).parent / "renkei"), "serve", "--port", str(port)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        async with httpx.AsyncClient(base_url=base, timeout=30) as c:
            for _ in range(200):
                try:
                    if (await c.get("/healthz")).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                await asyncio.sleep(0.1)
        yield base
    finally:
        proc.terminate()
        proc.wait(10)


async def throughput(base: str, token: str, make_body, *, seconds: float = 10.0, concurrency: int = 16) -> float:
    """Requests per second answered without errors over a fixed time."""
    done = 0
    deadline = time.perf_counter() + seconds
    limits = httpx.Limits(max_connections=concurrency)
    async with httpx.AsyncClient(base_url=base, timeout=30, limits=limits,
                                 headers={"Authorization": f"Bearer {token}"}) as c:
        async def loop():
            nonlocal done
            while time.perf_counter() < deadline:
                r = await c.post("/graphql", json=make_body())
                body = r.json()
                assert r.status_code == 200 and "errors" not in body, body
                done += 1
        start = time.perf_counter()
        await asyncio.gather(*[loop() for _ in range(concurrency)])
        return done / (time.perf_counter() - start)


async def latencies(base: str, token: str, body: dict, *, n: int = 200, warmup: int = 10) -> dict:
    async with httpx.AsyncClient(base_url=base, timeout=30, headers={"Authorization": f"Bearer {token}"}) as c:
        for _ in range(warmup):
            await c.post("/graphql", json=body)
        samples = []
        for _ in range(n):
            t = time.perf_counter()
            r = await c.post("/graphql", json=body)
            samples.append((time.perf_counter() - t) * 1000)
            assert r.status_code == 200 and "errors" not in r.json()
    samples.sort()
    return {"p50": statistics.median(samples), "p95": samples[max(int(len(samples) * 0.95) - 1, 0)], "n": n}


def write_section(title: str, body: str) -> None:
    from scripts.quality_doc import write_section as write
    write(title, body, doc="performance.md")
