"""One import, as the CLI runs it: parse the whole file (refused with line and column before anything is
written), then apply it in one transaction."""

from datetime import date
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backend.accounts.actor import SYSTEM, Actor
from backend.db import transaction
from backend.resources.importers import apply, kaigo, kouseikyoku, navii
from backend.resources.importers.common import ImportRefused, Parsed, Problem, date_in_name

KINDS = {
    "kaigo": "介護サービス情報公表システム オープンデータ（サービス種別ごとの CSV）",
    "navii-hospital": "医療情報ネット 病院の施設票（01-1_hospital_facility_info_*.csv）",
    "navii-clinic": "医療情報ネット 診療所の施設票（02-1_clinic_facility_info_*.csv）",
    "navii-dental": "医療情報ネット 歯科診療所の施設票（03-1_dental_facility_info_*.csv）",
    "navii-pharmacy": "医療情報ネット 薬局（05_pharmacy_*.csv）",
    "navii-hours": "医療情報ネット 診療科・診療時間（0x-2_*_speciality_hours_*.csv）",
    "kouseikyoku": "地方厚生局 届出受理医療機関名簿（Excel）",
}


def parse(kind: str, data: bytes, *, file_name: str, as_of: date | None, section: str | None = None) -> Parsed:
    if kind not in KINDS:
        raise ImportRefused([Problem(0, "KIND", f"種類「{kind}」はありません（{', '.join(KINDS)}）。")])
    if kind == "kouseikyoku":
        return kouseikyoku.parse(data, as_of=as_of, section=section)
    as_of = as_of or date_in_name(file_name)
    if as_of is None:
        raise ImportRefused([Problem(0, "時点", "データの時点がファイル名にありません。--as-of YYYY-MM-DD で指定してください。")])
    if kind == "kaigo":
        return kaigo.parse(data, as_of=as_of)
    if kind == "navii-hours":
        return navii.parse_hours(data, as_of=as_of)
    return navii.parse_facilities(data, kind_name=kind, as_of=as_of)


async def import_bytes(session: AsyncSession, kind: str, data: bytes, *, file_name: str, as_of: date | None = None,
                       section: str | None = None, actor: Actor = SYSTEM) -> apply.Report:
    parsed = parse(kind, data, file_name=file_name, as_of=as_of, section=section)
    return await apply.run(session, parsed=parsed, file_name=file_name, data=data, actor=actor)


async def import_file(sessions: async_sessionmaker[AsyncSession], kind: str, path: Path, *, as_of: date | None = None,
                      section: str | None = None) -> apply.Report:
    data = path.read_bytes()
    parsed = parse(kind, data, file_name=path.name, as_of=as_of, section=section)   # refused before any write
    async with transaction(sessions) as session:
        return await apply.run(session, parsed=parsed, file_name=path.name, data=data, actor=SYSTEM)


def describe(report: apply.Report) -> list[str]:
    """The report an operator reads (Japanese)."""
    lines = [f"{report.source_label}（{report.as_of.isoformat()}時点）を取り込みました（取込番号 {report.import_id}）。",
             f"追加 {report.added}件 / 変更 {report.changed}件 / 変更なし {report.unchanged}件 / 未照合 {len(report.unmatched)}件"]
    if report.resolved_later:
        lines.append(f"以前の未照合の行のうち {report.resolved_later}件 が今回照合できました。")
    for m in report.matched[:50]:
        lines.append(f"  照合 {m.line}行目 {m.value} → 資源 {m.service_id}（{m.method.label}、確からしさ {m.confidence:.2f}）")
    for u in report.unmatched[:50]:
        lines.append(f"  未照合 {u.line}行目 {u.value} {u.name}（{u.reason_label}）")
    for w in report.warnings[:50]:
        lines.append(f"  注意 {w}")
    lines.append(f"表示が必要な出典: {report.credit}")
    return lines
