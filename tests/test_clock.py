"""The desk's days are Japan days, whatever the hour and the machine's zone; and no code reads the clock
another way."""

import re
import time
from datetime import date
from pathlib import Path

import pytest

from backend.fiscal import fiscal_year_label, fiscal_year_of, month_key
from tests import clock

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("instant", clock.INSTANTS, ids=[i.name for i in clock.INSTANTS], indirect=True)
def test_today_and_the_fiscal_year_are_those_of_japan(instant):
    assert clock.today() == instant.jst.date()
    assert clock.fiscal_year() == (instant.jst.year if instant.jst.month >= 4 else instant.jst.year - 1)
    assert month_key(clock.now()) == instant.jst.strftime("%Y-%m")
    # the machine really is elsewhere for the test: naive code would read another day or zone
    assert time.strftime("%Z") != "JST" or instant.machine_tz == "Asia/Tokyo"


@pytest.mark.parametrize("moment, fiscal_year", [
    (date(2027, 3, 31), 2026), (date(2027, 4, 1), 2027), (date(2019, 4, 30), 2019), (date(2019, 1, 1), 2018),
])
def test_the_fiscal_year_turns_on_the_first_of_april(moment, fiscal_year):
    assert fiscal_year_of(moment) == fiscal_year


@pytest.mark.parametrize("fiscal_year, label", [
    (2018, "2018年度（平成30年度）"), (2019, "2019年度（令和元年度）"), (2020, "2020年度（令和2年度）"),
    (2025, "2025年度（令和7年度）"),
])
def test_fiscal_year_labels_carry_the_era(fiscal_year, label):
    assert fiscal_year_label(fiscal_year) == label


# reading the machine's clock or zone, or taking the UTC day for Japan's
NAIVE_CLOCK = re.compile(r"date\.today\(\)|datetime\.today\(\)|datetime\.utcnow\(|datetime\.now\(\s*\)|"
                         r"\.now\((?:UTC|timezone\.utc)\)\.date\(\)|time\.localtime\(|utcnow\(\)\.date\(\)")


def test_no_code_reads_the_clock_naively():
    offenders = []
    for folder in ("backend", "workers", "tests", "scripts"):
        for path in (ROOT / folder).rglob("*.py"):
            if path.name == "test_clock.py":
                continue
            for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if NAIVE_CLOCK.search(line):
                    offenders.append(f"{path.relative_to(ROOT)}:{n}: {line.strip()}")
    assert offenders == []


def test_tests_ask_the_suite_clock_for_now():
    """Tests take "now" and "today" from tests/clock.py, which answers with the service's own functions."""
    offenders = [f"{p.relative_to(ROOT)}" for p in (ROOT / "tests").rglob("*.py")
                 if p.name not in ("clock.py", "test_clock.py") and re.search(r"datetime\.now\(", p.read_text("utf-8"))]
    assert offenders == []
