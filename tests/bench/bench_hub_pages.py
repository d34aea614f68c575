"""The hub manager's pages under volume (issue 10: every page's server time p95 under 100 ms with 100,000
consultations in the hub's database). Run:

    .venv/bin/python -m tests.bench.bench_hub_pages [--rows 100000] [--issues 60] [--n 100] [--reuse]

A fresh PostgreSQL database gets one hub holding `rows` consultations of the current fiscal year, `issues`
regional issues over its scenes with a third of the consultations as members (the largest issue has
thousands), 30 協議の場 members, 20 meetings whose packets were built (half of them sent, each recipient's
outbox row written among 50,000 other messages), and a finished grouping job. Each page is requested `n`
times in-process through the ASGI app (the server's own time, no network) with the manager's browser
session, after a warm-up; p50 and p95 are printed and written to docs/performance.md."""

import argparse
import asyncio
import json
import random
import statistics
import time
from datetime import timedelta
from pathlib import Path

import httpx

from tests.bench.common import ROOT, fresh_database, write_section

DB = "renkei_bench_hub_pages"
TARGET_MS = 100.0
MEMBERS = 30
MEETINGS = 20
OTHER_MAIL = 50_000
NOTES = ["退院前に訪問診療医が決まらない", "夜間の連絡先が家族に伝わっていない", "認知症の独居の方が受診を拒否している",
         "停電時の人工呼吸器の電源が心配", "看取りの死亡確認に来てもらえるか不安"]


async def seed(url: str, rows: int, n_issues: int) -> dict:
    from sqlalchemy import insert

    from backend.accounts.actor import Actor
    from backend.consultations import service as consultations
    from backend.db import make_engine, make_sessions, transaction, utcnow
    from backend.fiscal import fiscal_year_bounds, fiscal_year_of, today_jst
    from backend.issues import service as issues
    from backend.issues.models import IssueMembership, RegionalIssue
    from backend.jobs import service as jobs
    from backend.mail.models import OutboxMessage
    from backend.meetings import members
    from backend.meetings import service as meetings
    from backend.regions import service as regions
    from backend.taxonomy import CallerRole, CareScene, Role
    from backend.text.normalize import normalize
    from tests.conftest import make_world

    engine = make_engine(url)
    sessions = make_sessions(engine)
    munis = [m.code for m in regions.municipalities_of("15")][:6]
    world = await make_world(sessions, prefecture_code="15", municipality_codes=tuple(munis))
    manager = Actor(user_id=world.manager_id, role=Role.HUB_MANAGER, hub_id=world.hub_id)
    rng = random.Random(11)
    fy = fiscal_year_of(today_jst())
    start, _ = fiscal_year_bounds(fy)
    span = max((today_jst() - start.date()).days, 1) * 86400
    scenes, roles = [s.value for s in CareScene], [r.value for r in CallerRole]
    outcomes = [None, None, "resolved", "resolved", "partially_resolved", "referred", "unresolved_no_resource"]
    batch: list[dict] = []
    for i in range(rows):
        received = start + timedelta(seconds=span * i / rows)
        outcome, scene, note = rng.choice(outcomes), scenes[i % len(scenes)], NOTES[i % len(NOTES)] + f"（{i}）"
        batch.append(dict(hub_id=world.hub_id, municipality_code=munis[i % len(munis)], idempotency_key=f"hub-{i}",
                          received_at=received, fiscal_year=fy, channel="phone", caller_role=rng.choice(roles),
                          summary=note, search_text=normalize(note), primary_scene=scene,
                          scenes_mask=1 << scenes.index(scene), scenes_confirmed=True, suggested_scenes=[],
                          categories_mask=0, subject_flags_mask=0, status="closed" if outcome else "in_progress",
                          outcome=outcome, closed_at=received + timedelta(days=rng.randint(0, 30)) if outcome else None,
                          version=1, created_by_id=world.coordinator_id, assignee_id=world.coordinator_id,
                          created_at=received, updated_at=received))
        if len(batch) == 10_000:
            async with transaction(sessions) as s:
                await consultations.insert_many(s, batch)
            batch = []
    if batch:
        async with transaction(sessions) as s:
            await consultations.insert_many(s, batch)

    from sqlalchemy import select

    from backend.consultations.models import Consultation
    async with transaction(sessions) as s:
        ids_by_scene: dict[str, list[int]] = {sc: [] for sc in scenes}
        for cid, scene in (await s.execute(select(Consultation.id, Consultation.primary_scene)
                                           .where(Consultation.hub_id == world.hub_id))).all():
            ids_by_scene[scene].append(cid)
        statuses = ["candidate", "candidate", "confirmed", "on_agenda", "addressed", "dismissed"]
        made = []
        for k in range(n_issues):
            scene = scenes[k % len(scenes)]
            issue = RegionalIssue(hub_id=world.hub_id, fiscal_year=fy, scene=scene, title=f"地域課題 {k + 1}：{NOTES[k % 5]}",
                                  key_terms=["訪問診療", "退院", "夜間", "家族"][: 1 + k % 4], signatures=[f"bench:{k}"],
                                  status=statuses[k % len(statuses)])
            s.add(issue)
            made.append(issue)
        await s.flush()
        memberships = []
        per_scene = {sc: [i for i in made if i.scene == sc] for sc in scenes}
        for scene, cids in ids_by_scene.items():
            pool = per_scene[scene]
            for j, cid in enumerate(cids[: len(cids) // 3]):
                # skewed: the first issue of a scene takes half of its members
                issue = pool[0] if j % 2 == 0 or len(pool) == 1 else pool[1 + j % (len(pool) - 1)]
                memberships.append({"issue_id": issue.id, "consultation_id": cid, "scene": scene, "pinned": False})
        for first in range(0, len(memberships), 10_000):
            await s.execute(insert(IssueMembership), memberships[first:first + 10_000])
        await issues.refresh_derived(s, issue_ids=[i.id for i in made])
        biggest = max(made, key=lambda i: i.consultation_count)
        for m in range(MEMBERS):
            await members.add(s, actor=manager, hub_id=world.hub_id, name=f"委員{m + 1}", organization="医師会",
                              email=f"iin{m + 1}@bench.example.jp")
        job = await jobs.queued(s, kind="group_hub", args={"hub_id": world.hub_id, "fiscal_year": fy}, actor=manager,
                                hub_id=world.hub_id)
        job.status, job.finished_at = "succeeded", utcnow()
        biggest_id, job_id = biggest.id, job.id
        agenda_pool = [i.id for i in made if i.status != "dismissed"]
    addresses = [f"iin{m + 1}@bench.example.jp" for m in range(MEMBERS)]
    meeting_ids = []
    for k in range(MEETINGS):
        async with transaction(sessions) as s:
            meeting, _ = await meetings.schedule(s, actor=manager, hub_id=world.hub_id, title=f"第{k + 1}回 推進会議",
                                                 held_on=today_jst() - timedelta(days=7 * (MEETINGS - k)),
                                                 issue_ids=agenda_pool[k % 10: k % 10 + 3], recipient_emails=addresses)
            await meetings.build_packet(s, meeting_id=meeting.id)
            if k % 2 == 0:
                await meetings.send_packet(s, meeting_id=meeting.id)
            meeting_ids.append(meeting.id)
    async with transaction(sessions) as s:
        for first in range(0, OTHER_MAIL, 10_000):
            await s.execute(insert(OutboxMessage), [
                dict(kind="report_ready", recipients=[f"someone{j}@example.jp"], subject="報告書ができました",
                     text_body="本文", status="sent", sent_at=utcnow())
                for j in range(first, min(first + 10_000, OTHER_MAIL))])
    async with engine.connect() as conn:
        await conn.execution_options(isolation_level="AUTOCOMMIT")
        await conn.exec_driver_sql("VACUUM ANALYZE")
    await engine.dispose()
    return {"fy": fy, "ids": world.ids, "emails": world.emails, "biggest": biggest_id, "job": job_id,
            "sent_meeting": meeting_ids[-2], "open_meeting": meeting_ids[-1]}


async def measure(url: str, seeded: dict, n: int, pages: list[tuple[str, str, dict]]) -> list[dict]:
    from backend.app import create_app
    from backend.settings import Settings
    from tests.web.conftest import log_in

    settings = Settings(database_url=url, redis_url=None, embedded_jobs=False, lexicon_paths=[], log_level="WARNING")
    app = create_app(settings)
    out = []
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench", timeout=120) as c:
        await log_in(c, app.state.sessions, user_id=seeded["ids"]["manager"], email=seeded["emails"]["manager"])
        for name, path, headers in pages:
            for _ in range(10):
                assert (await c.get(path, headers=headers)).status_code == 200, path
            samples = []
            for _ in range(n):
                t = time.perf_counter()
                r = await c.get(path, headers=headers)
                samples.append((time.perf_counter() - t) * 1000)
                assert r.status_code == 200, (path, r.status_code)
            samples.sort()
            out.append({"name": name, "path": path, "p50": statistics.median(samples),
                        "p95": samples[max(int(len(samples) * 0.95) - 1, 0)], "n": n})
            print(f"{name:<30} p50 {out[-1]['p50']:7.1f} ms  p95 {out[-1]['p95']:7.1f} ms  (n={n})")
    await app.state.engine.dispose()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--issues", type=int, default=60)
    parser.add_argument("--n", type=int, default=100)
    parser.add_argument("--reuse", action="store_true", help="measure the database seeded by the last run")
    args = parser.parse_args()
    state = ROOT / "var" / "bench_hub_pages.json"
    if args.reuse:
        url, seeded = json.loads(state.read_text())
    else:
        url = asyncio.run(fresh_database(DB))
        t = time.perf_counter()
        seeded = asyncio.run(seed(url, args.rows, args.issues))
        print(f"seeded in {time.perf_counter() - t:.0f} s")
        state.parent.mkdir(exist_ok=True)
        state.write_text(json.dumps([url, seeded]))
    fy = seeded["fy"]
    htmx = {"hx-request": "true"}
    results = asyncio.run(measure(url, seeded, args.n, [
        ("地域課題ボード", f"/issues?fy={fy}", {}),
        ("地域課題ボード（場面で絞り込み）", f"/issues?fy={fy}&scene=ADMISSION_DISCHARGE", {}),
        ("地域課題（最大の課題）", f"/issues/{seeded['biggest']}", {}),
        ("再グループ化の進み具合（ポーリング）", f"/issues/jobs/{seeded['job']}?fy={fy}", {}),
        ("協議の場", "/meetings", {}),
        ("会議を登録する", f"/meetings/new?fy={fy}", {}),
        ("会議（送付済み・送付状況）", f"/meetings/{seeded['sent_meeting']}", {}),
        ("会議（送付前・例の一覧）", f"/meetings/{seeded['open_meeting']}", {}),
        ("会議の状態（ポーリング）", f"/meetings/{seeded['sent_meeting']}/status", htmx),
        ("会議資料（プレビューの中身）", f"/meetings/{seeded['sent_meeting']}/packet", {}),
        ("メンバー", "/members", {}),
    ]))
    missed = [r["name"] for r in results if r["p95"] >= TARGET_MS]
    verdict = "met" if not missed else "**not met** by: " + "、".join(missed)
    load = Path("/proc/loadavg").read_text().split()[0] if Path("/proc/loadavg").exists() else "?"
    table = "\n".join(f"| {r['name']} | `{r['path']}` | {r['n']} | {r['p50']:.1f} | {r['p95']:.1f} |" for r in results)
    write_section("Hub manager's pages", f"""
Command: `.venv/bin/python -m tests.bench.bench_hub_pages` (PostgreSQL on localhost; pages requested in-process
through the ASGI app with the manager's browser session after a warm-up). One hub holding {args.rows:,} consultations
of the current fiscal year, {args.issues} regional issues with a third of them as members, {MEMBERS} members,
{MEETINGS} meetings with built packets (half sent) and {OTHER_MAIL:,} other outbox messages.

| page | path | n | p50 ms | p95 ms |
| --- | --- | --- | --- | --- |
{table}

Target: p95 under {TARGET_MS:.0f} ms for every page — {verdict} in this run (load average {load} on the shared
2-core machine at the end). The board reads the issues' stored counts and trend (two statements) and the three
newest members of each card in one windowed statement; an issue's page lists its newest 100 members.
""")


if __name__ == "__main__":
    main()
