"""Working days of the LSP: Monday to Friday, except Indonesian public holidays and joint leave
days (the `holidays` package, categories in APPEAL_HOLIDAY_CATEGORIES) and the LSP's own closure
days (ClosureDay, kept by staff in the admin). Used for the appeal deadlines (9.9.6); a kernel
app, so any stage may count working days.

ClosureDay was a model of appeals until issue 14; it moved here with its table and rows (the
migrations appeals 0003 and workdays 0002 rename the table, nothing is copied)."""

import datetime
from collections.abc import Set
from functools import lru_cache

import holidays
from django.conf import settings


@lru_cache(maxsize=32)
def _national(year: int, categories: tuple[str, ...]) -> frozenset[datetime.date]:
    return frozenset(holidays.Indonesia(years=year, categories=categories).keys())


def national_holidays(year: int) -> frozenset[datetime.date]:
    return _national(year, tuple(settings.APPEAL_HOLIDAY_CATEGORIES))


def is_working_day(day: datetime.date, closures: Set[datetime.date] = frozenset()) -> bool:
    return day.weekday() < 5 and day not in national_holidays(day.year) and day not in closures


def add_working_days(start: datetime.date, count: int) -> datetime.date:
    """The `count`-th working day after `start` (`start` itself is not counted: a period
    "from receipt" starts the next day)."""
    from .models import ClosureDay

    # Enough calendar days for `count` working days even around the longest Idul Fitri leave.
    horizon = start + datetime.timedelta(days=count * 2 + 30)
    closures = frozenset(
        ClosureDay.objects.filter(date__gt=start, date__lte=horizon).values_list("date", flat=True)
    )
    day = start
    while count > 0:
        day += datetime.timedelta(days=1)
        if is_working_day(day, closures):
            count -= 1
    return day
