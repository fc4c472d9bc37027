"""Spreadsheet exports (CSV and XLSX): one place, so that every export, now and later, keeps a
value a person typed from running as a formula in the spreadsheet staff open it in.

Names, notes and reasons come from applicants. A cell that starts with `=`, `+`, `-`, `@`, a tab
or a carriage return is a formula to Excel, LibreOffice and Google Sheets (`=HYPERLINK(...)`
sends whoever clicks it to another site, with data of other cells in the link). Following OWASP's
advice on CSV injection, such text gets a leading apostrophe in CSV, which spreadsheets show as
text and do not evaluate. In XLSX the cell is written as a string (openpyxl would otherwise store
text starting with `=` as a formula) marked "quote prefix", Excel's own flag for text typed with a
leading apostrophe, so it stays text when someone edits it. Numbers and dates keep their type.

Dates and times (issue 13.1): a time is written on the Asia/Jakarta clock, never as the UTC value
stored. CSV is for machines: a date stays ISO ("2026-12-02") and a time ISO with its offset
("2026-12-02T00:30:00+07:00"). XLSX is for people: a date or time is a typed cell (sortable,
filterable) shown as "2 Dec 2026" / "2 Dec 2026 00:30" (the number formats below; Excel writes
the month in its own language), the time local and without a zone (Excel has none).

Both responses stream: any number of rows in bounded memory (XLSX through openpyxl's write-only
mode into a temporary file).
"""

import csv
import datetime
import decimal
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from typing import IO, Any

from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

Cell = str | int | float | decimal.Decimal | datetime.date | datetime.datetime | None
XLSX_DATE_FORMAT = "d mmm yyyy"
XLSX_DATETIME_FORMAT = "d mmm yyyy hh:mm"


def safe_text(value: object) -> str:
    """`value` as text a spreadsheet shows and never evaluates."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _is_number_or_date(value: object) -> bool:
    return isinstance(value, int | float | decimal.Decimal | datetime.date) and not isinstance(
        value, bool
    )


def _local(value: datetime.datetime) -> datetime.datetime:
    return timezone.localtime(value) if timezone.is_aware(value) else value


def _csv_value(value: object) -> object:
    if isinstance(value, datetime.datetime):
        return _local(value).isoformat(timespec="seconds")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def _attachment(filename: str) -> str:
    return f'attachment; filename="{filename}"'  # the portal's own ASCII names


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_response(
    filename: str, header: Sequence[str], rows: Iterable[Sequence[Cell]]
) -> StreamingHttpResponse:
    """The rows as a streamed CSV download (UTF-8 with a byte-order mark, so that Excel reads
    Indonesian names right), every text cell made safe."""
    writer = csv.writer(_Echo())

    def lines() -> Iterator[str]:
        yield "\ufeff" + writer.writerow([safe_text(title) for title in header])
        for row in rows:
            yield writer.writerow(
                [
                    _csv_value(value) if _is_number_or_date(value) else safe_text(value)
                    for value in row
                ]
            )

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = _attachment(filename)
    return response


def write_xlsx(
    target: IO[bytes], header: Sequence[str], rows: Iterable[Sequence[Cell]], *, title: str
) -> None:
    """Write the rows as an XLSX workbook (one sheet named `title`, the header in bold) to
    `target`, every text cell a string."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    bold = Font(bold=True)

    def cell(value: Cell, **style: Any) -> Any:
        if isinstance(value, datetime.datetime):
            made = WriteOnlyCell(sheet, value=_local(value).replace(tzinfo=None))
            made.number_format = XLSX_DATETIME_FORMAT
        elif isinstance(value, datetime.date):
            made = WriteOnlyCell(sheet, value=value)
            made.number_format = XLSX_DATE_FORMAT
        elif _is_number_or_date(value):
            made = WriteOnlyCell(sheet, value=value)
        else:
            text = "" if value is None else str(value)
            made = WriteOnlyCell(sheet, value=text)
            made.data_type = "s"  # never a formula, whatever it starts with
            made.quotePrefix = text.startswith(FORMULA_STARTS)
        for name, setting in style.items():
            setattr(made, name, setting)
        return made

    sheet.append([cell(title_, font=bold) for title_ in header])
    for row in rows:
        sheet.append([cell(value) for value in row])
    workbook.save(target)


def xlsx_bytes(header: Sequence[str], rows: Iterable[Sequence[Cell]], *, title: str) -> bytes:
    """The rows as the bytes of an XLSX workbook (see write_xlsx), for a file kept or sent
    whole (e.g. a scheme's competency standard)."""
    with tempfile.TemporaryFile() as spool:
        write_xlsx(spool, header, rows, title=title)
        spool.seek(0)
        return spool.read()


def xlsx_response(
    filename: str, header: Sequence[str], rows: Iterable[Sequence[Cell]], *, title: str
) -> FileResponse:
    """The rows as an XLSX download (one sheet named `title`), every text cell a string."""
    spool = tempfile.TemporaryFile()
    write_xlsx(spool, header, rows, title=title)
    spool.seek(0)
    response = FileResponse(spool, content_type=XLSX)
    response["Content-Disposition"] = _attachment(filename)
    return response
