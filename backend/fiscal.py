"""Japan time and the fiscal year (年度: 1 April to 31 March, Japan time)."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from backend.errors import UserInputError

JST = ZoneInfo("Asia/Tokyo")


FIRST_FISCAL_YEAR = 2015   # the 在宅医療・介護連携推進事業 became every municipality's duty in FY2015


def japan_date(moment: datetime | date) -> date:
    """The day in Japan of an instant; a date is already one."""
    return moment.astimezone(JST).date() if isinstance(moment, datetime) else moment


def fiscal_year_of(moment: datetime | date) -> int:
    day = japan_date(moment)
    return day.year if day.month >= 4 else day.year - 1


def fiscal_year_bounds(fiscal_year: int) -> tuple[datetime, datetime]:
    """[start, end) in UTC."""
    start = datetime.combine(date(fiscal_year, 4, 1), time(), JST)
    end = datetime.combine(date(fiscal_year + 1, 4, 1), time(), JST)
    return start.astimezone(UTC), end.astimezone(UTC)


def require_fiscal_year(value: int, field: list[str]) -> int:
    """A fiscal year a desk can have data for: from the programme's start to next year."""
    last = fiscal_year_of(today_jst()) + 1
    if not FIRST_FISCAL_YEAR <= value <= last:
        raise UserInputError(field, f"年度は{FIRST_FISCAL_YEAR}〜{last}の範囲で指定してください（指定値 {value}）。",
                             "OUT_OF_RANGE")
    return value


def fiscal_year_label(fiscal_year: int) -> str:
    reiwa = fiscal_year - 2018
    era = f"令和{'元' if reiwa == 1 else reiwa}年度" if reiwa >= 1 else f"平成{fiscal_year - 1988}年度"
    return f"{fiscal_year}年度（{era}）"


def today_jst() -> date:
    return datetime.now(JST).date()


def day_start_utc(day: date) -> datetime:
    return datetime.combine(day, time(), JST).astimezone(UTC)


def day_end_utc(day: date) -> datetime:
    return day_start_utc(day + timedelta(days=1))


def month_key(moment: datetime) -> str:
    return moment.astimezone(JST).strftime("%Y-%m")


def fiscal_months(fiscal_year: int) -> list[str]:
    return [f"{fiscal_year + (m < 4)}-{m:02d}" for m in (*range(4, 13), 1, 2, 3)]
