"""The suite's one clock. Tests ask it for "now" and "today in Japan" and it answers with the service's own
functions, so a test and the code under test never disagree about the day, whatever the hour and the
machine's time zone. No test reads the machine clock (`date.today`, `datetime.now`) or the local zone
(tests/test_clock.py checks the sources).

`INSTANTS` are the moments that break naive date code. A test marked `@pytest.mark.any_hour` runs once on
the real clock and once at each of them (time-machine, ticking), each under another machine `TZ`."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from backend.db import utcnow as now
from backend.fiscal import JST, day_start_utc, fiscal_year_of
from backend.fiscal import today_jst as today

__all__ = ["INSTANTS", "Instant", "earlier_today", "fiscal_year", "now", "today", "tomorrow"]


def tomorrow() -> date:
    return today() + timedelta(days=1)


def fiscal_year() -> int:
    """The fiscal year (年度) the desk is in now."""
    return fiscal_year_of(now())


def earlier_today(hours: float = 1) -> datetime:
    """A moment before now that is still today in Japan (a call taken this morning, not last night). Never
    midnight itself: in the first minutes of a day it is halfway between midnight and now, so it is not
    mistaken for the start of a day or month that figures are coarsened to."""
    start = day_start_utc(today())
    moment = now()
    return max(moment - timedelta(hours=hours), start + (moment - start) / 2)


@dataclass(frozen=True)
class Instant:
    name: str
    jst: datetime          # the moment, as a clock in Japan shows it
    machine_tz: str        # the zone the machine pretends to be in while the test runs

    @property
    def destination(self) -> datetime:
        # time-machine mocks the process's local zone when the destination carries a ZoneInfo
        return self.jst.astimezone(ZoneInfo(self.machine_tz))


def _jst(*args: int) -> datetime:
    return datetime(*args, tzinfo=JST)


INSTANTS = [
    Instant("23:59 JST (14:59 UTC)", _jst(2026, 11, 25, 23, 59), "America/Los_Angeles"),
    Instant("00:01 JST (15:01 UTC)", _jst(2026, 11, 26, 0, 1), "UTC"),
    Instant("23:59 UTC (08:59 JST)", datetime(2026, 11, 26, 23, 59, tzinfo=UTC).astimezone(JST), "Asia/Tokyo"),
    Instant("31 March 23:59 JST", _jst(2027, 3, 31, 23, 59), "Asia/Tokyo"),
    Instant("1 April 00:00 JST", _jst(2027, 4, 1, 0, 0, 30), "America/Los_Angeles"),
    Instant("1 May 2019 (令和元年)", _jst(2019, 5, 1, 0, 1), "UTC"),
]
