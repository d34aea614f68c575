"""Cells that a spreadsheet program can never run (OWASP's CSV-injection rule): a text cell that begins
with =, +, -, @, a tab or a carriage return is written as text — in CSV with a leading apostrophe, in XLSX
typed as a string (openpyxl would otherwise store it as a formula). Every export goes through here."""

import csv
import io
from collections.abc import Iterable

from openpyxl.worksheet.worksheet import Worksheet

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_text(value: object) -> object:
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_bytes(rows: Iterable[list]) -> bytes:
    """UTF-8 with BOM and CRLF: what Excel opens in Japanese."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerows([csv_text(v) for v in row] for row in rows)
    return buf.getvalue().encode("utf-8-sig")


def append_row(ws: Worksheet, values: Iterable[object]) -> None:
    """One row (an empty one too); every text typed as a string, whatever it begins with."""
    values = list(values)
    ws.append(values)
    for column, value in enumerate(values, start=1):
        if isinstance(value, str):
            ws.cell(row=ws.max_row, column=column).data_type = "s"
