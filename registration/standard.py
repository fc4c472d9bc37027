"""The spreadsheet of a scheme's competency standard: units -> elements (elemen kompetensi) ->
KUK (kriteria unjuk kerja, the performance criteria), read and written in one layout.

One sheet; the header row is exactly HEADER, then one row per KUK:

    kode_unit | judul_unit | no_elemen | elemen | no_kuk | kuk

`no_elemen` numbers the elements of a unit (1, 2, ...), `no_kuk` the KUK of an element
("<no_elemen>.<n>": 1.1, 1.2, 2.1, ...). `judul_unit` repeats the unit's title as a check that
the code is the unit meant. What `write` makes, `read` takes back unchanged (a round trip).

`read` checks the whole file and collects every problem with its sheet row (the header is row 1)
before anything is written: the service (registration.services.import_units) writes all of it or
nothing. Nothing here touches the database but the units of the scheme it is given.
"""

from __future__ import annotations

import os
import re
from collections.abc import Generator, Iterable, Sequence
from dataclasses import dataclass, field
from typing import IO, Any

from django.conf import settings
from django.db.models import Prefetch
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from lsp_portal import exports
from lsp_portal.errors import RuleError

from .inputs import ElementInput
from .models import KUK, Scheme, StandardVersion, Unit

HEADER = ("kode_unit", "judul_unit", "no_elemen", "elemen", "no_kuk", "kuk")
MAX_ELEMENT_NUMBER = 999
KUK_NUMBER = re.compile(r"^(\d{1,3})\.(\d{1,3})$")
TITLE_MAX = 500


@dataclass(frozen=True)
class RowError:
    """One problem of the file; `row` is the sheet row (1 the header), None for the whole file
    or a unit the file leaves out."""

    row: int | None
    message: str

    def __str__(self) -> str:
        if self.row is None:
            return self.message
        return _("row %(row)d: %(message)s") % {"row": self.row, "message": self.message}


class StandardImportError(RuleError):
    """The file was refused; `errors` lists every problem found (nothing was written)."""

    def __init__(self, errors: Sequence[RowError]) -> None:
        super().__init__(
            ngettext(
                "The file was not imported: %(count)d problem. Nothing was changed.",
                "The file was not imported: %(count)d problems. Nothing was changed.",
                len(errors),
            )
            % {"count": len(errors)}
        )
        self.errors = list(errors)


@dataclass
class ParsedElement:
    unit: Unit
    number: int
    title: str
    row: int
    kuks: list[tuple[str, str, int]] = field(default_factory=list)  # (number, text, position)


@dataclass
class ParsedStandard:
    """What a valid file holds, in the order of the units and elements."""

    elements: list[ParsedElement]

    @property
    def unit_count(self) -> int:
        return len({element.unit.pk for element in self.elements})

    @property
    def kuk_count(self) -> int:
        return sum(len(element.kuks) for element in self.elements)


def _normalised(text: str) -> str:
    return " ".join(text.split()).casefold()


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _element_number(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, int) and 1 <= value <= MAX_ELEMENT_NUMBER:
        return value
    return None


def _open_rows(upload: IO[bytes]) -> Generator[tuple[Any, ...], None, None]:
    """The rows of the file's one sheet (values only); StandardImportError for a file that is
    not a readable XLSX workbook of one sheet."""
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(upload, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a damaged or foreign file
        raise StandardImportError(
            [RowError(None, _("The file is not an Excel workbook (.xlsx)."))]
        ) from error
    try:
        sheets = workbook.worksheets
        if not sheets:
            raise StandardImportError([RowError(None, _("The workbook has no sheet."))])
        if len(sheets) > 1:
            raise StandardImportError(
                [
                    RowError(
                        None,
                        _("The workbook has %(count)d sheets; put everything on one sheet.")
                        % {"count": len(sheets)},
                    )
                ]
            )
        try:
            yield from sheets[0].iter_rows(values_only=True)
        except StandardImportError:
            raise
        except Exception as error:  # a damaged sheet inside a valid archive
            raise StandardImportError(
                [RowError(None, _("The sheet could not be read; save the file again as .xlsx."))]
            ) from error
    finally:
        workbook.close()


def _check_size(upload: IO[bytes]) -> None:
    size = getattr(upload, "size", None)
    if size is None:
        upload.seek(0, os.SEEK_END)
        size = upload.tell()
        upload.seek(0)
    if size > settings.STANDARD_IMPORT_MAX_BYTES:
        raise StandardImportError(
            [
                RowError(
                    None,
                    _("The file is %(size)s; the largest accepted is %(max)s.")
                    % {
                        "size": filesizeformat(size),
                        "max": filesizeformat(settings.STANDARD_IMPORT_MAX_BYTES),
                    },
                )
            ]
        )


def read(scheme: Scheme, upload: IO[bytes]) -> ParsedStandard:
    """The elements and KUK of the file for `scheme`'s units, or StandardImportError with every
    problem found (row numbers as the spreadsheet shows them)."""
    _check_size(upload)
    rows = _open_rows(upload)
    header = next(rows, None)
    found = tuple(_text(cell).lower() for cell in (header or ()))
    while found and found[-1] == "":
        found = found[:-1]
    if found != HEADER:
        rows.close()
        raise StandardImportError(
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
    errors: list[RowError] = []
    elements: dict[tuple[str, int], ParsedElement] = {}
    kuk_rows: dict[tuple[str, str], int] = {}
    position = 0
    for row_number, row in enumerate(rows, start=2):
        if row_number - 1 > settings.STANDARD_IMPORT_MAX_ROWS:
            rows.close()
            errors.append(
                RowError(
                    row_number,
                    _("the file has more than %(max)d rows; split the standard.")
                    % {"max": settings.STANDARD_IMPORT_MAX_ROWS},
                )
            )
            raise StandardImportError(errors)
        cells = [_text(cell) for cell in row[: len(HEADER)]]
        cells += [""] * (len(HEADER) - len(cells))
        if not any(cells):
            continue  # empty rows (often left at the end) say nothing
        position += 1
        code, unit_title, element_cell, element_title, kuk_number, kuk_text = cells

        def error(message: str, row: int = row_number) -> None:
            errors.append(RowError(row, message))

        for column, value in zip(HEADER, cells, strict=True):
            if not value:
                error(_("the cell %(column)s is empty.") % {"column": column})
        unit = units.get(code)
        if code and unit is None:
            error(_("%(code)s is not a unit code of this scheme.") % {"code": code})
        if unit is not None and unit_title and _normalised(unit_title) != _normalised(unit.title):
            error(
                _("judul_unit %(found)s is not the title of unit %(code)s (%(title)s).")
                % {"found": unit_title, "code": unit.code, "title": unit.title}
            )
        number = _element_number(row[2] if len(row) > 2 else None)
        if element_cell and number is None:
            error(
                _("no_elemen %(value)s is not a whole number from 1 to %(max)d.")
                % {"value": element_cell, "max": MAX_ELEMENT_NUMBER}
            )
        if len(element_title) > TITLE_MAX:
            error(_("the element title is longer than %(max)d characters.") % {"max": TITLE_MAX})
        kuk_match = KUK_NUMBER.match(kuk_number)
        if kuk_number and number is not None:
            if kuk_match is None or int(kuk_match[1]) != number or int(kuk_match[2]) < 1:
                error(
                    _("no_kuk %(value)s is not of the form %(element)d.n (n = 1, 2, ...).")
                    % {"value": kuk_number, "element": number}
                )
                kuk_match = None
        if unit is None or number is None or not element_title or not kuk_text:
            continue
        element = elements.get((unit.code, number))
        if element is None:
            element = elements[(unit.code, number)] = ParsedElement(
                unit=unit, number=number, title=element_title, row=row_number
            )
        elif element.title != element_title:
            error(
                _(
                    "element %(number)d of unit %(code)s is titled differently in row %(first)d "
                    "(%(title)s)."
                )
                % {
                    "number": number,
                    "code": unit.code,
                    "first": element.row,
                    "title": element.title,
                }
            )
        if kuk_match is None:
            continue
        normalised = f"{int(kuk_match[1])}.{int(kuk_match[2])}"
        first = kuk_rows.get((unit.code, normalised))
        if first is not None:
            error(
                _("KUK %(number)s of unit %(code)s is already in row %(first)d.")
                % {"number": normalised, "code": unit.code, "first": first}
            )
            continue
        kuk_rows[(unit.code, normalised)] = row_number
        element.kuks.append((normalised, kuk_text, position))
    covered = {code for code, _number in elements}
    for unit in units.values():
        if unit.code not in covered:
            errors.append(
                RowError(
                    None,
                    _("Unit %(code)s (%(title)s) has no elements in the file.")
                    % {"code": unit.code, "title": unit.title},
                )
            )
    if errors:
        raise StandardImportError(errors)
    ordered = sorted(elements.values(), key=lambda e: (e.unit.number, e.number))
    return ParsedStandard(elements=ordered)


def rows(scheme: Scheme, version: StandardVersion | None) -> Iterable[list[exports.Cell]]:
    """The rows of `version` (a version of `scheme`) in the file's layout, units in order; a unit
    the version has no element for gets one row with its code and title only, to fill in."""
    elements: dict[int, list[Any]] = {}
    if version is not None:
        for element in version.elements.prefetch_related("kuks"):
            elements.setdefault(element.unit_id, []).append(element)
    for unit in scheme.units.all():
        if unit.pk not in elements:
            yield [unit.code, unit.title, None, None, None, None]
            continue
        for element in elements[unit.pk]:
            for kuk in element.kuks.all():
                yield [unit.code, unit.title, element.number, element.title, kuk.number, kuk.text]


def write(scheme: Scheme, version: StandardVersion | None) -> bytes:
    """The XLSX file of `version` (see rows)."""
    return exports.xlsx_bytes(HEADER, rows(scheme, version), title=scheme.code)


# ---------------------------------------------------------------------------------------------
# One unit edited in the portal (services.edit_unit): the same structure as a file's, checked
# with the same rules, written by the same code as an import.
# ---------------------------------------------------------------------------------------------


class UnitEditError(StandardImportError):
    """The unit's form was refused; `errors` lists every problem found (nothing was saved)."""

    def __init__(self, errors: Sequence[RowError]) -> None:
        super().__init__(errors)
        self.message = ngettext(
            "Nothing was saved: %(count)d problem. Correct it below.",
            "Nothing was saved: %(count)d problems. Correct them below.",
            len(errors),
        ) % {"count": len(errors)}
        self.args = (self.message,)


def parse_unit(unit: Unit, elements: Sequence[ElementInput]) -> list[ParsedElement]:
    """The elements and KUK of `unit` as typed in the unit editor, checked as an import checks
    a file's rows (no empty number or text, element numbers 1-999 once each, KUK numbered
    "<element>.n" once each, at least one KUK an element and one element the unit), or
    UnitEditError with every problem. Rows left wholly blank (the form's spare rows) and rows
    marked for removal are not given here (the form leaves them out)."""
    errors: list[RowError] = []

    def error(message: str) -> None:
        errors.append(RowError(None, message))

    parsed: dict[int, ParsedElement] = {}
    for typed in elements:
        row = typed.row
        number_cell, title = typed.number.strip(), typed.title.strip()
        number = _element_number(number_cell)
        where = (
            _("element %(number)d") % {"number": number}
            if number is not None
            else _("element row %(row)d") % {"row": row}
        )
        if not number_cell:
            error(_("Element row %(row)d: the number is empty.") % {"row": row})
        elif number is None:
            error(
                _(
                    "Element row %(row)d: the number %(value)s is not a whole number from 1 "
                    "to %(max)d."
                )
                % {"row": row, "value": number_cell, "max": MAX_ELEMENT_NUMBER}
            )
        elif number in parsed:
            error(
                _("Element %(number)d appears twice; each element of a unit has its own number.")
                % {"number": number}
            )
            number = None
        if not title:
            error(_("The title of %(where)s is empty.") % {"where": where})
        elif len(title) > TITLE_MAX:
            error(
                _("The title of %(where)s is longer than %(max)d characters.")
                % {"where": where, "max": TITLE_MAX}
            )
        kuks: dict[tuple[int, int], tuple[str, str]] = {}
        for kuk in typed.kuks:
            kuk_row = kuk.row
            kuk_number, text = kuk.number.strip(), kuk.text.strip()
            if not kuk_number:
                error(
                    _("%(where)s, KUK row %(row)d: the number is empty.")
                    % {"where": where.capitalize(), "row": kuk_row}
                )
            if not text:
                error(
                    _("%(where)s, KUK row %(row)d: the text is empty.")
                    % {"where": where.capitalize(), "row": kuk_row}
                )
            match = KUK_NUMBER.match(kuk_number)
            if kuk_number and number is not None:
                if match is None or int(match[1]) != number or int(match[2]) < 1:
                    error(
                        _(
                            "%(where)s: KUK number %(value)s is not of the form %(element)d.n "
                            "(n = 1, 2, ...)."
                        )
                        % {"where": where.capitalize(), "value": kuk_number, "element": number}
                    )
                    continue
                key = (int(match[1]), int(match[2]))
                if key in kuks:
                    error(
                        _("%(where)s: KUK %(number)s appears twice.")
                        % {"where": where.capitalize(), "number": f"{key[0]}.{key[1]}"}
                    )
                    continue
                kuks[key] = (f"{key[0]}.{key[1]}", text)
        if not typed.kuks:
            error(
                _("%(where)s has no KUK; each element needs at least one.")
                % {"where": where.capitalize()}
            )
        if number is not None and title:
            parsed[number] = ParsedElement(
                unit=unit,
                number=number,
                title=title,
                row=row,
                kuks=[(n, text, 0) for _key, (n, text) in sorted(kuks.items())],
            )
    if not elements:
        error(_("Unit %(code)s needs at least one element with its KUK.") % {"code": unit.code})
    if errors:
        raise UnitEditError(errors)
    return [parsed[number] for number in sorted(parsed)]


def replace_unit(
    version: StandardVersion, unit: Unit, elements: Sequence[ParsedElement]
) -> ParsedStandard:
    """What a file of `version` with `unit`'s elements replaced by `elements` would hold: the
    other units' elements and KUK copied as they are, positions numbered again in the order of
    the units, elements and KUK."""
    copied: list[ParsedElement] = []
    kept = (
        version.elements.exclude(unit=unit)
        .select_related("unit")
        .prefetch_related(Prefetch("kuks", queryset=KUK.objects.order_by("position")))
    )
    for element in kept:
        copied.append(
            ParsedElement(
                unit=element.unit,
                number=element.number,
                title=element.title,
                row=0,
                kuks=[(kuk.number, kuk.text, 0) for kuk in element.kuks.all()],
            )
        )
    ordered = sorted([*copied, *elements], key=lambda e: (e.unit.number, e.number))
    position = 0
    for parsed in ordered:
        numbered = []
        for number, text, _position in parsed.kuks:
            position += 1
            numbered.append((number, text, position))
        parsed.kuks = numbered
    return ParsedStandard(elements=ordered)
