"""The yearly prefecture report as documents: self-contained HTML with charts, CSV that Excel opens
in Japanese (UTF-8 with BOM), and an XLSX workbook with one sheet a table — all from the same
already-suppressed figures."""

import io
from collections.abc import Sequence
from dataclasses import dataclass

from openpyxl import Workbook
from openpyxl.styles import Font

from backend.charts import bar_chart_svg
from backend.reports import spreadsheet
from backend.reports.aggregates import TopIssue
from backend.reports.service import UNCLASSIFIED, Overview
from backend.reports.suppression import Cell
from backend.taxonomy import CallerRole, CareScene, RegionalIssueStatus
from backend.templating import render

MARK = "＊"
LEGEND = "＊ は{k}件未満のため、または他の数値から計算できてしまうため非表示にした値です。"
UNCLASSIFIED_LABEL = "未分類（場面の記録なし）"


@dataclass
class Table:
    title: str
    header: list[str]
    rows: list[list]  # str, int, float, None or Cell


def _v(value):
    if isinstance(value, Cell):
        return MARK if value.suppressed else value.count
    return "" if value is None else value


def tables(o: Overview, top: list[TopIssue], needs: Sequence = ()) -> list[Table]:
    rate = f"{o.resolved_rate:.1%}" if o.resolved_rate is not None else MARK
    summary = Table("概要", ["項目", "値"], [
        ["相談件数", o.total], ["終結件数", o.closed], ["解決率（解決／終結）", rate],
        ["未解決（資源不足）", o.unresolved_no_resource],
        ["終結までの日数（中央値）", o.median_days_to_close if o.median_days_to_close is not None else MARK]])
    scenes = Table("場面別の相談件数", ["場面", "件数"], [[s.label, o.by_scene[s.value]] for s in CareScene]
                   + [[UNCLASSIFIED_LABEL, o.by_scene[UNCLASSIFIED]]])
    areas = Table("圏域×場面の相談件数", ["圏域", "合計", *[s.label for s in CareScene], UNCLASSIFIED_LABEL],
                  [[a.name, a.total, *[a.by_scene[s.value] for s in CareScene], a.by_scene[UNCLASSIFIED]] for a in o.areas])
    months = Table("月別の相談件数", ["月", "件数"], [[f"{m[:4]}年{int(m[5:])}月", c] for m, c in o.by_month.items()])
    roles = Table("相談者別の相談件数", ["相談者", "件数"], [[r.label, o.by_caller_role[r.value]] for r in CallerRole])
    hubs = Table("拠点別の活動", ["拠点", "圏域", "相談件数", "協議の場（開催）", "確認した地域課題", "対応済みの地域課題"],
                 [[h.name, h.area_name, h.consultations, h.meetings_held, h.issues_confirmed, h.issues_addressed] for h in o.hubs])
    issues = Table("主な地域課題", ["地域課題", "場面", "圏域", "状態", "相談件数"],
                   [[i.title, CareScene(i.scene).label, i.area_name, RegionalIssueStatus(i.status).label,
                     MARK if i.consultation_count is None else i.consultation_count] for i in top])
    unmet = Table("資源不足のシグナル（紹介した先がすべて受入れ不可だった相談）", ["圏域", "内容", "相談件数"],
                  [[n.area_name, n.title, n.count] for n in needs])
    return [summary, scenes, areas, months, roles, hubs, issues] + ([unmet] if needs else [])


def has_rows(o: Overview) -> bool:
    return o.has_data


def render_html(o: Overview, prefecture_name: str, top: list[TopIssue], needs: Sequence = ()) -> str:
    charts = {}
    if has_rows(o):
        charts["scene"] = bar_chart_svg("場面別の相談件数", [s.label.split("（")[0] for s in CareScene],
                                        [o.by_scene[s.value].count for s in CareScene])
        charts["month"] = bar_chart_svg("月別の相談件数", [f"{int(m[5:])}月" for m in o.by_month],
                                        [c.count for c in o.by_month.values()])
    return render("reports/prefecture_report.html.j2", prefecture=prefecture_name, label=o.label, threshold=o.threshold,
                  empty=not has_rows(o), tables=[(t.title, t.header, [[_v(v) for v in row] for row in t.rows])
                                                  for t in tables(o, top, needs)],
                  charts=charts, legend=LEGEND.format(k=o.threshold))


def render_csv(o: Overview, prefecture_name: str, top: list[TopIssue], needs: Sequence = ()) -> bytes:
    rows: list[list] = [[f"{prefecture_name} 在宅医療・介護連携 相談窓口 集計 {o.label}"], [LEGEND.format(k=o.threshold)]]
    for t in tables(o, top, needs):
        rows += [[], [f"■{t.title}"], t.header, *([_v(v) for v in row] for row in t.rows)]
    return spreadsheet.csv_bytes(rows)


def render_xlsx(o: Overview, prefecture_name: str, top: list[TopIssue], needs: Sequence = ()) -> bytes:
    wb = Workbook()
    wb.remove(wb.active)
    for t in tables(o, top, needs):
        ws = wb.create_sheet(t.title[:31])
        spreadsheet.append_row(ws, [f"{prefecture_name} {t.title} {o.label}"])
        ws["A1"].font = Font(bold=True)
        spreadsheet.append_row(ws, t.header)
        for cell in ws[2]:
            cell.font = Font(bold=True)
        for row in t.rows:
            spreadsheet.append_row(ws, [_v(v) for v in row])
        spreadsheet.append_row(ws, [])
        spreadsheet.append_row(ws, [LEGEND.format(k=o.threshold)])
        for column in ws.columns:
            width = max(len(str(c.value or "")) for c in list(column)[1:]) if len(list(column)) > 1 else 10
            ws.column_dimensions[column[0].column_letter].width = min(max(10, width * 2), 60)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
