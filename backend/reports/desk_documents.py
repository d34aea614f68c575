"""The desk report as documents — print-ready HTML, CSV that Excel opens in Japanese (BOM), and an XLSX
workbook with one sheet a table set up for A4 — all from one `desk.DeskReport` (so they show the same
figures). Every cell is a count, a share, a label of the taxonomy or a municipality's name: no free text."""

import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

from backend.reports import spreadsheet
from backend.reports.desk import DeskReport, Table
from backend.reports.suppression import Cell
from backend.templating import render

MARK = "＊"
LEGEND = "＊ は{k}件未満のため、または他の数値から計算できてしまうため非表示にした値です。"
MULTIPLE = "複数回答のため、構成比の合計は100%を超えることがあります。"


def title(r: DeskReport) -> str:
    return f"{r.hub_name} 在宅医療・介護連携 相談窓口 実績報告 {r.label}"


def version_label(r: DeskReport) -> str:
    return "公表用（少数の値を非表示）" if r.public else "内部用（実数）"


def _v(cell: Cell):
    return MARK if cell.suppressed else ("" if cell.count is None else cell.count)


def _share(value: float | None, cell: Cell) -> str:
    if value is None:
        return MARK if cell.suppressed else ""
    return f"{value:.1%}"


def header(r: DeskReport, t: Table) -> list[str]:
    first = {"summary": "項目", "month": "月", "month_persons": "月", "time": "項目"}.get(t.key, t.title.removesuffix("別"))
    cols = [first, f"{r.label}", f"前年同期（{r.previous_label}）"]
    if t.key not in ("summary", "month", "month_persons", "time"):
        cols = [first, f"{r.label}", "構成比", f"前年同期（{r.previous_label}）", "構成比（前年同期）"]
    return cols


def values(t: Table) -> list[list]:
    shares = t.key not in ("summary", "month", "month_persons", "time")
    out = []
    for row in t.rows:
        if shares:
            out.append([row.label, _v(row.current), _share(row.current_share, row.current), _v(row.previous),
                        _share(row.previous_share, row.previous)])
        else:
            out.append([row.label, _v(row.current), _v(row.previous)])
    return out


def notes(r: DeskReport) -> list[str]:
    lines = ["延べ件数は相談の件数、実人数は相談の対象となった方の人数（継続相談は同じ方として1人）。一般相談は延べ件数にのみ数えます。"]
    if r.public:
        lines.append(LEGEND.format(k=r.threshold))
    return lines


def render_html(r: DeskReport) -> str:
    return render("reports/desk_report.html.j2", title=title(r), version=version_label(r), notes=notes(r),
                  tables=[(t.title + ("（複数回答）" if t.multiple else ""), header(r, t), values(t),
                           MULTIPLE if t.multiple else "") for t in r.tables])


def render_csv(r: DeskReport) -> bytes:
    rows: list[list] = [[title(r)], [version_label(r)], *([n] for n in notes(r))]
    for t in r.tables:
        rows += [[], [f"■{t.title}" + ("（複数回答）" if t.multiple else "")], header(r, t), *values(t)]
    return spreadsheet.csv_bytes(rows)


THIN = Side(style="thin", color="999999")


def render_xlsx(r: DeskReport) -> bytes:
    wb = Workbook()
    wb.remove(wb.active)
    for t in r.tables:
        ws = wb.create_sheet(t.title[:31])
        spreadsheet.append_row(ws, [title(r)])
        ws["A1"].font = Font(bold=True, size=12)
        spreadsheet.append_row(ws, [f"{t.title}{'（複数回答）' if t.multiple else ''}　{version_label(r)}"])
        spreadsheet.append_row(ws, header(r, t))
        for cell in ws[3]:
            cell.font = Font(bold=True)
            cell.fill = PatternFill("solid", fgColor="DDE7F2")
            cell.alignment = Alignment(wrap_text=True, vertical="center")
        for row in values(t):
            spreadsheet.append_row(ws, row)
        for line in ws.iter_rows(min_row=3, max_row=ws.max_row):
            for cell in line:
                cell.border = Border(top=THIN, bottom=THIN, left=THIN, right=THIN)
                if cell.column > 1 and cell.row > 3:
                    cell.alignment = Alignment(horizontal="right")
        spreadsheet.append_row(ws, [])
        for line in notes(r) + ([MULTIPLE] if t.multiple else []):
            spreadsheet.append_row(ws, [line])
        ws.column_dimensions["A"].width = 40
        for letter in "BCDE":
            ws.column_dimensions[letter].width = 22
        # A4, fitted to one page wide, the header rows repeated on every printed page
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.page_setup.orientation = "portrait"
        ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.print_title_rows = "1:3"
        ws.print_options.horizontalCentered = True
        ws.page_margins.left = ws.page_margins.right = 0.5
        ws.oddFooter.center.text = "&P / &N"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
