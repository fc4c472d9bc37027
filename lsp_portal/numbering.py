"""Document numbers with a running number per year (decrees, certificates)."""

from typing import Any

from django.db import models

ROMAN_MONTHS = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII"]


def next_number(
    counter_model: type[models.Model], pattern: str, *, year: int, month: int, **fields: Any
) -> tuple[int, str]:
    """Take the next running number of `year` from `counter_model` (a model with `year` as primary
    key and `last`), under a row lock, so two documents never share a number; then format
    `pattern` with {seq}, {year}, {month}, {roman_month} and any extra `fields`. Call inside the
    transaction that saves the document."""
    manager: Any = counter_model._default_manager  # a counter model: `year` and `last`
    manager.bulk_create([counter_model(year=year)], ignore_conflicts=True)
    counter = manager.select_for_update().get(year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return counter.last, format_number(pattern, seq=counter.last, year=year, month=month, **fields)


def format_number(pattern: str, *, seq: int, year: int, month: int, **fields: Any) -> str:
    """`pattern` (a setting such as DECREE_NUMBER_PATTERN) with {seq}, {year}, {month},
    {roman_month} and the document's own `fields` (e.g. {scheme})."""
    return pattern.format(
        seq=seq, year=year, month=month, roman_month=ROMAN_MONTHS[month - 1], **fields
    )
