"""What citizens are shown of an agenda is kept briefly (shown.py): a rush's pages read the
slots once per agenda and second; every change made here shows at once; a view kept too long
elsewhere (another server's cache) is dropped as soon as a hold finds it wrong."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from appointments_samples import a_working_day, slot_at
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from lutetia_appointments import shown
from lutetia_appointments.models import Slot
from test_front_office import calendar_url, says, token_of

pytestmark = pytest.mark.django_db


def week_of(client, agenda, day):
    with CaptureQueriesContext(connection) as queries:
        page = client.get(calendar_url(agenda), {"from": day.isoformat()})
    assert page.status_code == 200
    slot_reads = [q["sql"] for q in queries if '"appointments_slot"' in q["sql"]]
    return page.content.decode(), slot_reads


def offered(html, slot) -> bool:
    radio = re.search(rf'<input[^>]*value="{slot.pk}"[^>]*>', html)
    assert radio, f"slot {slot.pk} is not on the page"
    return "disabled" not in radio.group(0)


def test_the_calendar_is_read_once_while_nothing_changes(client, agenda):
    day = a_working_day(agenda)
    first, reads = week_of(client, agenda, day)
    assert reads  # the slots were read
    again, reads = week_of(client, agenda, day)
    assert reads == []  # the week and the next free slot came from the cache
    assert again.count('type="radio"') == first.count('type="radio"') > 0


def test_a_hold_and_a_cancellation_show_at_once(client, agenda):
    from appointments_samples import book
    from lutetia_appointments import booking

    day = a_working_day(agenda)
    slot = slot_at(agenda, day, 9)
    Slot.objects.filter(pk=slot.pk).update(capacity=1)
    shown.changed(agenda.pk)
    html, _reads = week_of(client, agenda, day)
    assert offered(html, slot)
    appointment, _secret = book(agenda, slot)
    html, reads = week_of(client, agenda, day)
    assert reads and not offered(html, slot)
    booking.cancel(appointment, actor=None, reason="")
    html, reads = week_of(client, agenda, day)
    assert reads and offered(html, slot)


def test_closing_slots_in_the_back_office_shows_at_once(client, agenda, site_admin):
    from django.test import Client
    from django.urls import reverse

    day = a_working_day(agenda)
    slot = slot_at(agenda, day, 9)
    html, _reads = week_of(client, agenda, day)
    assert offered(html, slot)
    admin = Client()
    admin.force_login(site_admin)
    answer = admin.post(
        reverse("appointments_config:slots_bulk", args=[agenda.pk]),
        {"slots": [slot.pk], "action": "close"},
    )
    assert answer.status_code == 302
    html, _reads = week_of(client, agenda, day)
    assert f'value="{slot.pk}"' not in html  # a closed slot is not shown


def test_a_view_kept_too_long_is_dropped_when_a_hold_finds_the_slot_full(client, agenda):
    day = a_working_day(agenda)
    slot = slot_at(agenda, day, 9)
    page = client.get(calendar_url(agenda), {"from": day.isoformat()})
    assert offered(page.content.decode(), slot)
    # another server fills it: its cache is not this one's
    Slot.objects.filter(pk=slot.pk).update(booked=F("capacity"))
    html, reads = week_of(client, agenda, day)
    assert reads == [] and offered(html, slot)  # at most shown.SECONDS late
    answer = client.post(
        calendar_url(agenda), {"slot": slot.pk, "token": token_of(page), "from": day.isoformat()}
    )
    assert answer.status_code == 409
    assert says(answer, "This slot was just taken: choose another one.")
    assert not offered(answer.content.decode(), slot)  # the refusal shows it taken
    html, _reads = week_of(client, agenda, day)
    assert not offered(html, slot)  # and so does every page after it


def test_nothing_is_kept_when_seconds_is_zero(client, agenda, monkeypatch):
    monkeypatch.setattr(shown, "SECONDS", 0)
    day = a_working_day(agenda)
    week_of(client, agenda, day)
    _html, reads = week_of(client, agenda, day)
    assert reads


def grids_rendered(client, agenda, day) -> tuple[str, int]:
    """The calendar's week, and how many times the theme's slot grid was rendered for it."""
    from django.test.signals import template_rendered

    rendered = []

    def count(sender, template, **kwargs):
        if (template.name or "").endswith("components/slot_calendar.html"):
            rendered.append(template.name)

    template_rendered.connect(count)
    try:
        html, _reads = week_of(client, agenda, day)
    finally:
        template_rendered.disconnect(count)
    return html, len(rendered)


def test_the_grid_of_slots_is_rendered_once_while_nothing_changes(client, agenda):
    day = a_working_day(agenda)
    slot = slot_at(agenda, day, 9)
    first, rendered = grids_rendered(client, agenda, day)
    assert rendered == 1 and offered(first, slot)
    again, rendered = grids_rendered(client, agenda, day)
    assert rendered == 0 and grid_of(again) == grid_of(first)
    # the grid is kept with the days it shows: another week is its own grid
    other, rendered = grids_rendered(client, agenda, day + dt.timedelta(days=7))
    assert rendered == 1 and f'value="{slot.pk}"' not in other


def test_a_slot_chosen_stays_checked_on_its_page_only(client, agenda, monkeypatch):
    """A hold refused for another reason than a full slot shows the choice checked; the grid
    kept for that page is not the one other citizens see."""
    from lutetia_appointments import views

    day = a_working_day(agenda)
    slot = slot_at(agenda, day, 9)
    page = client.get(calendar_url(agenda), {"from": day.isoformat()})
    monkeypatch.setattr(views, "BOOKINGS_PER_HOUR", 0)
    refused = client.post(
        calendar_url(agenda), {"slot": slot.pk, "token": token_of(page), "from": day.isoformat()}
    )
    assert refused.status_code == 429
    assert re.search(rf'value="{slot.pk}"[^>]* checked', refused.content.decode())
    html, _reads = week_of(client, agenda, day)
    assert offered(html, slot) and " checked" not in html


def grid_of(html: str) -> str:
    return re.search(r"<fieldset.*?</fieldset>", html, re.S).group(0)


def test_the_agenda_is_read_once_until_its_configuration_changes(client, agenda):
    """An agenda, its location and service are kept under the site's generation: read once;
    any change of them (here, or in another process: the generation is in the database) is
    seen by the next page."""
    day = a_working_day(agenda)
    client.get(calendar_url(agenda), {"from": day.isoformat()})
    with CaptureQueriesContext(connection) as queries:
        page = client.get(calendar_url(agenda), {"from": day.isoformat()})
    assert page.status_code == 200
    assert not [q for q in queries if 'FROM "appointments_agenda"' in q["sql"]]

    location = agenda.location
    location.name = "Annex of the Marne"
    location.save()
    page = client.get(calendar_url(agenda), {"from": day.isoformat()})
    assert "Annex of the Marne" in page.content.decode()

    service = agenda.service
    service.enabled = False
    service.save()
    assert client.get(calendar_url(agenda)).status_code == 404
