"""Browser journeys: the app served by uvicorn in a subprocess on a free port against the suite's
database, Debian's chromium driven by Playwright, axe-core on every screen."""

import pytest
from playwright.async_api import async_playwright

from tests.browser import harness


@pytest.fixture(scope="session")
async def server(engine, settings, tmp_path_factory):
    """The deployed shape: a real HTTP server in its own process (its own in-process job runner)."""
    base = tmp_path_factory.mktemp("browser")
    # no job runner in the server: the other tests run the shared database's jobs themselves
    running = harness.Server(database_url=settings.database_url, outbox_dir=base / "outbox",
                             log_path=base / "server.log", extra_env={"RENKEI_EMBEDDED_JOBS": "false"})
    yield running
    running.stop()


@pytest.fixture(scope="session")
async def chromium():
    async with async_playwright() as p:
        browser = await harness.launch(p)
        yield browser
        await browser.close()


@pytest.fixture
async def new_page(chromium):
    """Opens pages in separate browser contexts (separate cookie jars: separate people)."""
    contexts = []

    async def make():
        context = await chromium.new_context(viewport={"width": 1366, "height": 768}, locale="ja-JP",
                                             timezone_id="Asia/Tokyo", bypass_csp=True)   # so axe can be injected
        contexts.append(context)
        return await context.new_page()
    yield make
    for context in contexts:
        await context.close()


@pytest.fixture
def accessible():
    """`await accessible(page, "screen name")`: axe-core finds no serious or critical violation."""
    async def check(page, screen: str) -> None:
        violations = await harness.axe_violations(page)
        assert not violations, f"{screen}: {harness.describe(violations)}"
    return check
