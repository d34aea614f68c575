"""Edge benchmark (issue 9: an edge that costs little). Run:

    .venv/bin/python -m tests.bench.bench_edge

In one run, on a fresh PostgreSQL database with jobs going to Redis (as deployed): one `renkei serve`
process and the bare FastAPI + strawberry app of `tests/bench/bare_app.py` on another port, both up
throughout, loaded in turn by wrk (Debian's package, installed when absent; 8 connections, one thread)
for a warm-up and a measured stretch each:

- the bare app's `{ __typename }`, the yardstick;
- our app's `{ __typename }` (bearer token, body cap, access log, our endpoint, limits): ≥ 0.7× the bare app;
- the contract's LogConsultation with a fresh idempotencyKey per request (wrk's Lua script makes it):
  ≥ 0.25× our app's `{ __typename }`.

The three alternate (the order rotates each round) and the medians count. Every LogConsultation answered
must have written its consultation: the row count is checked after each stretch, so a run that answered
errors or replays cannot pass for throughput. Beside wrk's figures, each stretch records the CPU time the
server process and its PostgreSQL backends used per request (/proc): on a machine shared with other work
req/s follow the scheduler's share, CPU per request does not.

Nothing is pinned by default. `--pin` puts the servers on one core and wrk on the other (taskset): on the
2-core machine shared with other work this made our server, which never sleeps under load, wait in the
run queue of its one core behind the other work (half its time, by /proc/PID/schedstat) while the bare
app, which hands each request to a thread and sleeps, kept its share; our req/s halved, the bare app's
did not. Left to the scheduler, each process runs on whichever core is free.

`--profile DIR` instead samples our server with py-spy (`.venv/bin/pip install py-spy`) under each of our
two loads and writes there a flame graph, the raw stacks and the functions with the largest share of samples."""

import argparse
import asyncio
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Self

import httpx
from sqlalchemy import func, select, text

from backend.consultations.models import Consultation
from backend.db import make_engine, make_sessions
from tests.bench.common import ensure_wrk, free_port, fresh_database, process, renkei_server, write_section, wrk
from tests.conftest import make_world
from tests.helpers import log_input, operation

TYPENAME = {"query": "{ __typename }"}
SUMMARY = "退院前カンファで訪問Drが未定。夜間の連絡先も分からないとケアマネから相談"
SETTLE = 1.0  # s after wrk stops: the requests it left in flight finish before the consultations are counted
TARGETS = ("bare", "typename", "log")
LABELS = {"bare": "bare app `{ __typename }`", "typename": "our app `{ __typename }`",
          "log": "our app `LogConsultation`"}


def pinning(enabled: bool) -> tuple[str | None, str | None]:
    """(the servers' cores, wrk's core): one each when there are at least two and pinning is asked for."""
    if not enabled or not hasattr(os, "sched_getaffinity") or len(os.sched_getaffinity(0)) < 2:
        return None, None
    cores = sorted(os.sched_getaffinity(0))
    return ",".join(map(str, cores[1:])), str(cores[0])


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor() or "unknown CPU")
    postgres = subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-Atc", "SHOW server_version"],
                              check=False, capture_output=True, text=True).stdout.strip() or "?"
    return (f"{os.cpu_count()} × {cpu}, Linux {platform.release()}, Python {platform.python_version()}, "
            f"PostgreSQL {postgres.split()[0] if postgres != '?' else '?'}, {ensure_wrk()}")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def machine_busy() -> float:
    """CPU seconds the whole machine (every core) has been busy so far, from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    return (sum(values[:8]) - values[3] - values[4]) / os.sysconf("SC_CLK_TCK")


def own_cpu() -> float:
    """CPU seconds of this process and of its children that have ended (the wrk runs)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


class Database:
    """The bench database seen from outside the server: the consultations written so far (what
    LogConsultation's throughput is checked against) and the PostgreSQL backends serving it."""

    def __init__(self, url: str) -> None:
        self.engine = make_engine(url)
        self.sessions = make_sessions(self.engine)

    async def consultations(self) -> int:
        async with self.sessions() as s:
            return await s.scalar(select(func.count()).select_from(Consultation))

    async def backend_cpu(self) -> dict[int, float]:
        async with self.sessions() as s:
            pids = (await s.scalars(text("SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                                         "AND pid <> pg_backend_pid()"))).all()
        return {pid: cpu_seconds(pid) for pid in pids}


class Meter:
    """What one measured stretch cost: the server's CPU and its PostgreSQL backends' CPU, and how many cores
    the rest of the machine's work (other sessions' tests, browsers, …) took meanwhile."""

    def __init__(self, db: Database, server_pid: int) -> None:
        self.db, self.server_pid = db, server_pid

    async def __aenter__(self) -> Self:
        self.rows = await self.db.consultations()
        self.backends = await self.db.backend_cpu()
        self.server, self.busy, self.own, self.started = (cpu_seconds(self.server_pid), machine_busy(), own_cpu(),
                                                          time.perf_counter())
        return self

    async def __aexit__(self, *exc) -> None:
        server, busy, own, elapsed = (cpu_seconds(self.server_pid), machine_busy(), own_cpu(),
                                      time.perf_counter() - self.started)
        backends = await self.db.backend_cpu()
        self.server = server - self.server
        self.backends = sum(cpu - self.backends.get(pid, 0.0) for pid, cpu in backends.items())
        ours = self.server + self.backends + own - self.own
        self.other_cores = max(busy - self.busy - ours, 0.0) / elapsed
        await asyncio.sleep(SETTLE)
        self.rows = await self.db.consultations() - self.rows


async def load(base: str, body: dict, seconds: int, headers: dict, cpus: str | None) -> dict:
    return await asyncio.to_thread(wrk, base + "/graphql", body, seconds=seconds, headers=headers, cpus=cpus)


async def check_answers(base: str, token: str, log_body: dict) -> None:
    """One of each request by hand first: a wrong body would otherwise be timed as fast errors."""
    async with httpx.AsyncClient(base_url=base, headers={"Authorization": f"Bearer {token}"}) as c:
        r = await c.post("/graphql", json=TYPENAME)
        assert r.status_code == 200 and r.json() == {"data": {"__typename": "Query"}}, r.text
        body = {**log_body, "variables": {"input": {**log_body["variables"]["input"], "idempotencyKey": "check"}}}
        r = await c.post("/graphql", json=body)
        payload = r.json()["data"]["logConsultation"]
        assert r.status_code == 200 and not payload["userErrors"] and payload["consultation"]["id"], r.text


async def measure(args) -> dict:
    ensure_wrk()
    server_cpus, wrk_cpus = pinning(args.pin)
    url = await fresh_database("renkei_bench_edge")
    db = Database(url)
    world = await make_world(db.sessions)
    log_body = {"query": operation("coordinator.graphql", "LogConsultation"), "operationName": "LogConsultation",
                "variables": {"input": log_input(world.municipality_code, summary=SUMMARY, idempotencyKey="__KEY__")}}
    bare_port = free_port()
    bare_cmd = [sys.executable, "-m", "uvicorn", "tests.bench.bare_app:app", "--host", "127.0.0.1", "--port",
                str(bare_port), "--no-access-log", "--log-level", "warning"]
    runs: dict[str, list[dict]] = {t: [] for t in TARGETS}
    async with (renkei_server(url, cpus=server_cpus) as (base, pid),
                process(bare_cmd, bare_port, cpus=server_cpus) as (bare, bare_pid)):
        await check_answers(base, world.coordinator, log_body)
        auth = {"Authorization": f"Bearer {world.coordinator}"}
        loads = {"bare": (bare, TYPENAME, {}), "typename": (base, TYPENAME, auth), "log": (base, log_body, auth)}
        if args.profile:
            await profile(args.profile, pid, loads, args, wrk_cpus)
            return {}
        for round_ in range(args.rounds):
            order = TARGETS[round_ % 3:] + TARGETS[:round_ % 3]
            for target in order:
                url_, body, headers = loads[target]
                await load(url_, body, args.warmup, headers, wrk_cpus)
                await asyncio.sleep(SETTLE)
                async with Meter(db, bare_pid if target == "bare" else pid) as meter:
                    result = await load(url_, body, args.seconds, headers, wrk_cpus)
                assert result["errors"] == 0, (target, result)
                if target == "log":
                    # requests still in flight when wrk stops may commit without being counted
                    assert result["requests"] <= meter.rows <= result["requests"] + 8, (result, meter.rows)
                result.update(server_cpu_ms=meter.server * 1000 / result["requests"],
                              db_cpu_ms=meter.backends * 1000 / result["requests"], other_cores=meter.other_cores)
                runs[target].append(result)
                print(f"round {round_ + 1} {target:8} {result['req_s']:7.0f} req/s"
                      f"  p50 {result['p50_us'] / 1000:5.1f} ms  p99 {result['p99_us'] / 1000:6.1f} ms"
                      f"  server CPU {result['server_cpu_ms']:.2f} ms/req"
                      f"  PostgreSQL CPU {result['db_cpu_ms']:.2f} ms/req  other work {meter.other_cores:.1f} cores",
                      flush=True)
    await db.engine.dispose()
    return {"runs": runs, "server_cpus": server_cpus, "wrk_cpus": wrk_cpus}


async def profile(out: str, pid: int, loads: dict, args, wrk_cpus: str | None) -> None:
    """py-spy on our server while wrk loads it: per load a flame graph (SVG), the raw stacks and the functions
    with the largest share of the samples. `--gil` samples only while the server holds the GIL: without it,
    the moments the server is descheduled right after writing to a socket (PostgreSQL's backend or wrk wakes
    on the same core) show up as time spent in `send`. SQLAlchemy's sync ORM code runs in greenlets, whose
    stacks py-spy shows as roots of their own (Session.flush, Session.scalar, …), not under the request."""
    py_spy = Path(sys.executable).parent / "py-spy"
    if not py_spy.exists():
        raise SystemExit(f"py-spy is missing: {Path(sys.executable).parent / 'pip'} install py-spy")
    directory = Path(out)
    directory.mkdir(parents=True, exist_ok=True)
    for target in ("typename", "log"):
        url_, body, headers = loads[target]
        await load(url_, body, args.warmup, headers, wrk_cpus)
        for fmt, suffix in (("raw", "txt"), ("flamegraph", "svg")):
            command = [str(py_spy), "record", "--pid", str(pid), "--duration", str(args.seconds), "--rate", "250",
                       "--gil", "--nonblocking", "--format", fmt, "--output", str(directory / f"{target}.{suffix}")]
            spy = await asyncio.create_subprocess_exec(*command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            result = await load(url_, body, args.seconds, headers, wrk_cpus)
            await spy.wait()
            print(f"{target} ({fmt}): {result['req_s']:.0f} req/s under py-spy", flush=True)
        summary = top_functions(directory / f"{target}.txt")
        (directory / f"{target}-top.txt").write_text(summary, encoding="utf-8")
        print(summary)


def top_functions(raw: Path, count: int = 40) -> str:
    """The functions present in the largest share of samples (inclusive), from py-spy's raw output."""
    shares: Counter[str] = Counter()
    total = 0
    for line in raw.read_text(encoding="utf-8").splitlines():
        stack, _, n = line.rpartition(" ")
        total += int(n)
        for name in {frame.rsplit(":", 1)[0] + ")" if ":" in frame else frame for frame in stack.split(";")}:
            shares[name] += int(n)
    lines = [f"{raw.name}: {total} samples"] + [f"{n / total:6.1%}  {name}" for name, n in shares.most_common(count)]
    return "\n".join(lines) + "\n"


def report(measured: dict, args) -> str:
    runs = measured["runs"]

    def median(target: str, key: str, scale: float = 1.0) -> float:
        return statistics.median(r[key] for r in runs[target]) * scale

    rate = {t: median(t, "req_s") for t in TARGETS}
    cpu = {t: median(t, "server_cpu_ms") for t in TARGETS}
    edge, write = rate["typename"] / rate["bare"], rate["log"] / rate["typename"]
    cpu_edge, cpu_write = cpu["bare"] / cpu["typename"], cpu["typename"] / cpu["log"]
    rows = "\n".join(
        f"| {LABELS[t]} | **{rate[t]:,.0f}** | {median(t, 'p50_us', 1e-3):.1f} ms | {median(t, 'p99_us', 1e-3):.1f} ms"
        f" | {cpu[t]:.2f} ms | {median(t, 'db_cpu_ms'):.2f} ms"
        f" | {', '.join(format(r['req_s'], ',.0f') for r in runs[t])} |"
        for t in TARGETS)
    others = [r["other_cores"] for t in TARGETS for r in runs[t]]
    pinned = (f"servers pinned to core {measured['server_cpus']} and wrk to core {measured['wrk_cpus']} (taskset)"
              if measured["server_cpus"] else "nothing pinned (see the benchmark's doc for why)")
    return f"""
Command: `.venv/bin/python -m tests.bench.bench_edge`: {args.rounds} rounds, each load in turn (the order rotating),
{args.warmup} s of warm-up then {args.seconds} s measured; wrk with 8 connections and one thread; {pinned}.

Machine: {machine()}.
Shared with other work, which took {statistics.median(others):.1f} of the {os.cpu_count()} cores in the median stretch \
({min(others):.1f}–{max(others):.1f}).

Set-up, as deployed: PostgreSQL on localhost (a fresh database), jobs to Redis (`RENKEI_REDIS_URL` set, no
worker running), one `renkei serve` process (uvicorn) and the bare FastAPI + strawberry app of
`tests/bench/bare_app.py` (the same bounded parser and validation caches) on another port, both up throughout.
LogConsultation is the contract's mutation (`graphql/operations/coordinator.graphql`) with a fresh
idempotencyKey per request (wrk's Lua script); after each stretch the consultations written are counted
against wrk's requests.

| load | req/s (median) | latency p50 | latency p99 | server CPU / req | PostgreSQL CPU / req | req/s of each round |
| --- | --- | --- | --- | --- | --- | --- |
{rows}

| ratio | req/s | target | server CPU per request, inverted |
| --- | --- | --- | --- |
| our `{{ __typename }}` / bare app `{{ __typename }}` | **{edge:.2f}×** | ≥ 0.7× | {cpu_edge:.2f}× |
| `LogConsultation` / our `{{ __typename }}` | **{write:.2f}×** | ≥ 0.25× | {cpu_write:.2f}× |

Latencies are wrk's; every column is the median over the rounds. The CPU columns are the user + system time
the server process (all its threads) and the PostgreSQL backends serving it used during the stretch, divided
by the requests answered (`/proc/PID/stat`): they do not depend on the share of the cores the scheduler gave
each process while other work ran, which the req/s do.
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=int, default=10, help="measured stretch per load and round")
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--pin", action="store_true",
                        help="pin the servers to one core and wrk to another (taskset); see the module's doc")
    parser.add_argument("--no-write", dest="write", action="store_false",
                        help="print only; leave docs/performance.md as it is")
    parser.add_argument("--profile", metavar="DIR", help="profile our server with py-spy instead of measuring")
    args = parser.parse_args()
    measured = asyncio.run(measure(args))
    if args.profile:
        return
    body = report(measured, args)
    if args.write:
        write_section("Edge", body)
    print(body)


if __name__ == "__main__":
    main()
