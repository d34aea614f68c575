"""Job kinds, each declared once beside its domain (`backend/<domain>/jobs.py`, as Dispatch keeps a
`scheduled.py` in each domain): the handler, its timeout, how many attempts, the de-duplication key
derived from its arguments, and what a failure for good means to the person waiting for the result.

Handlers are thin and idempotent: a job may run twice (a redelivery, a worker killed after the work but
before the bookkeeping)."""

import importlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

Handler = Callable[[AsyncSession, dict], Awaitable[None]]
FailureHook = Callable[[AsyncSession, dict], Awaitable[None]]

# the modules that declare job kinds; importing them fills KINDS
DOMAIN_JOBS = ("backend.consultations.jobs", "backend.issues.jobs", "backend.mail.jobs", "backend.meetings.jobs",
               "backend.reports.jobs", "backend.reports.desk_jobs", "backend.jobs.diagnostics")


@dataclass(frozen=True)
class JobKind:
    name: str
    handler: Handler
    timeout: float
    attempts: int
    key: Callable[[dict], str] | None
    # marks the record a person follows (a report, a packet, a message) as failed, in Japanese
    on_failure: FailureHook | None


KINDS: dict[str, JobKind] = {}


def job(name: str, *, timeout: float = 300.0, attempts: int = 5, key: Callable[[dict], str] | None = None,
        on_failure: FailureHook | None = None) -> Callable[[Handler], Handler]:
    def declare(fn: Handler) -> Handler:
        KINDS[name] = JobKind(name=name, handler=fn, timeout=timeout, attempts=attempts, key=key, on_failure=on_failure)
        return fn
    return declare


def load() -> dict[str, JobKind]:
    """Every declared kind (idempotent: the runtime calls it at start, the runner when it needs a kind)."""
    for module in DOMAIN_JOBS:
        importlib.import_module(module)
    return KINDS


def get(name: str) -> JobKind | None:
    return KINDS.get(name) or load().get(name)
