"""The GraphQL-over-HTTP spec, proven by graphql-http's own server audit (npm's `graphql-http`, the
reference implementation's conformance checks) against the real app served by uvicorn on a free port."""

import asyncio
import json
import os
import shutil
import subprocess
import threading
import time
from pathlib import Path

import pytest
import uvicorn

from backend.app import create_app
from backend.settings import Settings
from tests.conftest import free_port

GRAPHQL_HTTP = "1.23.1"
GRAPHQL_JS = "16.11.0"        # graphql-http's peer dependency (its handler module loads it)
AUDITS = 61                   # what graphql-http 1.23.1's auditServer runs
ROOT = Path(__file__).resolve().parents[2]
PREFIX = ROOT / ".cache" / "graphql-http"
SCRIPT = Path(__file__).with_name("graphql_http_audit.cjs")


def _installed_version() -> str | None:
    manifest = PREFIX / "node_modules" / "graphql-http" / "package.json"
    if not (manifest.exists() and (PREFIX / "node_modules" / "graphql" / "package.json").exists()):
        return None
    return json.loads(manifest.read_text())["version"]


def install_graphql_http() -> Path:
    """graphql-http, pinned, in .cache/graphql-http; installed once and reused by later runs. Installed into
    a sibling directory first and moved in whole, so an interrupted install never leaves half a cache."""
    if _installed_version() == GRAPHQL_HTTP:
        return PREFIX
    staging = PREFIX.with_name(f"graphql-http.{os.getpid()}")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    try:
        done = subprocess.run(["npm", "install", "--prefix", str(staging), "--no-audit", "--no-fund", "--save-exact",
                               "--loglevel=error", f"graphql-http@{GRAPHQL_HTTP}", f"graphql@{GRAPHQL_JS}"],
                              capture_output=True, text=True, timeout=300, check=False)
        problem = f"exit {done.returncode}:\n{done.stderr[-2000:]}" if done.returncode else None
    except subprocess.TimeoutExpired:
        problem = "no answer in 300 s"
    if problem:
        shutil.rmtree(staging, ignore_errors=True)
        pytest.fail(f"npm could not install graphql-http@{GRAPHQL_HTTP} into {staging}, so the GraphQL-over-HTTP "
                    f"audit cannot run ({problem})", pytrace=False)
    shutil.rmtree(PREFIX, ignore_errors=True)
    try:
        staging.rename(PREFIX)
    except OSError:                 # another run moved its own install in first
        shutil.rmtree(staging, ignore_errors=True)
        if _installed_version() != GRAPHQL_HTTP:
            raise
    return PREFIX


class Served:
    """The app served by a real uvicorn in a thread of its own (own event loop, own engine and pool), set up
    as `renkei serve` sets it up (no logging config of uvicorn's: it would wake strawberry's quietened logger)."""

    def __init__(self, app) -> None:
        self.port = free_port()
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port, lifespan="on",
                                                    log_level="warning", access_log=False, log_config=None))
        self.thread = threading.Thread(target=self.server.run, name="uvicorn-audit", daemon=True)

    def __enter__(self) -> str:
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.02)
        return f"http://127.0.0.1:{self.port}/graphql"

    def __exit__(self, *exc) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=15)


@pytest.fixture(scope="module")
def graphql_http() -> Path:
    if shutil.which("node") is None or shutil.which("npm") is None:
        pytest.skip("node and npm are not installed: graphql-http's audit runs on Node")
    return install_graphql_http()


@pytest.fixture
def served_url(settings):
    # The audit asks `{ __type(name: …) }` in five of its checks (UTF-8 round trip, variables), so it runs
    # against the development setting that allows introspection; production turns it off with a validation
    # rule, answered like any other validation failure (tests/api/test_http_requests.py). No job runner in
    # this server: the suite's own runner handles the shared database's jobs.
    app = create_app(Settings(**{**settings.model_dump(), "introspection": True, "embedded_jobs": False}))
    with Served(app) as url:
        yield url


async def test_graphql_http_audit_passes_every_check(graphql_http, served_url, world):
    process = await asyncio.create_subprocess_exec(
        "node", str(SCRIPT), str(graphql_http), served_url,
        env={**os.environ, "GRAPHQL_AUDIT_TOKEN": world.admin},
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await asyncio.wait_for(process.communicate(), timeout=120)
    assert process.returncode == 0, err.decode()
    results = json.loads(out)
    failed = [r for r in results if r["status"] != "ok"]
    assert not failed, json.dumps(failed, ensure_ascii=False, indent=1)
    assert len(results) == AUDITS
