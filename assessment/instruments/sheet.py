"""The spreadsheet of a scheme's instrument bank, read and written in one layout.

One sheet; the header row is exactly HEADER, then one row per item:

    kode_unit | instrumen | no | teks | panduan | kuk | waktu_menit

`instrumen` is the MUK code of the instrument ("IA.07"; "FR.IA.07" is read the same), `no`
numbers the items of a unit and instrument (1, 2, ...), `teks` is the task or question,
`panduan` the answer guide (the expected answer; for FR.IA.02 the equipment and instructions),
`kuk` the KUK numbers of the unit the item covers ("1.1, 1.2", in the scheme's current standard)
and `waktu_menit` the time allowed in whole minutes (optional). What `write` makes, `read` takes
back unchanged (a round trip).

The layout of the file and its checks follow the competency standard's (registration/standard.py,
whose reading of the workbook is reused): `read` checks the whole file and collects every problem
with its sheet row (the header is row 1) before anything is written; the service
(assessment.instruments.services.import_instruments) writes all of it or nothing.
"""

from __future__ import annotations

import re
from collections.abc import Generator, Iterable, Sequence
from dataclasses import dataclass, field
from typing import IO, Any

from django.conf import settings
from django.db.models import Prefetch
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from lsp_portal import exports
from registration.models import KUK, Scheme, StandardVersion, Unit
from registration.standard import RowError, StandardImportError, _check_size, _open_rows, _text

from ..inputs import InstrumentItemInput
from .models import GUIDE_REQUIRED, InstrumentBank, InstrumentKind

HEADER = ("kode_unit", "instrumen", "no", "teks", "panduan", "kuk", "waktu_menit")
MAX_ITEM_NUMBER = 999
MAX_MINUTES = 24 * 60
TEXT_MAX = 5000
CODE = re.compile(r"^(?:FR\.)?(IA\.\d{2}[AB]?)$")

# Instruments the bank does not keep, and why: the import names the reason.
REFUSED = {
    InstrumentKind.IA01: gettext_lazy(
        "has no items in the bank: its rows are the KUK of the unit themselves, observed one by "
        "one."
    ),
    InstrumentKind.IA05: gettext_lazy("comes with the written test (a later part of the portal)."),
    InstrumentKind.IA06: gettext_lazy("comes with the written test (a later part of the portal)."),
    InstrumentKind.IA08: gettext_lazy(
        "has no items in the bank: the portfolio is verified for each candidate."
    ),
    InstrumentKind.IA10: gettext_lazy(
        "has no items in the bank: the third party's clarification is recorded for each candidate."
    ),
}
BANK_KINDS = [kind for kind in InstrumentKind if kind not in REFUSED]


class InstrumentImportError(StandardImportError):
    """The file was refused; `errors` lists every problem found (nothing was written)."""


@dataclass
class ParsedItem:
    unit: Unit
    kind: str
    number: int
    text: str
    guide: str
    minutes: int | None
    row: int
    kuks: list[KUK] = field(default_factory=list)


@dataclass
class ParsedBank:
    """What a valid file holds, in the order of the units, instruments and numbers."""

    items: list[ParsedItem]

    @property
    def unit_count(self) -> int:
        return len({item.unit.pk for item in self.items})

    @property
    def kuk_link_count(self) -> int:
        return sum(len(item.kuks) for item in self.items)


def kind_of(value: str) -> str | None:
    """The InstrumentKind value of a cell ("IA.07", "FR.IA.07", any case), or None."""
    match = CODE.match(value.strip().upper())
    if match is None or match[1] not in InstrumentKind.values:
        return None
    return match[1]


def _whole_number(value: Any, largest: int) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, int) and 1 <= value <= largest:
        return value
    return None


def _kuk_numbers(value: str) -> list[str]:
    numbers = [part.strip() for part in re.split(r"[,;]", value)]
    return list(dict.fromkeys(number for number in numbers if number))


def _kuks_by_unit(version: StandardVersion) -> dict[int, dict[str, KUK]]:
    by_unit: dict[int, dict[str, KUK]] = {}
    for kuk in KUK.objects.filter(element__version=version).select_related("element"):
        by_unit.setdefault(kuk.element.unit_id, {})[kuk.number] = kuk
    return by_unit


def _open(upload: IO[bytes]) -> Generator[tuple[Any, ...], None, None]:
    """The rows of the workbook (registration.standard's reading), its refusals as ours."""
    try:
        _check_size(upload)
        yield from _open_rows(upload)
    except InstrumentImportError:
        raise
    except StandardImportError as error:
        raise InstrumentImportError(error.errors) from error


def read(scheme: Scheme, version: StandardVersion, upload: IO[bytes]) -> ParsedBank:
    """The items of the file for `scheme`'s units, their KUK those of `version` (the scheme's
    current standard), or InstrumentImportError with every problem found (row numbers as the
    spreadsheet shows them)."""
    rows = _open(upload)
    try:
        return _read_rows(scheme, version, rows)
    finally:
        rows.close()  # the workbook, also when a problem stops the reading early


def _read_rows(
    scheme: Scheme, version: StandardVersion, rows: Generator[tuple[Any, ...], None, None]
) -> ParsedBank:
    header = next(rows, None)
    found = tuple(_text(cell).lower() for cell in (header or ()))
    while found and found[-1] == "":
        found = found[:-1]
    if found != HEADER:
        raise InstrumentImportError(
            [
                RowError(
                    1,
                    _("the header must be %(expected)s, in this order; found %(found)s.")
                    % {
                        "expected": ", ".join(HEADER),
                        "found": ", ".join(found) or _("an empty row"),
                    },
                )
            ]
        )
    units = {unit.code: unit for unit in scheme.units.all()}
    kuks = _kuks_by_unit(version)
    errors: list[RowError] = []
    items: list[ParsedItem] = []
    numbers: dict[tuple[str, str, int], int] = {}
    for row_number, row in enumerate(rows, start=2):
        if row_number - 1 > settings.STANDARD_IMPORT_MAX_ROWS:
            errors.append(
                RowError(
                    row_number,
                    _("the file has more than %(max)d rows; split the instrument bank.")
                    % {"max": settings.STANDARD_IMPORT_MAX_ROWS},
                )
            )
            raise InstrumentImportError(errors)
        cells = [_text(cell) for cell in row[: len(HEADER)]]
        cells += [""] * (len(HEADER) - len(cells))
        if not any(cells):
            continue  # empty rows (often left at the end) say nothing
        code, kind_cell, number_cell, text, guide, kuk_cell, minutes_cell = cells
        raw = list(row[: len(HEADER)]) + [None] * (len(HEADER) - len(row))

        def error(message: str, row: int = row_number) -> None:
            errors.append(RowError(row, message))

        for column in ("kode_unit", "instrumen", "no", "teks", "kuk"):
            if not cells[HEADER.index(column)]:
                error(_("the cell %(column)s is empty.") % {"column": column})
        unit = units.get(code)
        if code and unit is None:
            error(_("%(code)s is not a unit code of this scheme.") % {"code": code})
        kind = kind_of(kind_cell) if kind_cell else None
        if kind_cell and kind is None:
            error(
                _("instrumen %(value)s is not an instrument code; use one of %(codes)s.")
                % {"value": kind_cell, "codes": ", ".join(BANK_KINDS)}
            )
        elif kind is not None and kind in REFUSED:
            error(
                _("FR.%(code)s %(reason)s")
                % {"code": kind, "reason": REFUSED[InstrumentKind(kind)]}
            )
            kind = None
        number = _whole_number(raw[2], MAX_ITEM_NUMBER)
        if number_cell and number is None:
            error(
                _("no %(value)s is not a whole number from 1 to %(max)d.")
                % {"value": number_cell, "max": MAX_ITEM_NUMBER}
            )
        if kind is not None and kind in GUIDE_REQUIRED and not guide:
            error(
                _("the cell panduan is empty: FR.%(code)s needs the expected answer.")
                % {"code": kind}
            )
        for column, value in (("teks", text), ("panduan", guide)):
            if len(value) > TEXT_MAX:
                error(
                    _("the cell %(column)s is longer than %(max)d characters.")
                    % {"column": column, "max": TEXT_MAX}
                )
        minutes = _whole_number(raw[6], MAX_MINUTES) if minutes_cell else None
        if minutes_cell and minutes is None:
            error(
                _("waktu_menit %(value)s is not a whole number of minutes from 1 to %(max)d.")
                % {"value": minutes_cell, "max": MAX_MINUTES}
            )
        covered: list[KUK] = []
        if unit is not None and kuk_cell:
            of_unit = kuks.get(unit.pk, {})
            for kuk_number in _kuk_numbers(kuk_cell):
                kuk = of_unit.get(kuk_number)
                if kuk is None:
                    error(
                        _(
                            "KUK %(number)s is not a KUK of unit %(code)s in version %(version)d "
                            "of the competency standard."
                        )
                        % {"number": kuk_number, "code": unit.code, "version": version.number}
                    )
                else:
                    covered.append(kuk)
        if unit is None or kind is None or number is None:
            continue
        first = numbers.get((unit.code, kind, number))
        if first is not None:
            error(
                _("FR.%(kind)s item %(number)d of unit %(code)s is already in row %(first)d.")
                % {"kind": kind, "number": number, "code": unit.code, "first": first}
            )
            continue
        numbers[(unit.code, kind, number)] = row_number
        covered.sort(key=lambda k: k.position)
        items.append(
            ParsedItem(
                unit=unit,
                kind=kind,
                number=number,
                text=text,
                guide=guide,
                minutes=minutes,
                row=row_number,
                kuks=covered,
            )
        )
    if not errors and not items:
        errors.append(RowError(None, _("The file has no items below its header.")))
    if errors:
        raise InstrumentImportError(errors)
    items.sort(key=lambda i: (i.unit.number, i.kind, i.number))
    return ParsedBank(items=items)


def rows(bank: InstrumentBank | None) -> Iterable[list[exports.Cell]]:
    """The rows of `bank` in the file's layout: units in order, then instruments, then numbers;
    KUK in the order of the standard."""
    if bank is None:
        return
    items = bank.items.select_related("unit").prefetch_related(
        Prefetch("kuks", queryset=KUK.objects.order_by("position"))
    )
    for item in items.order_by("unit__number", "kind", "number"):
        yield [
            item.unit.code,
            item.kind,
            item.number,
            item.text,
            item.guide or None,
            ", ".join(kuk.number for kuk in item.kuks.all()),
            item.minutes,
        ]


def write(scheme: Scheme, bank: InstrumentBank | None) -> bytes:
    """The XLSX file of `bank` (see rows); only the header when there is none yet."""
    return exports.xlsx_bytes(HEADER, rows(bank), title=scheme.code)


# ---------------------------------------------------------------------------------------------
# One unit's items edited in the portal (services.edit_unit_items): the same structure as a
# file's, checked with the same rules, written by the same code as an import.
# ---------------------------------------------------------------------------------------------


class InstrumentEditError(InstrumentImportError):
    """The unit's form was refused; `errors` lists every problem found (nothing was saved)."""

    def __init__(self, errors: Sequence[RowError]) -> None:
        super().__init__(errors)
        self.message = ngettext(
            "Nothing was saved: %(count)d problem. Correct it below.",
            "Nothing was saved: %(count)d problems. Correct them below.",
            len(errors),
        ) % {"count": len(errors)}
        self.args = (self.message,)


def unit_kuks(version: StandardVersion, unit: Unit) -> list[KUK]:
    """The KUK of `unit` in `version`, in the standard's order: what an item may cover."""
    return list(
        KUK.objects.filter(element__version=version, element__unit=unit)
        .select_related("element")
        .order_by("position")
    )


def parse_unit_items(
    unit: Unit, version: StandardVersion, items: Sequence[InstrumentItemInput]
) -> list[ParsedItem]:
    """The items of `unit` as typed in the unit editor, checked as an import checks a file's
    rows (an instrument the bank keeps, a number 1-999 once per instrument, a task or question,
    the expected answer for FR.IA.03 and FR.IA.07, minutes 1-1440 or none, at least one KUK and
    only KUK of the unit in `version`, the bank's standard), or InstrumentEditError with every
    problem. Rows left wholly blank and rows marked for removal are not given here."""
    errors: list[RowError] = []
    of_unit = {kuk.pk: kuk for kuk in unit_kuks(version, unit)}
    parsed: list[ParsedItem] = []
    numbers: dict[tuple[str, int], int] = {}
    for typed in items:
        row = typed.row

        def error(message: str, row: int = row) -> None:
            errors.append(
                RowError(
                    None, _("Item row %(row)d: %(message)s") % {"row": row, "message": message}
                )
            )

        kind_cell, number_cell = typed.kind.strip(), typed.number.strip()
        text, guide, minutes_cell = typed.text.strip(), typed.guide.strip(), typed.minutes.strip()
        kind = kind_of(kind_cell) if kind_cell else None
        if not kind_cell:
            error(_("choose the instrument."))
        elif kind is None:
            error(
                _("%(value)s is not an instrument code; use one of %(codes)s.")
                % {"value": kind_cell, "codes": ", ".join(BANK_KINDS)}
            )
        elif kind in REFUSED:
            error(
                _("FR.%(code)s %(reason)s")
                % {"code": kind, "reason": REFUSED[InstrumentKind(kind)]}
            )
            kind = None
        number = _whole_number(number_cell, MAX_ITEM_NUMBER)
        if not number_cell:
            error(_("the number is empty."))
        elif number is None:
            error(
                _("the number %(value)s is not a whole number from 1 to %(max)d.")
                % {"value": number_cell, "max": MAX_ITEM_NUMBER}
            )
        if not text:
            error(_("the task or question is empty."))
        elif len(text) > TEXT_MAX:
            error(_("the task or question is longer than %(max)d characters.") % {"max": TEXT_MAX})
        if kind is not None and kind in GUIDE_REQUIRED and not guide:
            error(
                _("the answer guide is empty: FR.%(code)s needs the expected answer.")
                % {"code": kind}
            )
        if len(guide) > TEXT_MAX:
            error(_("the answer guide is longer than %(max)d characters.") % {"max": TEXT_MAX})
        minutes = _whole_number(minutes_cell, MAX_MINUTES) if minutes_cell else None
        if minutes_cell and minutes is None:
            error(
                _("the time %(value)s is not a whole number of minutes from 1 to %(max)d.")
                % {"value": minutes_cell, "max": MAX_MINUTES}
            )
        if not typed.kuks:
            error(_("tick at least one KUK the item covers."))
        covered = [of_unit[pk] for pk in dict.fromkeys(typed.kuks) if pk in of_unit]
        if len(covered) != len(set(typed.kuks)):
            error(
                _(
                    "a KUK ticked is not a KUK of unit %(code)s in version %(version)d of the "
                    "competency standard."
                )
                % {"code": unit.code, "version": version.number}
            )
        if kind is None or number is None:
            continue
        first = numbers.get((kind, number))
        if first is not None:
            error(
                _("FR.%(kind)s item %(number)d is already in item row %(first)d.")
                % {"kind": kind, "number": number, "first": first}
            )
            continue
        numbers[(kind, number)] = row
        covered.sort(key=lambda k: k.position)
        parsed.append(
            ParsedItem(
                unit=unit,
                kind=kind,
                number=number,
                text=text,
                guide=guide,
                minutes=minutes,
                row=row,
                kuks=covered,
            )
        )
    if errors:
        raise InstrumentEditError(errors)
    return sorted(parsed, key=lambda i: (i.kind, i.number))


def replace_unit_items(bank: InstrumentBank, unit: Unit, items: Sequence[ParsedItem]) -> ParsedBank:
    """What a file of `bank` with `unit`'s items replaced by `items` would hold: the other
    units' items copied as they are (their KUK those of the bank's standard), or
    InstrumentEditError when the bank would hold no item at all (an import refuses that too)."""
    kept = (
        bank.items.exclude(unit=unit)
        .select_related("unit")
        .prefetch_related(Prefetch("kuks", queryset=KUK.objects.order_by("position")))
    )
    copied = [
        ParsedItem(
            unit=item.unit,
            kind=item.kind,
            number=item.number,
            text=item.text,
            guide=item.guide,
            minutes=item.minutes,
            row=0,
            kuks=list(item.kuks.all()),
        )
        for item in kept
    ]
    merged = sorted([*copied, *items], key=lambda i: (i.unit.number, i.kind, i.number))
    if not merged:
        raise InstrumentEditError(
            [RowError(None, _("The instrument bank would have no items; keep at least one."))]
        )
    return ParsedBank(items=merged)
