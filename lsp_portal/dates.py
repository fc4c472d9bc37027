"""Dates in the portal: the range of every date a person enters, and how every date a person
reads is written.

Reading (issue 13.1). Every date shown - pages, PDFs, e-mails, messages, model texts - is the
Asia/Jakarta date, in the one format of lsp_portal/formats: `format_date` gives "2 Des 2026"
(English "2 Dec 2026"), `format_datetime` "2 Des 2026 00.58 WIB" (English "2 Dec 2026 00:58
WIB"), both in the active language. A datetime is stored in UTC; formatted as it is, 00:46 WIB
on 2 December is 17:46 on 1 December - so these functions convert to local time first, which
`django.utils.formats.date_format` does not. Templates use Django's filters with the same
formats: `{{ value|date }}` and `{{ value|date:"DATETIME_FORMAT" }}` (which convert by
themselves).

Entering.

A meeting scheduled for 0001-01-01 once made the meeting list and its page fail for everyone
(the time cannot be converted to UTC), and the meeting could be neither opened nor cancelled. So
each date a person types is checked against a sane range, in the form (model validators, which the
admin site uses too) and again in the service that stores it:

- "event": what the LSP plans or records - meetings, test dates, freezes, TUK verification,
  assessor registration, closure days, scheme approval: the years DATE_INPUT_MIN_YEAR to
  DATE_INPUT_MAX_YEAR (settings; 2000 to 2100 by default).
- "history": a person's past - internships and work: from PERSON_DATE_MIN_YEAR (1900) to
  DATE_INPUT_MAX_YEAR.
- "birth": a date of birth: from PERSON_DATE_MIN_YEAR to yesterday (it must be in the past).

Times are judged by their date on the wall clock they were entered in (no conversion to UTC,
which is exactly what fails for a year-1 value)."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import formats, timezone
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext as _

from .errors import RuleError

KINDS = ("event", "history", "birth")


def local_date(value: datetime.date | datetime.datetime) -> datetime.date:
    """The date of `value` on the Asia/Jakarta clock (a date is returned as it is; a naive
    datetime is taken as Jakarta time)."""
    if isinstance(value, datetime.datetime):
        return _local(value).date()
    return value


def _local(value: datetime.datetime) -> datetime.datetime:
    if timezone.is_naive(value):
        return value
    return timezone.localtime(value)


def format_date(value: datetime.date | datetime.datetime | None) -> str:
    """ "2 Des 2026": the (Asia/Jakarta) date of `value`, as people read it; "" for None."""
    if value is None:
        return ""
    return formats.date_format(local_date(value), "DATE_FORMAT")


def format_datetime(value: datetime.datetime | None) -> str:
    """ "2 Des 2026 00.58 WIB": `value` on the Asia/Jakarta clock, with its zone; "" for None."""
    if value is None:
        return ""
    moment = _local(value)
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return formats.date_format(moment, "DATETIME_FORMAT")


def date_range(kind: str = "event") -> tuple[datetime.date, datetime.date]:
    """The first and last date allowed for `kind` (see the module docstring)."""
    if kind not in KINDS:
        raise ValueError(f"unknown kind of date {kind!r}")
    first_year = settings.DATE_INPUT_MIN_YEAR if kind == "event" else settings.PERSON_DATE_MIN_YEAR
    first = datetime.date(first_year, 1, 1)
    if kind == "birth":
        return first, timezone.localdate() - datetime.timedelta(days=1)
    return first, datetime.date(settings.DATE_INPUT_MAX_YEAR, 12, 31)


def _as_date(value: datetime.date | datetime.datetime) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return value.replace(tzinfo=None).date()
    return value


def out_of_range_message(kind: str = "event") -> str:
    first, last = date_range(kind)
    if kind == "birth":
        return _("Enter a date of birth between %(first)s and %(last)s.") % {
            "first": format_date(first),
            "last": format_date(last),
        }
    return _("Enter a date between %(first)s and %(last)s.") % {
        "first": format_date(first),
        "last": format_date(last),
    }


def in_range(value: datetime.date | datetime.datetime | None, kind: str = "event") -> bool:
    if value is None:
        return True
    first, last = date_range(kind)
    return first <= _as_date(value) <= last


def require_in_range(
    value: datetime.date | datetime.datetime | None, label: str, kind: str = "event"
) -> None:
    """For services: RuleError naming the field when `value` lies outside the range of `kind`."""
    if not in_range(value, kind):
        raise RuleError(
            _("%(field)s: %(message)s") % {"field": label, "message": out_of_range_message(kind)}
        )


@deconstructible
class DateRangeValidator:
    """A model or form field validator: the value lies in the range of `kind`."""

    def __init__(self, kind: str = "event") -> None:
        if kind not in KINDS:
            raise ValueError(f"unknown kind of date {kind!r}")
        self.kind = kind

    def __call__(self, value: datetime.date | datetime.datetime | None) -> None:
        if not in_range(value, self.kind):
            raise ValidationError(out_of_range_message(self.kind), code="date_range")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, DateRangeValidator) and other.kind == self.kind

    def __hash__(self) -> int:
        return hash(("DateRangeValidator", self.kind))


def widget_limits(kind: str = "event") -> dict[str, str]:
    """`min` and `max` for an <input type="date"> (the browser's picker keeps to them too)."""
    first, last = date_range(kind)
    return {"min": first.isoformat(), "max": last.isoformat()}
