"""Opening hours in Japan time: which schedule rows apply on a day (a public holiday has its own), and
the windows "now", "tonight" and "on a day" the search asks about. Pure functions.

Japanese public holidays (振替休日 and 国民の休日 included) come from the maintained `holidays` package.
"Tonight" is the 診療報酬 night, 18:00 to 06:00 the next morning (夜間・深夜), from now if it has begun."""

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cache

import holidays

from backend.fiscal import JST

HOLIDAY = 7                      # schedule.day for a public holiday; 0–6 are Monday–Sunday
DAY_MINUTES = 24 * 60
NIGHT_STARTS = 18 * 60
NIGHT_ENDS = 6 * 60
RRULE_DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
DAY_LABELS = ("月", "火", "水", "木", "金", "土", "日", "祝")


@cache
def _calendar(year: int) -> holidays.HolidayBase:
    return holidays.country_holidays("JP", years=year, language="ja")


def holiday_name(day: date) -> str | None:
    return _calendar(day.year).get(day)


def day_type(day: date) -> int:
    """The schedule rows that apply on a day: the holiday's on a public holiday, else the weekday's."""
    return HOLIDAY if holiday_name(day) else day.weekday()


def next_holiday(after: date) -> tuple[date, str]:
    """The next public holiday on or after `after`."""
    day = after
    while True:
        name = holiday_name(day)
        if name:
            return day, name
        day += timedelta(days=1)


@dataclass(frozen=True)
class Window:
    """Minutes [start, end) of one day type; a search matches a service open at any moment of any window."""

    day: int
    start: int
    end: int
    on: date


def now_window(moment: datetime) -> list[Window]:
    local = moment.astimezone(JST)
    minute = local.hour * 60 + local.minute
    return [Window(day_type(local.date()), minute, minute + 1, local.date())]


def tonight_windows(moment: datetime) -> list[Window]:
    local = moment.astimezone(JST)
    today, minute = local.date(), local.hour * 60 + local.minute
    if minute < NIGHT_ENDS:                       # still last night: until six this morning
        return [Window(day_type(today), minute, NIGHT_ENDS, today)]
    tomorrow = today + timedelta(days=1)
    return [Window(day_type(today), max(minute, NIGHT_STARTS), DAY_MINUTES, today),
            Window(day_type(tomorrow), 0, NIGHT_ENDS, tomorrow)]


def day_windows(day: date) -> list[Window]:
    return [Window(day_type(day), 0, DAY_MINUTES, day)]


def local_now_parts(moment: datetime) -> tuple[date, int]:
    local = moment.astimezone(JST)
    return local.date(), local.hour * 60 + local.minute


_TIME = re.compile(r"^(\d{1,2}):(\d{2})(?::\d{2})?$")


def parse_minutes(text: str) -> int | None:
    """'09:00' / '９：００' / '24:00' → minutes after midnight; None when it is not a time of day."""
    m = _TIME.match(unicodedata.normalize("NFKC", text or "").strip())
    if not m:
        return None
    hours, minutes = int(m.group(1)), int(m.group(2))
    if minutes >= 60 or hours > 24 or (hours == 24 and minutes):
        return None
    return hours * 60 + minutes


def format_minutes(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def split_overnight(day: int, opens: int, closes: int) -> list[tuple[int, int, int]]:
    """(day, opens, closes) rows for an opening; one that closes at or before it opens runs past
    midnight into the next day (a holiday's night runs into no particular weekday: it ends at midnight)."""
    if closes > opens:
        return [(day, opens, closes)]
    rows = [(day, opens, DAY_MINUTES)]
    if day != HOLIDAY and closes > 0:
        rows.append(((day + 1) % 7, 0, closes))
    return rows


def at(day: date, minutes: int) -> datetime:
    return datetime.combine(day, time(), JST) + timedelta(minutes=minutes)
