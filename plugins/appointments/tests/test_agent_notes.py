"""Agents' notes on an agenda's calendar: written for a day or a period, shown on the days
they cover (day, week, month, printed list), changed and deleted by the agenda's agents only,
checked at the edge, logged without their words, purged with the service's retention."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils.html import escape
from django.utils.translation import ngettext
from lutetia_appointments import retention
from lutetia_appointments.models import AgendaNote
from test_agents_admin import PERMISSION, shown, text, url

from lutetia.audit.models import AuditEntry
from lutetia.testing.pytest_plugin import grant, in_site_language

pytestmark = pytest.mark.django_db

NOTE = "Desk 2 under repair: one desk only"
TOO_LONG = (
    "Ensure this value has at most %(limit_value)d character (it has %(show_value)d).",
    "Ensure this value has at most %(limit_value)d characters (it has %(show_value)d).",
)
LENGTHS = {"limit_value": 1000, "show_value": 1001}


def write(client, desk, data, **query):
    return client.post(
        url("note_add", desk.pk)
        + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else ""),
        data,
    )


def calendar(client, desk, day, view="day"):
    page = client.get(url("calendar", desk.pk), {"date": day.isoformat(), "view": view})
    assert page.status_code == 200
    return text(page)


def test_a_note_for_a_period_shows_on_each_day_it_covers(
    client, manager, desk, day, django_capture_on_commit_callbacks
):
    client.force_login(manager)
    form = client.get(url("note_add", desk.pk), {"date": day.isoformat()})
    assert form.status_code == 200
    assert f'value="{day.isoformat()}"' in text(form)  # the day it was asked from
    last = day + dt.timedelta(days=2)
    with django_capture_on_commit_callbacks(execute=True):
        answer = write(
            client,
            desk,
            {"starts_on": day.isoformat(), "ends_on": last.isoformat(), "text": f"  {NOTE}  "},
        )
    assert answer.status_code == 302
    assert answer["Location"].endswith(f"?view=day&date={day.isoformat()}")
    note = AgendaNote.objects.get()
    assert (note.text, note.author, note.starts_on, note.ends_on) == (NOTE, manager, day, last)

    for covered in (day, day + dt.timedelta(days=1), last):
        assert NOTE in calendar(client, desk, covered)
    assert NOTE not in calendar(client, desk, last + dt.timedelta(days=1))
    assert NOTE not in calendar(client, desk, day - dt.timedelta(days=1))
    assert NOTE in calendar(client, desk, day, "week")
    month = calendar(client, desk, day, "month")
    assert NOTE not in month and shown("%(counter)s note") % {"counter": 1} in month
    printed = text(client.get(url("print", desk.pk), {"date": last.isoformat()}))
    assert NOTE in printed
    # and on the page of an appointment of those days, not of another
    from appointments_samples import book, slot_at

    covered, _secret = book(desk, slot_at(desk, day, 9), email="a@example.org")
    assert NOTE in text(client.get(url("appointment", covered.pk)))
    after = day + dt.timedelta(days=7)
    other, _secret = book(desk, slot_at(desk, after, 9), email="b@example.org")
    assert NOTE not in text(client.get(url("appointment", other.pk)))

    entry = AuditEntry.objects.get(action="appointments.note_added")
    assert entry.actor_id == str(manager.pk) and entry.target_id == str(note.pk)
    assert "repair" not in entry.target_label and "repair" not in entry.details


def test_a_note_of_one_day_needs_only_its_start(client, manager, desk, day):
    client.force_login(manager)
    assert write(client, desk, {"starts_on": day.isoformat(), "text": NOTE}).status_code == 302
    note = AgendaNote.objects.get()
    assert note.starts_on == note.ends_on == day
    assert NOTE not in calendar(client, desk, day + dt.timedelta(days=1))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"starts_on": "2030-03-04", "ends_on": "2030-03-01", "text": NOTE},
            "The end of the period is before its start.",
        ),
        (
            {"starts_on": "2030-01-01", "ends_on": "2031-06-01", "text": NOTE},
            "Choose a period of %(days)s days at most.",
        ),
        ({"starts_on": "2030-03-04", "text": "   "}, "This field is required."),
        ({"starts_on": "next week", "text": NOTE}, "Enter a valid date."),
        ({"starts_on": "2030-03-04", "text": "x" * 1001}, "too long"),
    ],
)
def test_bad_input_is_refused_with_a_message_and_nothing_written(
    client, manager, desk, data, message
):
    client.force_login(manager)
    answer = write(client, desk, data)
    assert answer.status_code == 400
    if message == "too long":  # Django's own message, a plural
        expected = escape(in_site_language(lambda: ngettext(*TOO_LONG, 1000) % LENGTHS))
    else:
        expected = shown(message) % {"days": 366}
    assert expected in text(answer)
    assert not AgendaNote.objects.exists()


def test_a_note_is_changed_and_deleted_by_the_agendas_agents(
    client, manager, agent_other_workgroup, desk, day, django_capture_on_commit_callbacks
):
    note = AgendaNote.objects.create(agenda=desk, starts_on=day, ends_on=day, text=NOTE)
    colleague = Client()
    colleague.force_login(manager)
    with django_capture_on_commit_callbacks(execute=True):
        answer = colleague.post(
            url("note", note.pk), {"starts_on": day.isoformat(), "text": "Both desks open"}
        )
    assert answer.status_code == 302
    note.refresh_from_db()
    assert note.text == "Both desks open"
    assert "Both desks open" in calendar(colleague, desk, day)

    # another workgroup's agent reaches none of it
    other = Client()
    other.force_login(grant(agent_other_workgroup, PERMISSION))
    assert other.get(url("note", note.pk)).status_code == 404
    assert (
        other.post(url("note", note.pk), {"starts_on": day.isoformat(), "text": "x"}).status_code
        == 404
    )
    assert other.post(url("note_delete", note.pk)).status_code == 404
    assert other.get(url("note_add", desk.pk)).status_code == 404
    note.refresh_from_db()
    assert note.text == "Both desks open"

    assert colleague.get(url("note_delete", note.pk)).status_code == 405  # a POST only
    with django_capture_on_commit_callbacks(execute=True):
        answer = colleague.post(url("note_delete", note.pk))
    assert answer.status_code == 302
    assert not AgendaNote.objects.exists()
    assert "Both desks open" not in calendar(colleague, desk, day)
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"appointments.note_changed", "appointments.note_deleted"} <= actions


def test_agents_without_the_right_and_citizens_see_no_note(client, agent, citizen, desk, day):
    AgendaNote.objects.create(agenda=desk, starts_on=day, ends_on=day, text=NOTE)
    client.force_login(agent)  # in the workgroup, without the right
    assert client.get(url("note_add", desk.pk)).status_code == 403
    client.force_login(citizen)
    from test_front_office import calendar_url

    page = client.get(calendar_url(desk), {"from": day.isoformat()})
    assert page.status_code == 200 and NOTE not in text(page)


def test_notes_that_ended_are_purged_with_the_services_retention(desk, day):
    desk.service.retention_days = 30
    desk.service.save()
    old = AgendaNote.objects.create(agenda=desk, starts_on=day, ends_on=day, text="old")
    running = AgendaNote.objects.create(
        agenda=desk, starts_on=day, ends_on=day + dt.timedelta(days=40), text="running"
    )
    later = dt.datetime.combine(day + dt.timedelta(days=35), dt.time(12), tzinfo=dt.UTC)
    assert retention.apply_retention(later) == 1
    assert list(AgendaNote.objects.all()) == [running]
    assert not AgendaNote.objects.filter(pk=old.pk).exists()
