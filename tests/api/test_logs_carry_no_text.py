"""Marked text sent through every path a coordinator's words take — valid and broken requests, GET, jobs,
an unexpected failure — never appears in any log record, at any level, from any logger."""

import json
import logging
from urllib.parse import quote

import pytest

from backend import runtime
from backend.consultations import service as consultations_service
from tests import clock
from tests.helpers import log_input, operation

MARK = "ミナミ目印テキスト"
LOG = operation("coordinator.graphql", "LogConsultation")
RECORD = operation("coordinator.graphql", "RecordAction")
UPDATE = operation("coordinator.graphql", "UpdateConsultation")
CLOSE = operation("coordinator.graphql", "CloseConsultation")
SEARCH = operation("coordinator.graphql", "SearchConsultations")


class Everything(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.lines: list[str] = []
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))   # the message, its arguments and any traceback


@pytest.fixture
def captured(settings):
    """The logging an operator gets with RENKEI_LOG_LEVEL=DEBUG, every record kept."""
    handler = Everything()
    root = logging.getLogger()
    previous = root.level
    runtime.configure_logging(settings.model_copy(update={"log_level": "DEBUG"}))
    root.addHandler(handler)
    yield handler
    root.removeHandler(handler)
    root.setLevel(previous)


async def test_no_log_line_carries_a_consultations_text(http, gql, app, world, captured, monkeypatch):
    auth = {"Authorization": f"Bearer {world.coordinator}"}
    out = await gql(world.coordinator, LOG, {"input": log_input("15202", summary=f"{MARK}の退院調整")})
    consultation = out["data"]["logConsultation"]["consultation"]
    cid = consultation["id"]
    await gql(world.coordinator, RECORD, {"input": {"consultationId": cid, "performedAt": clock.now().isoformat(),
                                                    "type": "LIAISON_COORDINATION", "note": MARK}})
    await gql(world.coordinator, UPDATE, {"input": {"id": cid, "version": 2, "summary": MARK + "（追記）"}})
    await gql(world.coordinator, CLOSE, {"input": {"id": cid, "version": 3, "outcome": "RESOLVED", "note": MARK}})
    await gql(world.coordinator, SEARCH, {"filter": {"text": MARK}})
    # broken requests: an unknown input field, a bad enum, a syntax error, bad JSON, a too-long text
    broken = [
        {"query": LOG, "variables": {"input": {**log_input("15202"), "summery": MARK}}},
        {"query": LOG, "variables": {"input": log_input("15202", channel=MARK)}},
        {"query": "{ consultations(filter: {text: \"" + MARK + "\") { totalCount } }"},
        {"query": LOG, "variables": {"input": log_input("15202", summary=MARK * 500)}},
        {"query": SEARCH, "variables": {"filter": {"text": MARK + "\x00"}}},
    ]
    for body in broken:
        await http.post("/graphql", json=body, headers=auth)
    await http.post("/graphql", content=('{"query": "' + MARK).encode(), headers={**auth, "Content-Type": "application/json"})
    # GraphQL over GET: the search words sit in the query string
    await http.get("/graphql?query=" + quote('{ consultations(filter: {text: "' + MARK + '"}) { totalCount } }'),
                   headers=auth)
    await http.get("/graphql?query=" + quote(SEARCH) + "&variables=" + quote(json.dumps({"filter": {"text": MARK}})),
                   headers=auth)

    # an unexpected failure whose message quotes the text
    quoted = MARK   # (a name, so the traceback's source line does not hold the text itself)

    async def broken_search(*args, **kwargs):
        raise RuntimeError("failed on " + quoted)

    monkeypatch.setattr(consultations_service, "search", broken_search)
    failed = await gql(world.coordinator, SEARCH, {"filter": {"text": "x"}}, expect_errors=True)
    assert failed["errors"][0]["extensions"]["code"] == "INTERNAL_ERROR"
    # the jobs that follow: grouping, then the packet and e-mail paths run by the embedded runner
    await app.state.dispatcher.run_pending()

    assert captured.lines, "nothing was logged: the capture does not work"
    assert any("unexpected error id=" in line for line in captured.lines)
    assert [line for line in captured.lines if MARK in line or "ミナミ" in line] == []
