"""Shared benchmark plumbing: a fresh PostgreSQL database, server processes, wrk (the load generator that
is not the bottleneck) and a Python load loop, and the section writer for docs/performance.md. Ratios against `{ __typename }` on the same server in the
same run are the figures that count; absolute numbers depend on the machine."""

import asyncio
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
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
    async with renkei_server(database_url, **env_extra) as (base, _):
        yield base


@asynccontextmanager
async def renkei_server(database_url: str, *, cpus: str | None = None, **env_extra):
    """One `renkei serve` process (uvicorn), optionally pinned to `cpus` (taskset's list, e.g. "1");
    yields its base URL and pid."""
    # deployed as in production: jobs go to Redis for workers (none run here), so the API process
    # measures requests only, not the embedded runner regrouping the seeded data beside them
    env = {**os.environ, "RENKEI_DATABASE_URL": database_url, "RENKEI_LOG_LEVEL": "WARNING",
           "RENKEI_TOKEN_CACHE_SECONDS": "60", "RENKEI_REDIS_URL": os.environ.get("RENKEI_BENCH_REDIS", "redis://127.0.0.1:6379/15"),
           **env_extra}
    port = free_port()
    async with process([str(Path(sys.executable).parent / "renkei"), "serve", "--port", str(port)], port,
                       env=env, cpus=cpus) as served:
        yield served


@asynccontextmanager
async def process(command: list[str], port: int, *, env: dict | None = None, cpus: str | None = None):
    """A server subprocess answering GET /healthz on `port`: yields its base URL and its pid."""
    if cpus is not None:
        command = ["taskset", "-c", cpus, *command]   # taskset execs the server: same pid
    proc = await asyncio.create_subprocess_exec(*command, env=env or os.environ, cwd=ROOT, stdout=subprocess.DEVNULL,
                                                stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        async with httpx.AsyncClient(base_url=base, timeout=30) as c:
            for _ in range(300):
                if proc.returncode is not None:
                    raise RuntimeError(f"{command} exited with {proc.returncode}")
                try:
                    if (await c.get("/healthz")).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                await asyncio.sleep(0.1)
            else:
                raise RuntimeError(f"{command} did not answer /healthz")
        yield base, proc.pid
    finally:
        if proc.returncode is None:
            proc.terminate()
        await asyncio.wait_for(proc.wait(), 10)


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


WRK_SCRIPT = Path(__file__).with_name("wrk_graphql.lua")


def ensure_wrk() -> str:
    """wrk from Debian's packages, installed with apt-get when absent; returns its version line."""
    install = ["apt-get", "install", "-y", "-q", "wrk"]
    if shutil.which("wrk") is None and subprocess.run(install, check=False, stdout=subprocess.DEVNULL).returncode != 0:
        subprocess.run(["apt-get", "update", "-q"], stdout=subprocess.DEVNULL, check=True)   # a fresh machine's lists
        subprocess.run(install, stdout=subprocess.DEVNULL, check=True)
    out = subprocess.run(["wrk", "--version"], check=False, capture_output=True, text=True).stdout
    return out.splitlines()[0].split(" Copyright")[0].strip()


def wrk(url: str, body: dict, *, seconds: int, connections: int = 8, headers: dict | None = None,
        cpus: str | None = None) -> dict:
    """POST `body` for `seconds` over `connections` keep-alive connections (one wrk thread); every
    "__KEY__" in the body becomes a key unique to the request. Returns wrk's summary: requests, req_s,
    latencies in microseconds, error counts."""
    with tempfile.NamedTemporaryFile("w", suffix=".json", encoding="utf-8") as f:
        json.dump(body, f, ensure_ascii=False)
        f.flush()
        command = ["wrk", "-t1", f"-c{connections}", f"-d{int(seconds)}s", "--timeout", "10s", "-s", str(WRK_SCRIPT)]
        for name, value in (headers or {}).items():
            command += ["-H", f"{name}: {value}"]
        command.append(url)
        if cpus is not None:
            command = ["taskset", "-c", cpus, *command]
        env = {**os.environ, "WRK_BODY_FILE": f.name, "WRK_NONCE": uuid.uuid4().hex[:12]}
        done = subprocess.run(command, check=False, env=env, capture_output=True, text=True)
        if done.returncode != 0:
            raise RuntimeError(f"wrk failed ({done.returncode}): {done.stderr or done.stdout}")
        out = done.stdout
    summary = json.loads(next(line for line in reversed(out.splitlines()) if line.startswith("{")))
    summary["req_s"] = summary["requests"] / (summary["duration_us"] / 1e6)
    summary["errors"] = sum(summary[k] for k in ("connect_errors", "read_errors", "write_errors", "status_errors",
                                                 "timeouts"))
    return summary


def write_section(title: str, body: str) -> None:
    from scripts.quality_doc import write_section as write
    write(title, body, doc="performance.md")
