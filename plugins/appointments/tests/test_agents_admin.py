"""The agents' screens: calendars, an appointment's page and its actions, booking on behalf of
a citizen, the printable day, the search and its exports, the statistics, and who reaches
them (the right, the workgroups)."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from appointments_samples import book, slot_at
from django.test import Client
from django.urls import reverse
from lutetia_appointments import booking
from lutetia_appointments.models import Appointment, Slot
from openpyxl import load_workbook

from lutetia.audit.models import AuditEntry
from lutetia.notify.models import OutboxMessage
from lutetia.testing.pytest_plugin import in_site_language

PERMISSION = "appointments.manage_appointments"


@pytest.fixture
def booked(desk, day):
    """Camille Martin at 09:00 on the working day."""
    appointment, _secret = book(desk, slot_at(desk, day, 9), email="camille@example.org")
    return appointment


def url(name, *args):
    return reverse(f"appointments_admin:{name}", args=args)


def text(page) -> str:
    return page.content.decode()


def shown(message: str) -> str:
    """A message as the page shows it (in the site's language, HTML-escaped)."""
    from django.utils.html import escape

    return escape(in_site_language(message))


def places_taken(booked: int, capacity: int) -> str:
    """The fill level as the calendars write it, in the site's language."""
    return shown("%(booked)s of %(capacity)s places taken") % {
        "booked": booked,
        "capacity": capacity,
    }


def beyond_capacity(count: int) -> str:
    from django.utils.translation import ngettext

    return shown(
        lambda: ngettext("%(counter)s beyond capacity", "%(counter)s beyond capacity", count)
    ) % {"counter": count}


def agent_booking(agenda, slot, agent, name="Dominique", email="dominique@example.org", **kw):
    return booking.book_for_citizen(
        agenda.service,
        slot,
        booking.Details(first_name=name, last_name="Durand", email=email),
        agent=agent,
        **kw,
    )


# --- who reaches what ----------------------------------------------------------------------------


def test_an_agent_without_the_right_gets_403_everywhere(client, agent, desk, booked):
    client.force_login(agent)
    for address in (
        url("index"),
        url("calendar", desk.pk),
        url("print", desk.pk),
        url("book", desk.pk),
        url("appointment", booked.pk),
        url("move", booked.pk),
        url("search"),
        url("export"),
        url("stats"),
    ):
        page = client.get(address)
        assert page.status_code == 403, address
        assert shown("You may not handle appointments: ask an administrator for the right.") in (
            text(page)
        )
    answer = client.post(url("cancel", booked.pk), {"reason": "no"})
    assert answer.status_code == 403
    booked.refresh_from_db()
    assert booked.status == Appointment.Status.BOOKED
    assert AuditEntry.objects.filter(action="appointments.agent_denied", outcome="denied").exists()


def test_an_anonymous_visitor_is_sent_to_sign_in(client, desk):
    answer = client.get(url("calendar", desk.pk))
    assert answer.status_code == 302
    assert "login" in answer["Location"]


def test_another_workgroups_agenda_and_appointment_answer_404_like_missing_ones(
    client, other_manager, desk, booked
):
    client.force_login(other_manager)
    missing = Appointment.objects.order_by("-pk").first().pk + 1000
    for address in (
        url("calendar", desk.pk),
        url("print", desk.pk),
        url("book", desk.pk),
        url("appointment", booked.pk),
        url("move", booked.pk),
        url("calendar", desk.pk + 1000),
        url("appointment", missing),
    ):
        assert client.get(address).status_code == 404, address
    for name in ("presence", "cancel"):
        assert client.post(url(name, booked.pk), {"presence": "arrived"}).status_code == 404
    booked.refresh_from_db()
    assert (booked.status, booked.presence) == (Appointment.Status.BOOKED, "")
    assert AuditEntry.objects.filter(
        action="appointments.access_denied", target_id=str(booked.pk)
    ).exists()
    index = text(client.get(url("index")))
    assert str(desk) not in index


def test_a_site_administrator_sees_every_workgroup(client, site_admin, desk, booked):
    client.force_login(site_admin)
    assert str(desk) in text(client.get(url("index")))
    assert client.get(url("appointment", booked.pk)).status_code == 200


def test_the_right_is_offered_to_roles(db):
    from wagtail import hooks

    offered = {
        f"{p.content_type.app_label}.{p.codename}"
        for hook in hooks.get_hooks("register_permissions")
        for p in hook()
    }
    assert PERMISSION in offered


def test_the_menu_lists_the_agents_screens(client, manager, desk):
    client.force_login(manager)
    page = client.get(reverse("wagtailadmin_home"))
    assert page.status_code == 200
    assert url("index") in text(page) and url("search") in text(page)


# --- calendars -----------------------------------------------------------------------------------


def test_the_day_view_lists_each_slot_with_its_appointments(client, manager, desk, day, booked):
    client.force_login(manager)
    page = client.get(url("calendar", desk.pk), {"date": day.isoformat()})
    assert page.status_code == 200
    body = text(page)
    # the agenda's own time (Europe/Paris), whatever the site's zone
    assert "09:00–09:20" in body and "11:40–12:00" in body
    assert "Camille Martin" in body and booked.reference in body
    # one appointment, 9 slots of 2 places
    assert places_taken(1, 18) in body
    # names were shown: the access log says who saw them
    entry = AuditEntry.objects.get(action="personal_data.view", target_id=str(desk.pk))
    assert entry.actor_id == str(manager.pk)


def test_overbooked_appointments_are_flagged_in_the_calendars(client, manager, desk, day):
    desk.service.bo_overbooking = True
    desk.service.save()
    slot = slot_at(desk, day, 10)
    agent_booking(desk, slot, manager, email="a@example.org")
    agent_booking(desk, slot, manager, email="b@example.org")
    beyond = agent_booking(desk, slot, manager, email="c@example.org", overbook=True)
    assert beyond.overbooked
    client.force_login(manager)
    body = text(client.get(url("calendar", desk.pk), {"date": day.isoformat()}))
    assert shown("overbooked") in body
    assert beyond_capacity(1) in body
    week = text(client.get(url("calendar", desk.pk), {"date": day.isoformat(), "view": "week"}))
    assert places_taken(3, 18) not in week  # two within capacity, one beyond
    assert places_taken(2, 18) in week and shown("overbooked") in week
    search = text(client.get(url("search"), {"q": beyond.reference}))
    assert shown("overbooked") in search


def test_the_week_and_month_views_give_the_fill_levels(client, manager, desk, day, booked):
    client.force_login(manager)
    week = client.get(url("calendar", desk.pk), {"date": day.isoformat(), "view": "week"})
    assert week.status_code == 200
    assert places_taken(1, 18) + " (6 %)" in text(week)
    assert booked.reference in text(week)
    month = client.get(url("calendar", desk.pk), {"date": day.isoformat(), "view": "month"})
    assert month.status_code == 200
    assert places_taken(1, 18) in text(month)
    assert places_taken(0, 18) in text(month)  # the other working days
    # previous / next keep the view
    next_month = (day.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    assert f"view=month&amp;date={next_month.isoformat()}" in text(month)


def test_the_calendar_filters_by_resource(client, manager, desk, day, booked):
    client.force_login(manager)
    other = desk.resources.exclude(pk=booked.resource_id).get()
    page = client.get(url("calendar", desk.pk), {"date": day.isoformat(), "resource": other.pk})
    assert page.status_code == 200
    assert booked.reference not in text(page)
    page = client.get(
        url("calendar", desk.pk), {"date": day.isoformat(), "resource": booked.resource_id}
    )
    assert booked.reference in text(page)


def test_a_bad_date_or_view_is_a_message_not_an_error(client, manager, desk):
    client.force_login(manager)
    page = client.get(url("calendar", desk.pk), {"date": "31/02/2026"})
    assert page.status_code == 400
    assert shown("This date could not be read: today is shown.") in text(page)
    page = client.get(url("calendar", desk.pk), {"view": "year"})
    assert page.status_code == 400
    assert client.get(url("calendar", desk.pk), {"resource": "x"}).status_code == 400
    assert client.get(url("print", desk.pk), {"date": "nope"}).status_code == 400
    assert client.get(url("stats"), {"start": "2026-05-02", "end": "2026-05-01"}).status_code == 400
    assert client.get(url("search"), {"start": "not a date"}).status_code == 400


def test_the_printable_day_lists_the_appointments_by_time(client, manager, desk, day, booked):
    later = agent_booking(desk, slot_at(desk, day, 11), manager, name="Zoé")
    earlier = agent_booking(desk, slot_at(desk, day, 10), manager, name="Yann", email="y@ex.org")
    client.force_login(manager)
    page = client.get(url("print", desk.pk), {"date": day.isoformat()})
    assert page.status_code == 200
    body = text(page)
    positions = [body.index(a.reference) for a in (booked, earlier, later)]
    assert positions == sorted(positions)
    assert "10:00–10:20" in body


# --- an appointment ------------------------------------------------------------------------------


def test_the_appointment_page_shows_everything(
    client, manager, desk, day, django_capture_on_commit_callbacks
):
    desk.service.questions = [{"key": "document", "label": "Document wanted", "type": "text"}]
    desk.service.save()
    with django_capture_on_commit_callbacks(execute=True):  # the audit entries are written
        booked, _secret = book(desk, slot_at(desk, day, 9), email="camille@example.org")
    Appointment.objects.filter(pk=booked.pk).update(answers={"document": "passport"})
    client.force_login(manager)
    page = client.get(url("appointment", booked.pk))
    assert page.status_code == 200
    body = text(page)
    for expected in (booked.reference, "Camille Martin", "camille@example.org", "Document wanted"):
        assert expected in body
    assert "passport" in body and "09:00–09:20" in body
    history = body.split('id="appointment-history"')[1]
    assert shown("Booked") in history
    assert AuditEntry.objects.filter(action="personal_data.view", target_id=str(booked.pk))


def test_an_agent_records_the_presence(
    client, manager, desk, day, booked, django_capture_on_commit_callbacks
):
    client.force_login(manager)
    calendar = url("calendar", desk.pk) + f"?date={day.isoformat()}"
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(url("presence", booked.pk), {"presence": "arrived", "next": calendar})
    assert answer.status_code == 302 and answer["Location"] == calendar
    booked.refresh_from_db()
    assert booked.presence == Appointment.Presence.ARRIVED
    answer = client.post(
        url("presence", booked.pk), {"presence": "no_show", "next": "https://evil.example/"}
    )
    assert answer["Location"] == url("appointment", booked.pk)  # never to another site
    booked.refresh_from_db()
    assert booked.presence == Appointment.Presence.NO_SHOW
    assert AuditEntry.objects.filter(action="appointments.presence", target_id=str(booked.pk))
    page = client.post(url("presence", booked.pk), {"presence": "asleep"}, follow=True)
    assert shown("Choose a presence.") in text(page)
    booked.refresh_from_db()
    assert booked.presence == Appointment.Presence.NO_SHOW
    assert client.get(url("presence", booked.pk)).status_code == 405


def test_an_agent_cancels_with_a_reason_and_the_citizen_is_told(
    client, manager, booked, django_capture_on_commit_callbacks
):
    client.force_login(manager)
    queued = OutboxMessage.objects.filter(recipient__contains="camille@example.org")
    before = queued.count()
    refused = client.post(url("cancel", booked.pk), {"reason": ""})
    assert refused.status_code == 400
    assert shown("Give the reason of the cancellation.") in text(refused)
    booked.refresh_from_db()
    assert booked.status == Appointment.Status.BOOKED and queued.count() == before

    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(url("cancel", booked.pk), {"reason": "The desk is closed."})
    assert answer.status_code == 302
    booked.refresh_from_db()
    assert booked.status == Appointment.Status.CANCELLED
    assert booked.cancel_reason == "The desk is closed."
    assert queued.count() == before + 1
    assert "The desk is closed." in queued.order_by("-pk").first().body
    assert AuditEntry.objects.filter(action="appointments.cancelled", target_id=str(booked.pk))
    slot = Slot.objects.get(agenda=booked.agenda, starts_at=booked.starts_at)
    assert slot.booked == 0
    again = client.post(url("cancel", booked.pk), {"reason": "twice"}, follow=True)
    assert shown("This appointment is not booked.") in text(again)


def test_an_agent_moves_an_appointment_to_another_slot(
    client, manager, desk, day, booked, django_capture_on_commit_callbacks
):
    client.force_login(manager)
    page = client.get(url("move", booked.pk), {"date": day.isoformat()})
    assert page.status_code == 200 and "10:00–10:20" in text(page)
    target = slot_at(desk, day, 10)
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(url("move", booked.pk), {"slot": target.pk, "date": day.isoformat()})
    assert answer.status_code == 302
    booked.refresh_from_db()
    assert booked.starts_at == target.starts_at
    assert AuditEntry.objects.filter(action="appointments.rescheduled", target_id=str(booked.pk))
    target.refresh_from_db()
    assert target.booked == 1


def test_a_move_to_a_full_slot_is_refused_unless_beyond_capacity_is_allowed(
    client, manager, desk, day, booked
):
    full = slot_at(desk, day, 11)
    agent_booking(desk, full, manager, email="a@example.org")
    agent_booking(desk, full, manager, email="b@example.org")
    client.force_login(manager)
    refused = client.post(url("move", booked.pk), {"slot": full.pk, "date": day.isoformat()})
    assert refused.status_code == 409
    assert shown("This slot was just taken: choose another one.") in text(refused)
    booked.refresh_from_db()
    assert booked.starts_at == slot_at(desk, day, 9).starts_at

    desk.service.bo_overbooking = True
    desk.service.save()
    answer = client.post(
        url("move", booked.pk), {"slot": full.pk, "date": day.isoformat(), "overbook": "on"}
    )
    assert answer.status_code == 302
    booked.refresh_from_db()
    assert booked.starts_at == full.starts_at and booked.overbooked


def test_a_move_to_a_past_or_unknown_slot_is_a_message(client, manager, desk, booked):
    client.force_login(manager)
    past = Slot.objects.create(
        agenda=desk,
        starts_at=dt.datetime(2020, 1, 7, 9, tzinfo=dt.UTC),
        ends_at=dt.datetime(2020, 1, 7, 9, 20, tzinfo=dt.UTC),
        day=dt.date(2020, 1, 7),
        capacity=2,
    )
    for value in (past.pk, "abc", 999999):
        page = client.post(url("move", booked.pk), {"slot": value})
        assert page.status_code == 400
        assert shown("This slot cannot be chosen: choose another one.") in text(page)


# --- booking on behalf of a citizen ------------------------------------------------------------


def book_form(slot, **extra):
    return {"slot": slot.pk, "first_name": "Hugo", "last_name": "Lefèvre", **extra}


def test_an_agent_books_on_behalf_of_a_citizen(client, manager, desk, day):
    client.force_login(manager)
    page = client.get(url("book", desk.pk), {"date": day.isoformat()})
    assert page.status_code == 200
    assert 'name="overbook"' not in text(page)  # the service does not allow it
    slot = slot_at(desk, day, 9, 20)
    answer = client.post(
        url("book", desk.pk), book_form(slot, email="hugo@example.org", phone="0601020304")
    )
    assert answer.status_code == 302
    appointment = Appointment.objects.get(last_name="Lefèvre")
    assert answer["Location"] == url("appointment", appointment.pk)
    assert appointment.status == Appointment.Status.BOOKED
    assert appointment.booked_by == manager and not appointment.overbooked
    assert appointment.starts_at == slot.starts_at
    assert OutboxMessage.objects.filter(recipient__contains="hugo@example.org").count() == 1


def test_a_booking_for_a_citizen_with_an_account_is_in_their_appointments(
    client, manager, desk, day, citizen, other_citizen
):
    """The address the agent types, verified by an account, links the appointment to it."""
    from allauth.account.models import EmailAddress

    client.force_login(manager)
    slot = slot_at(desk, day, 9, 20)
    answer = client.post(url("book", desk.pk), book_form(slot, email="CITIZEN@example.org"))
    assert answer.status_code == 302
    linked = Appointment.objects.get(starts_at=slot.starts_at, status=Appointment.Status.BOOKED)
    assert linked.owner == citizen
    EmailAddress.objects.filter(user=other_citizen).update(verified=False)
    other = slot_at(desk, day, 9, 40)
    client.post(url("book", desk.pk), book_form(other, email="other.citizen@example.org"))
    unlinked = Appointment.objects.get(starts_at=other.starts_at, status=Appointment.Status.BOOKED)
    assert unlinked.owner is None  # an address its account never verified

    browser = Client()  # the citizen's own browser
    browser.force_login(citizen)
    page = text(browser.get(reverse("appointments:mine")))
    assert linked.reference in page and unlinked.reference not in page
    assert browser.get(reverse("appointments:appointment", args=[linked.uid])).status_code == 200


def test_an_agent_books_a_slot_too_soon_for_citizens(client, manager, desk):
    """No notice nor horizon for agents: any future slot."""
    desk.service.horizon_days = 1
    desk.service.save()
    far = Slot.objects.filter(agenda=desk, day__gt=dt.date.today() + dt.timedelta(days=20)).first()
    client.force_login(manager)
    answer = client.post(url("book", desk.pk), book_form(far, date=far.day.isoformat()))
    assert answer.status_code == 302
    assert Appointment.objects.get(last_name="Lefèvre").starts_at == far.starts_at


def test_booking_beyond_capacity_when_the_service_allows_it(client, manager, desk, day):
    full = slot_at(desk, day, 11)
    agent_booking(desk, full, manager, email="a@example.org")
    agent_booking(desk, full, manager, email="b@example.org")
    client.force_login(manager)

    refused = client.post(url("book", desk.pk), book_form(full, overbook="on"))
    assert refused.status_code == 409
    assert shown("This slot was just taken: choose another one.") in text(refused)
    assert not Appointment.objects.filter(last_name="Lefèvre").exists()

    desk.service.bo_overbooking = True
    desk.service.save()
    assert 'name="overbook"' in text(client.get(url("book", desk.pk)))
    refused = client.post(url("book", desk.pk), book_form(full))
    assert refused.status_code == 409
    answer = client.post(url("book", desk.pk), book_form(full, overbook="on"), follow=True)
    appointment = Appointment.objects.get(last_name="Lefèvre")
    assert appointment.overbooked
    assert shown("overbooked") in text(answer)
    full.refresh_from_db()
    assert (full.booked, full.overbooked) == (2, 1)


def test_a_booking_form_with_missing_details_is_a_message(client, manager, desk, day):
    client.force_login(manager)
    page = client.post(url("book", desk.pk), {"slot": slot_at(desk, day, 9).pk})
    assert page.status_code == 400
    assert not Appointment.objects.exists()
    page = client.post(url("book", desk.pk), book_form(slot_at(desk, day, 9), email="nope"))
    assert page.status_code == 400


# --- search and exports ------------------------------------------------------------------------


def test_the_search_finds_by_reference_name_and_email(client, manager, other_manager, desk, day):
    camille, _s = book(desk, slot_at(desk, day, 9), email="camille@example.org")
    other = agent_booking(desk, slot_at(desk, day, 10), manager, name="Dominique")
    client.force_login(manager)

    def found(**params):
        page = client.get(url("search"), params)
        assert page.status_code == 200
        # the table only: the search box and the export form repeat what was searched
        table = text(page).split('id="appointments-found"')[1].split("</table>")[0]
        return set(re.findall(r"CNI-[A-Z0-9]{8}", table))

    assert found(q=camille.reference.lower()) == {camille.reference}
    assert found(q="DOMINIQUE") == {other.reference}
    assert found(q="camille@example") == {camille.reference}
    assert found() == {camille.reference, other.reference}
    assert found(status="cancelled") == set()
    assert found(agenda=desk.pk, start=day.isoformat(), end=day.isoformat()) == {
        camille.reference,
        other.reference,
    }
    assert found(start=(day + dt.timedelta(days=1)).isoformat()) == set()

    client.force_login(other_manager)
    assert found(q=camille.reference) == set()


def test_the_csv_export_holds_the_filtered_appointments(client, manager, desk, day, booked):
    other = agent_booking(desk, slot_at(desk, day, 10), manager, name="=HYPERLINK(1)")
    client.force_login(manager)
    answer = client.get(url("export"), {"format": "csv", "q": "camille"})
    assert answer.status_code == 200
    assert answer["Content-Type"].startswith("text/csv")
    lines = b"".join(answer.streaming_content).decode("utf-8-sig").splitlines()
    assert len(lines) == 2
    assert booked.reference in lines[1] and "Camille" in lines[1]
    assert f"{day.isoformat()} 09:00" in lines[1]  # the agenda's time
    assert other.reference not in "".join(lines)
    entry = AuditEntry.objects.get(action="personal_data.export")
    assert '"count": 1' in entry.details or '"count":1' in entry.details

    every = client.get(url("export"), {"format": "csv"})
    text_ = b"".join(every.streaming_content).decode("utf-8-sig")
    assert "'=HYPERLINK(1)" in text_  # a formula is neutralised


def test_the_xlsx_export_opens_with_openpyxl(client, manager, desk, day, booked):
    client.force_login(manager)
    answer = client.get(url("export"), {"format": "xlsx"})
    assert answer.status_code == 200
    workbook = load_workbook(io.BytesIO(b"".join(answer.streaming_content)))
    sheet = workbook.active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 2
    assert booked.reference in rows[1]
    assert dt.datetime.combine(day, dt.time(9, 0)) in rows[1]


def test_an_export_with_bad_filters_is_refused_with_a_message(client, manager, desk):
    client.force_login(manager)
    answer = client.get(url("export"), {"format": "pdf"})
    assert answer.status_code == 400
    assert shown("The export could not be made: check the filters and format.") in text(answer)
    assert not AuditEntry.objects.filter(action="personal_data.export").exists()


def test_another_workgroups_export_holds_none_of_ours(client, other_manager, booked):
    client.force_login(other_manager)
    answer = client.get(url("export"), {"format": "csv"})
    lines = b"".join(answer.streaming_content).decode("utf-8-sig").splitlines()
    assert len(lines) == 1


# --- statistics --------------------------------------------------------------------------------


def test_the_statistics_on_a_known_data_set(client, manager, desk, day):
    """One day, 9 slots × 2 places = 18. Four bookings, one cancelled: 3 places taken (16.7 %);
    one arrived, one did not come (50 %); booked 2 and 4 days ahead (3 days on average)."""
    appointments = [
        agent_booking(desk, slot_at(desk, day, 9), manager, email="a@example.org"),
        agent_booking(desk, slot_at(desk, day, 9, 20), manager, email="b@example.org"),
        agent_booking(desk, slot_at(desk, day, 10), manager, email="c@example.org"),
        agent_booking(desk, slot_at(desk, day, 10, 20), manager, email="d@example.org"),
    ]
    first, second, third, fourth = appointments
    for appointment, days_ahead in ((first, 2), (second, 4), (third, 3)):
        Appointment.objects.filter(pk=appointment.pk).update(
            booked_at=appointment.starts_at - dt.timedelta(days=days_ahead)
        )
    booking.set_presence(first, "arrived", actor=manager)
    booking.set_presence(second, "no_show", actor=manager)
    booking.cancel(fourth, actor=manager, reason="moved away", by_citizen=False)
    Appointment.objects.filter(pk=third.pk).update(booked_at=third.starts_at - dt.timedelta(days=3))

    client.force_login(manager)
    page = client.get(url("stats"), {"start": day.isoformat(), "end": day.isoformat()})
    assert page.status_code == 200
    row = re.search(rf'<tr data-agenda="{desk.pk}">(.*?)</tr>', text(page), re.S).group(1)
    cells = [c.strip() for c in re.findall(r"<td>(.*?)</td>", row, re.S)]
    # places, taken, fill rate, beyond, appointments, cancellations, arrived, no-show, rate, lead
    assert cells[0:2] == ["18", "3"]
    assert cells[2].replace(",", ".") == "16.7 %"
    assert cells[3:8] == ["0", "3", "1", "1", "1"]
    assert cells[8].replace(",", ".") == "50.0 %"
    assert cells[9].replace(",", ".") == "3.0"

    from lutetia_appointments import stats

    _rows, total = stats.figures([desk], day, day)
    assert total.per_day == {day: 3}
    assert total.lead_time == dt.timedelta(days=3)


def test_the_statistics_hold_only_the_agents_workgroups(client, other_manager, desk, booked):
    client.force_login(other_manager)
    page = client.get(url("stats"))
    assert page.status_code == 200
    assert f'data-agenda="{desk.pk}"' not in text(page)
