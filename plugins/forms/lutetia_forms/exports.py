"""Exports of a processing list: CSV streamed row by row, XLSX written in openpyxl's write-only
mode. Neither holds the list in memory: rows come from ``.iterator(chunk_size=2000)``.

Callable without a request (``bench/forms.py`` measures their peak memory on 100,000 rows)::

    from lutetia_forms import exports, listing

    columns = listing.export_columns(definition, form=True)
    with open("out.csv", "w", encoding="utf-8", newline="") as out:
        exports.write_csv(queryset, columns, out)
    exports.write_xlsx(queryset, columns, "out.xlsx")

Every text cell is guarded against formula injection: a spreadsheet runs a cell that starts
with ``=``, ``+``, ``-`` or ``@`` (and some take a leading tab or carriage return the same
way), so a citizen's answer could run a formula on the agent's computer. Such a cell gets a
leading apostrophe; numbers, dates and times are written as themselves.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime, time
from decimal import Decimal
from typing import IO, Any

from django.db.models import QuerySet
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from .listing import Column, page_queryset

CHUNK_SIZE = 2000
#: what makes a spreadsheet read a cell as a formula (or a command, for the last two)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"
#: XLSX limits a cell to this many characters
XLSX_CELL_LIMIT = 32767
DELIMITERS = {"comma": ",", "semicolon": ";"}


def neutralised(value: Any) -> Any:
    """A text that a spreadsheet would run as a formula, made plain text; anything else as is."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def export_queryset(queryset: QuerySet, columns: Sequence[Column]) -> QuerySet:
    """``queryset`` reading only the columns' fields, newest first (the list's order)."""
    return page_queryset(queryset, columns).order_by("-submitted_at", "-pk")


def rows(queryset: QuerySet, columns: Sequence[Column]) -> Iterator[list[Any]]:
    """One list of typed, guarded cells per response, from a server-side cursor."""
    for response in export_queryset(queryset, columns).iterator(chunk_size=CHUNK_SIZE):
        yield [neutralised(column.cell(response)) for column in columns]


def header(columns: Iterable[Column]) -> list[str]:
    return [neutralised(str(column.label)) for column in columns]


# --- CSV -------------------------------------------------------------------------------------


def _csv_text(value: Any) -> Any:
    """A cell as CSV writes it: datetimes without seconds, dates in ISO, the rest as is."""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date | time):
        return value.isoformat()
    if value is None:
        return ""
    return value


class _Line:
    """A file-like object ``csv.writer`` writes one line to, read back at once."""

    def __init__(self):
        self.text = ""

    def write(self, text: str) -> None:
        self.text = text


def csv_lines(
    queryset: QuerySet, columns: Sequence[Column], *, delimiter: str = ",", bom: bool = True
) -> Iterator[str]:
    """The CSV text, line by line: the header first (after a byte-order mark, so that Excel
    reads UTF-8), then one line per response."""
    line = _Line()
    writer = csv.writer(line, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header(columns))
    yield (BOM if bom else "") + line.text
    for cells in rows(queryset, columns):
        writer.writerow([_csv_text(cell) for cell in cells])
        yield line.text


def write_csv(
    queryset: QuerySet,
    columns: Sequence[Column],
    out: IO[str],
    *,
    delimiter: str = ",",
    bom: bool = True,
) -> int:
    """Write the CSV to the text stream ``out`` (opened with ``newline=""``); return the
    number of responses written."""
    lines = csv_lines(queryset, columns, delimiter=delimiter, bom=bom)
    out.write(next(lines))  # the header
    count = 0
    for text in lines:
        out.write(text)
        count += 1
    return count


def stream_csv(
    queryset: QuerySet, columns: Sequence[Column], *, delimiter: str = ","
) -> Iterator[bytes]:
    """The CSV as UTF-8 bytes, in chunks of about 64 KB (what a streaming response sends)."""
    buffer: list[str] = []
    size = 0
    for text in csv_lines(queryset, columns, delimiter=delimiter):
        buffer.append(text)
        size += len(text)
        if size >= 65536:
            yield "".join(buffer).encode("utf-8")
            buffer, size = [], 0
    if buffer:
        yield "".join(buffer).encode("utf-8")


# --- XLSX ------------------------------------------------------------------------------------

DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"


def _xlsx_value(value: Any) -> Any:
    """A cell openpyxl types itself: int, float, date, datetime stay; text is cut to Excel's
    limit; a Decimal becomes a float (Excel's numbers are floats)."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, bool) or value is None:
        return "" if value is None else value
    if isinstance(value, int | float | date | time):
        return value
    text = str(value)
    return text[:XLSX_CELL_LIMIT]


def _xlsx_cell(sheet, value: Any) -> Any:
    """Dates and datetimes get a readable number format; the rest goes in raw (text was
    guarded by `neutralised`: openpyxl would take a text starting with "=" for a formula)."""
    value = _xlsx_value(value)
    if isinstance(value, datetime):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = DATETIME_FORMAT
        return cell
    if isinstance(value, date):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = DATE_FORMAT
        return cell
    return value


def write_xlsx(
    queryset: QuerySet, columns: Sequence[Column], out: str | IO[bytes], *, title: str = ""
) -> int:
    """Write the XLSX workbook to ``out`` (a path or a binary file); return the number of
    responses written. Write-only mode: each row goes to openpyxl's temporary file as it is
    appended, strings inline, so memory stays flat whatever the number of rows."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=_sheet_title(title))
    bold = Font(bold=True)
    titles = []
    for label in header(columns):
        cell = WriteOnlyCell(sheet, value=label)
        cell.font = bold
        titles.append(cell)
    sheet.append(titles)
    sheet.freeze_panes = "A2"
    count = 0
    for cells in rows(queryset, columns):
        sheet.append([_xlsx_cell(sheet, cell) for cell in cells])
        count += 1
    workbook.save(out)
    return count


def _sheet_title(title: str) -> str:
    """A sheet title Excel accepts: 31 characters at most, none of ``[]:*?/\\``."""
    cleaned = "".join(" " if char in "[]:*?/\\" else char for char in title).strip()
    return cleaned[:31] or "Responses"
