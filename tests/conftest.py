"""One fixture set for both databases. RENKEI_TEST_DATABASE=postgresql runs the suite on a fresh
PostgreSQL database (created and dropped here); the default is a fresh SQLite file."""

import itertools
import os
import uuid
from dataclasses import dataclass
from pathlib import Path

import socket

import httpx
import pytest
import time_machine
from aiosmtpd.controller import Controller
from sqlalchemy import text

from backend import migrate
from backend.accounts import service as accounts
from backend.accounts.actor import SYSTEM
from backend.app import create_app
from backend.db import make_engine, make_sessions, transaction
from backend.regions import service as regions
from backend.mail.transport import SmtpConfig
from backend.settings import Settings
from backend.taxonomy import Role
from tests.clock import INSTANTS

BACKEND = os.environ.get("RENKEI_TEST_DATABASE", "sqlite")
PG_ADMIN_URL = os.environ.get("RENKEI_TEST_PG_ADMIN", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("RENKEI_TEST_REDIS", "redis://127.0.0.1:6379/0")
SHARED = Path(__file__).resolve().parents[2] / "shared"


def pytest_report_header(config):
    return f"renkei test database: {BACKEND}"


def pytest_configure(config):
    config.addinivalue_line("markers", "any_hour: also run at each of tests.clock.INSTANTS, under another machine TZ")


def pytest_generate_tests(metafunc):
    if metafunc.definition.get_closest_marker("any_hour"):
        metafunc.parametrize("instant", [None, *INSTANTS], ids=["now", *(i.name for i in INSTANTS)], indirect=True)


@pytest.fixture(autouse=True)
def instant(request):
    """Sets the clock (and the machine's zone) for an `any_hour` test before any other fixture runs;
    yields the Instant, or None on the real clock."""
    chosen = getattr(request, "param", None)
    if chosen is None:
        yield None
        return
    with time_machine.travel(chosen.destination, tick=True):
        yield chosen


async def _create_pg_database(name: str) -> str:
    admin = make_engine(PG_ADMIN_URL)
    async with admin.connect() as conn:
        await conn.execution_options(isolation_level="AUTOCOMMIT")
        await conn.execute(text(f'CREATE DATABASE "{name}"'))
    await admin.dispose()
    return PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"


async def _drop_pg_database(name: str) -> None:
    admin = make_engine(PG_ADMIN_URL)
    async with admin.connect() as conn:
        await conn.execution_options(isolation_level="AUTOCOMMIT")
        await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    await admin.dispose()


@pytest.fixture(scope="session")
async def database_url(tmp_path_factory):
    if BACKEND == "postgresql":
        name = f"renkei_test_{uuid.uuid4().hex[:8]}"
        url = await _create_pg_database(name)
        yield url
        await _drop_pg_database(name)
    else:
        yield f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('db') / 'renkei.db'}"


@pytest.fixture(scope="session")
async def settings(database_url, tmp_path_factory) -> Settings:
    return Settings(database_url=database_url, redis_url=None, smtp_url=None,
                    outbox_dir=tmp_path_factory.mktemp("outbox"), lexicon_paths=[], token_cache_seconds=0.0,
                    dashboard_cache_seconds=0.0)


@pytest.fixture(scope="session")
async def engine(settings):
    engine = make_engine(settings.database_url)
    await migrate.upgrade(engine)
    async with transaction(make_sessions(engine)) as session:
        await regions.load_reference_data(session)
    yield engine
    await engine.dispose()


@pytest.fixture(scope="session")
def sessions(engine):
    return make_sessions(engine)


@pytest.fixture(scope="session")
async def app(settings, engine):
    app = create_app(settings)
    yield app
    await app.state.engine.dispose()


@pytest.fixture(scope="session")
async def http(app):
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
        yield client


@dataclass
class Gql:
    http: httpx.AsyncClient

    async def __call__(self, token: str | None, query: str, variables: dict | None = None, *,
                       expect_errors: bool = False) -> dict:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        r = await self.http.post("/graphql", json={"query": query, "variables": variables or {}}, headers=headers)
        assert r.status_code == 200, r.text
        body = r.json()
        if not expect_errors:
            assert "errors" not in body, body["errors"]
        return body


@pytest.fixture(scope="session")
def gql(http) -> Gql:
    return Gql(http)


_seq = itertools.count(1)


@dataclass
class World:
    """A prefecture's area with a hub and one account of each role (tokens), made for one test."""

    prefecture_code: str
    area_id: int
    hub_id: int
    municipality_code: str
    admin: str
    analyst: str
    manager: str
    coordinator: str
    coordinator2: str
    coordinator_id: int
    coordinator2_id: int
    manager_id: int
    ids: dict[str, int]       # role key ("admin", "analyst", "manager", "coordinator", "coordinator2") → user id
    emails: dict[str, str]    # role key → e-mail (for log-in through the screens)


async def make_world(sessions, *, prefecture_code: str = "15", municipality_codes=("15202", "15208")) -> World:
    n = next(_seq)
    tag = uuid.uuid4().hex[:6]
    async with transaction(sessions) as s:
        area = await regions.create_area(s, actor=SYSTEM, prefecture_code=prefecture_code, name=f"テスト圏域{n}-{tag}",
                                         municipality_codes=list(municipality_codes))
        hub = await regions.create_hub(s, actor=SYSTEM, area_id=area.id, name=f"テスト拠点{n}")
        made = {}
        for key, role, kw in [("admin", Role.ADMIN, {}), ("analyst", Role.PREFECTURE_ANALYST, {"prefecture_code": prefecture_code}),
                              ("manager", Role.HUB_MANAGER, {"hub_id": hub.id}), ("coordinator", Role.COORDINATOR, {"hub_id": hub.id}),
                              ("coordinator2", Role.COORDINATOR, {"hub_id": hub.id})]:
            made[key] = await accounts.create_user(s, actor=SYSTEM, email=f"{key}-{tag}@example.jp",
                                                   display_name=f"{key}{n}", role=role, **kw)
    return World(prefecture_code=prefecture_code, area_id=area.id, hub_id=hub.id, municipality_code=municipality_codes[0],
                 **{k: v[1] for k, v in made.items()}, coordinator_id=made["coordinator"][0].id,
                 coordinator2_id=made["coordinator2"][0].id, manager_id=made["manager"][0].id,
                 ids={k: v[0].id for k, v in made.items()}, emails={k: v[0].email for k, v in made.items()})


@pytest.fixture
async def world(sessions) -> World:
    return await make_world(sessions)


@pytest.fixture
async def other_world(sessions) -> World:
    """Another hub in the same prefecture."""
    return await make_world(sessions)


@pytest.fixture
async def far_world(sessions) -> World:
    """A hub in another prefecture."""
    return await make_world(sessions, prefecture_code="24", municipality_codes=("24201",))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class StoringHandler:
    """Accepts everything except recipients whose local part names an SMTP reply code."""

    def __init__(self):
        self.envelopes = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("reject550@"):
            return "550 5.1.1 No such user"
        if address.startswith("defer451@"):
            return "451 4.3.0 Try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 Message accepted"


@pytest.fixture
def smtp_server():
    handler = StoringHandler()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield handler, SmtpConfig(host="127.0.0.1", port=controller.port)
    finally:
        controller.stop()
