"""Exports of the agents' search: CSV streamed line by line, XLSX in openpyxl's write-only mode.
Neither holds the list in memory: rows come from ``.iterator(chunk_size=2000)``.

Times are written in each agenda's own time zone, as agents read them. A text cell that a
spreadsheet would run as a formula (``=``, ``+``, ``-``, ``@``, tab, carriage return first)
gets a leading apostrophe: a citizen's name or answer must not run on the agent's computer.
"""

from __future__ import annotations

import csv
import datetime as dt
import zoneinfo
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import IO, Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from . import questions
from .models import Appointment

CHUNK_SIZE = 2000
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"
XLSX_CELL_LIMIT = 32767
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"


def neutralised(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _local(value: dt.datetime | None, appointment: Appointment) -> dt.datetime | None:
    """The instant in the agenda's zone, without its zone (what a spreadsheet shows)."""
    if value is None:
        return None
    return value.astimezone(zoneinfo.ZoneInfo(appointment.agenda.time_zone)).replace(tzinfo=None)


def _answers(appointment: Appointment) -> str:
    lines = questions.readable(appointment.service.questions or [], appointment.answers or {})
    return "\n".join(f"{label}: {value}" for label, value in lines)


def _agent(user) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.email


@dataclass(frozen=True)
class Column:
    label: Any
    cell: Callable[[Appointment], Any]


COLUMNS = (
    Column(_("Reference"), lambda a: a.reference),
    Column(_("Status"), lambda a: str(a.get_status_display())),
    Column(_("Service"), lambda a: a.service.title),
    Column(_("Agenda"), lambda a: str(a.agenda)),
    Column(_("Starts at"), lambda a: _local(a.starts_at, a)),
    Column(_("Ends at"), lambda a: _local(a.ends_at, a)),
    Column(_("People"), lambda a: a.people),
    Column(_("First name"), lambda a: a.first_name),
    Column(_("Last name"), lambda a: a.last_name),
    Column(_("E-mail"), lambda a: a.email),
    Column(_("Phone"), lambda a: a.phone),
    Column(_("Resource"), lambda a: a.resource.name if a.resource_id else ""),
    Column(_("Presence"), lambda a: str(a.get_presence_display()) if a.presence else ""),
    Column(_("Overbooked"), lambda a: str(_("yes")) if a.overbooked else ""),
    Column(_("Booked by agent"), lambda a: _agent(a.booked_by)),
    Column(_("Booked at"), lambda a: _local(a.booked_at, a)),
    Column(_("Cancelled at"), lambda a: _local(a.cancelled_at, a)),
    Column(_("Reason"), lambda a: a.cancel_reason),
    Column(_("Answers"), _answers),
)


def rows(queryset: QuerySet) -> Iterator[list[Any]]:
    """One list of guarded cells per appointment, from a server-side cursor."""
    queryset = queryset.select_related(
        "service", "agenda", "agenda__location", "agenda__service", "resource", "booked_by"
    ).order_by("starts_at", "pk")
    for appointment in queryset.iterator(chunk_size=CHUNK_SIZE):
        yield [neutralised(column.cell(appointment)) for column in COLUMNS]


def header() -> list[str]:
    return [neutralised(str(column.label)) for column in COLUMNS]


# --- CSV -------------------------------------------------------------------------------------


class _Line:
    def __init__(self):
        self.text = ""

    def write(self, text: str) -> None:
        self.text = text


def _csv_text(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    return "" if value is None else value


def csv_lines(queryset: QuerySet, *, delimiter: str = ",") -> Iterator[str]:
    """The header (after a byte-order mark, for Excel), then one line per appointment."""
    line = _Line()
    writer = csv.writer(line, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header())
    yield BOM + line.text
    for cells in rows(queryset):
        writer.writerow([_csv_text(cell) for cell in cells])
        yield line.text


def stream_csv(queryset: QuerySet, *, delimiter: str = ",") -> Iterator[bytes]:
    """The CSV as UTF-8 bytes in chunks of about 64 KB."""
    buffer: list[str] = []
    size = 0
    for text in csv_lines(queryset, delimiter=delimiter):
        buffer.append(text)
        size += len(text)
        if size >= 65536:
            yield "".join(buffer).encode("utf-8")
            buffer, size = [], 0
    if buffer:
        yield "".join(buffer).encode("utf-8")


# --- XLSX ------------------------------------------------------------------------------------


def _xlsx_cell(sheet, value: Any) -> Any:
    if isinstance(value, dt.datetime):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = DATETIME_FORMAT
        return cell
    if value is None:
        return ""
    if isinstance(value, int | float):
        return value
    return str(value)[:XLSX_CELL_LIMIT]


def write_xlsx(queryset: QuerySet, out: str | IO[bytes], *, title: str = "") -> int:
    """Write the workbook to ``out`` (a path or a binary file); the number of rows written."""
    workbook = Workbook(write_only=True)
    cleaned = "".join(" " if char in "[]:*?/\\" else char for char in title).strip()
    sheet = workbook.create_sheet(title=cleaned[:31] or "Appointments")
    bold = Font(bold=True)
    titles = []
    for label in header():
        cell = WriteOnlyCell(sheet, value=label)
        cell.font = bold
        titles.append(cell)
    sheet.append(titles)
    sheet.freeze_panes = "A2"
    count = 0
    for cells in rows(queryset):
        sheet.append([_xlsx_cell(sheet, cell) for cell in cells])
        count += 1
    workbook.save(out)
    return count
