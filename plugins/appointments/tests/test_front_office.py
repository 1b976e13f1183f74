"""The citizen's side of Appointments through the Django test client (pages as they come, without
JavaScript): from the list of services to the booking, its confirmation and .ics, managing it from
the e-mail's link or "My appointments", the waiting list, and every bad input refused clearly."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo

import pytest
from appointments_samples import PARIS, a_working_day, book, identity_cards, slot_at
from django.contrib.sessions.models import Session
from django.db.models import F
from django.test import Client
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from icalendar import Calendar
from lutetia_appointments import booking, views, waiting
from lutetia_appointments.models import Appointment, Slot, WaitingEntry

from lutetia.audit.models import AuditEntry
from lutetia.notify.models import OutboxMessage
from lutetia.testing.pytest_plugin import in_site_language

pytestmark = pytest.mark.django_db

INDEX = "/services/appointments/"


def calendar_url(agenda) -> str:
    return f"{INDEX}{agenda.service.slug}/{agenda.uid}/"


def text_of(response) -> str:
    """The page's main content as text (tags taken out, spaces folded)."""
    html = response.content.decode()
    main = html[html.find("<main") : html.find("</main>")]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main)).replace("\xa0", " ")


def says(response, message) -> bool:
    """The page shows ``message`` (a text, or a function making it) in the site's language."""
    found = in_site_language(message)
    assert found in response.content.decode().replace("&#x27;", "'"), text_of(response)
    return True


def token_of(response) -> str:
    return re.search(r'name="token" value="([^"]+)"', response.content.decode()).group(1)


def hold_page(client, agenda, slot, **extra):
    """The calendar shown, then ``slot`` chosen on it: the POST's response."""
    page = client.get(calendar_url(agenda))
    assert page.status_code == 200
    return client.post(
        calendar_url(agenda), {"slot": slot.pk, "token": token_of(page), "people": 1, **extra}
    )


DETAILS = {"first_name": "Camille", "last_name": "Martin", "email": "camille@example.org"}


def held_in(response) -> Appointment:
    uid = re.search(r"/h/([0-9a-f-]{36})/", response["Location"]).group(1)
    return Appointment.objects.get(uid=uid)


def book_through_pages(client, agenda, slot, details=None) -> Appointment:
    held = held_in(hold_page(client, agenda, slot))
    answer = client.post(f"{INDEX}h/{held.uid}/", details or DETAILS)
    assert answer.status_code == 302, text_of(answer)
    answer = client.post(f"{INDEX}h/{held.uid}/summary/")
    assert answer.status_code == 302, text_of(answer)
    assert answer["Location"] == f"{INDEX}a/{held.uid}/"
    held.refresh_from_db()
    return held


def local_time(slot) -> str:
    return in_site_language(
        lambda: formats.time_format(slot.starts_at.astimezone(PARIS), "TIME_FORMAT")
    )


# --- the whole path ----------------------------------------------------------------------------


def test_an_anonymous_citizen_books_from_the_list_of_services_to_the_confirmation(
    client, default_site, agenda
):
    index = client.get(INDEX)
    assert index.status_code == 200
    assert "Identity card" in text_of(index) and "Identity papers" in text_of(index)

    # One place: the service's page goes straight on to its calendar.
    service = client.get(f"{INDEX}identity-card/")
    assert service.status_code == 302 and service["Location"] == calendar_url(agenda)

    day = a_working_day(agenda)
    slot = slot_at(agenda, day, 9, 20)
    page = client.get(calendar_url(agenda), {"from": day.isoformat()})
    assert page.status_code == 200
    html = page.content.decode()
    # A plain form, radio buttons, a button: it works without JavaScript.
    assert 'method="post"' in html and 'type="radio" name="slot"' in html
    assert f'value="{slot.pk}"' in html
    assert local_time(slot) in text_of(page)
    assert says(page, "Next available slot:")

    answer = client.post(calendar_url(agenda), {"slot": slot.pk, "token": token_of(page)})
    assert answer.status_code == 302
    held = held_in(answer)
    assert held.status == Appointment.Status.HELD and held.starts_at == slot.starts_at
    slot.refresh_from_db()
    assert slot.booked == 1
    # The browser is told which holds are its own in a signed cookie: no session row is
    # written for an anonymous citizen (a rush of thousands leaves none behind).
    cookie = answer.cookies["lutetia_held"]
    assert cookie["httponly"] and cookie["path"] == INDEX and cookie["samesite"] == "Lax"
    assert not Session.objects.exists()

    details = client.get(f"{INDEX}h/{held.uid}/")
    assert details.status_code == 200
    until = in_site_language(
        lambda: formats.time_format(held.hold_expires_at.astimezone(PARIS), "TIME_FORMAT")
    )
    assert until in text_of(details)  # "Your slot is kept until 10:42", as text
    assert "data-hold-remaining" in details.content.decode()

    # Sent empty: the page comes back with its errors, nothing stored.
    empty = client.post(f"{INDEX}h/{held.uid}/", {})
    assert empty.status_code == 400
    assert "data-lutetia-error-summary" in empty.content.decode()

    answer = client.post(f"{INDEX}h/{held.uid}/", {**DETAILS, "phone": "06 12 34 56 78"})
    assert answer.status_code == 302 and answer["Location"] == f"{INDEX}h/{held.uid}/summary/"
    summary = client.get(answer["Location"])
    assert summary.status_code == 200
    assert "Camille Martin" in text_of(summary) and "06 12 34 56 78" in text_of(summary)
    assert f"{INDEX}h/{held.uid}/" in summary.content.decode()  # "change" link
    held.refresh_from_db()
    assert held.status == Appointment.Status.HELD  # nothing booked before "Confirm"

    answer = client.post(f"{INDEX}h/{held.uid}/summary/")
    assert answer.status_code == 302 and answer["Location"] == f"{INDEX}a/{held.uid}/"
    held.refresh_from_db()
    assert held.status == Appointment.Status.BOOKED
    assert held.email == "camille@example.org" and held.owner is None
    confirmation = client.get(answer["Location"])
    assert confirmation.status_code == 200
    text = text_of(confirmation)
    assert held.reference in text and "Town hall" in text and "1 place de la Mairie" in text
    assert "Bring a photo and proof of address." in text
    assert local_time(slot) in text
    assert f"{INDEX}a/{held.uid}/calendar.ics" in confirmation.content.decode()
    mail = OutboxMessage.objects.get(source=f"appointments:{held.pk}")
    assert "/services/appointments/m/" in mail.body

    ics = client.get(f"{INDEX}a/{held.uid}/calendar.ics")
    assert ics.status_code == 200 and ics["Content-Type"].startswith("text/calendar")
    event = Calendar.from_ical(ics.content).walk("VEVENT")[0]
    assert event.decoded("dtstart") == slot.starts_at
    assert held.reference in str(event["summary"])


def test_a_signed_in_citizen_books_and_finds_it_in_my_appointments(client, citizen, agenda):
    client.force_login(citizen)
    slot = slot_at(agenda, a_working_day(agenda), 10)
    held = held_in(hold_page(client, agenda, slot))
    assert held.owner == citizen
    details = client.get(f"{INDEX}h/{held.uid}/")
    assert f'value="{citizen.email}"' in details.content.decode()  # prefilled from the account
    assert "captcha" not in details.content.decode()
    booked = book_through_pages(
        client, agenda, slot_at(agenda, a_working_day(agenda), 11), {**DETAILS}
    )
    assert booked.status == Appointment.Status.BOOKED and booked.owner == citizen

    mine = client.get(f"{INDEX}mine/")
    assert mine.status_code == 200
    assert booked.reference in text_of(mine)
    assert f"{INDEX}a/{booked.uid}/cancel/" in mine.content.decode()
    assert f"{INDEX}a/{booked.uid}/move/" in mine.content.decode()

    assert client.get(f"{INDEX}a/{booked.uid}/move/").status_code == 200
    stranger = Client()
    assert stranger.get(f"{INDEX}a/{booked.uid}/cancel/").status_code == 404
    assert stranger.post(f"{INDEX}a/{booked.uid}/cancel/").status_code == 404

    # The owner cancels from their account: a confirmation step, then the cancellation.
    ask = client.get(f"{INDEX}a/{booked.uid}/cancel/")
    assert ask.status_code == 200
    booked.refresh_from_db()
    assert booked.status == Appointment.Status.BOOKED
    done = client.post(f"{INDEX}a/{booked.uid}/cancel/")
    assert done.status_code == 200
    booked.refresh_from_db()
    assert booked.status == Appointment.Status.CANCELLED
    mine = client.get(f"{INDEX}mine/")
    assert f"{INDEX}a/{booked.uid}/cancel/" not in mine.content.decode()
    assert booked.reference in text_of(mine)  # among the past and cancelled ones


def test_my_appointments_asks_to_sign_in(client, default_site):
    answer = client.get(f"{INDEX}mine/")
    assert answer.status_code == 302 and "login" in answer["Location"]


def test_a_service_that_needs_an_account_sends_anonymous_citizens_to_sign_in(client, default_site):
    agenda = identity_cards(default_site, login_required=True)
    slot = slot_at(agenda, a_working_day(agenda), 9)
    page = client.get(f"{INDEX}identity-card/")
    assert page.status_code == 302 and page["Location"] == calendar_url(agenda)
    answer = client.get(calendar_url(agenda))
    assert answer.status_code == 302 and "login" in answer["Location"]
    answer = client.post(calendar_url(agenda), {"slot": slot.pk, "token": "abc"})
    assert answer.status_code == 302 and "login" in answer["Location"]
    assert not Appointment.objects.exists()


def test_several_places_are_listed_with_their_next_free_slot(client, default_site, agenda):
    from lutetia_appointments.models import Agenda, Location

    annex = Location.objects.create(site=default_site, name="North annex", address="12 rue")
    Agenda.objects.create(service=agenda.service, location=annex, time_zone="Europe/Paris")
    page = client.get(f"{INDEX}identity-card/")
    assert page.status_code == 200
    text = text_of(page)
    assert "Town hall" in text and "North annex" in text
    assert calendar_url(agenda) in page.content.decode()
    first = Slot.objects.filter(agenda=agenda, starts_at__gt=timezone.now()).order_by("starts_at")[
        0
    ]
    assert local_time(first) in text
    assert says(page, "No slot is free at the moment.")  # the annex has no slot


def test_the_calendar_goes_week_by_week(client, agenda):
    day = a_working_day(agenda, weeks=3)
    monday = day - dt.timedelta(days=day.weekday())
    page = client.get(calendar_url(agenda), {"from": day.isoformat()})
    html = page.content.decode()
    assert f"from={(monday - dt.timedelta(days=7)).isoformat()}" in html
    assert f"from={(monday + dt.timedelta(days=7)).isoformat()}" in html
    assert f'value="{slot_at(agenda, day, 9).pk}"' in html
    other_week = slot_at(agenda, a_working_day(agenda, weeks=5), 9)
    assert f'value="{other_week.pk}"' not in html
    # A date that is none: the first week, not an error.
    assert client.get(calendar_url(agenda), {"from": "soon"}).status_code == 200


# --- what cannot be held -----------------------------------------------------------------------


def test_the_same_page_sent_twice_holds_once(client, agenda):
    slot = slot_at(agenda, a_working_day(agenda), 9)
    page = client.get(calendar_url(agenda))
    data = {"slot": slot.pk, "token": token_of(page)}
    first = client.post(calendar_url(agenda), data)
    second = client.post(calendar_url(agenda), data)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert Appointment.objects.count() == 1
    slot.refresh_from_db()
    assert slot.booked == 1


def test_a_slot_of_another_agenda_is_refused(client, default_site, agenda):
    other = identity_cards(default_site, slug="passport", title="Passport")
    theirs = slot_at(other, a_working_day(other), 9)
    answer = hold_page(client, agenda, theirs)
    assert answer.status_code == 409
    assert says(answer, "This slot does not belong to this calendar: choose another one.")
    assert not Appointment.objects.exists()


def test_unknown_past_and_full_slots_are_refused_and_nothing_is_held(client, agenda):
    unknown = client.post(
        calendar_url(agenda), {"slot": 999999, "token": token_of(client.get(calendar_url(agenda)))}
    )
    assert unknown.status_code == 409
    assert says(unknown, "This slot does not exist: choose another one.")
    malformed = client.post(calendar_url(agenda), {"slot": "nine o'clock", "token": "x"})
    assert malformed.status_code == 400
    assert says(malformed, "This choice is not valid.")
    huge = client.post(calendar_url(agenda), {"slot": "9" * 30, "token": "x"})
    assert huge.status_code == 400
    nothing = client.post(calendar_url(agenda), {"token": "x"})
    assert nothing.status_code == 400 and says(nothing, "Choose a slot.")

    yesterday = timezone.now() - dt.timedelta(days=1)
    past = Slot.objects.create(
        agenda=agenda,
        starts_at=yesterday,
        ends_at=yesterday + dt.timedelta(minutes=20),
        day=yesterday.astimezone(PARIS).date(),
        capacity=2,
    )
    answer = hold_page(client, agenda, past)
    assert answer.status_code == 409
    assert says(answer, "This slot is in the past: choose another one.")

    full = slot_at(agenda, a_working_day(agenda), 9)
    Slot.objects.filter(pk=full.pk).update(booked=F("capacity"))
    page = client.get(calendar_url(agenda), {"from": full.day.isoformat()})
    assert re.search(rf'value="{full.pk}"[^>]*disabled', page.content.decode())
    answer = hold_page(client, agenda, full)
    assert answer.status_code == 409
    assert says(answer, "This slot was just taken: choose another one.")
    assert not Appointment.objects.exists()


def test_a_closed_service_holds_nothing(client, agenda):
    slot = slot_at(agenda, a_working_day(agenda), 9)
    page = client.get(calendar_url(agenda))
    agenda.service.enabled = False
    agenda.service.save()
    answer = client.post(calendar_url(agenda), {"slot": slot.pk, "token": token_of(page)})
    assert answer.status_code == 409
    assert says(answer, "This service is not open to bookings.")
    assert not Appointment.objects.exists()
    assert client.get(f"{INDEX}identity-card/").status_code == 404
    assert client.get(calendar_url(agenda)).status_code == 404
    assert "Identity card" not in text_of(client.get(INDEX))


# --- the held slot -----------------------------------------------------------------------------


def test_an_expired_hold_says_the_slot_was_not_kept(client, agenda):
    slot = slot_at(agenda, a_working_day(agenda), 9)
    held = held_in(hold_page(client, agenda, slot))
    assert client.post(f"{INDEX}h/{held.uid}/", DETAILS).status_code == 302
    Appointment.objects.filter(pk=held.pk).update(
        hold_expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    page = client.get(f"{INDEX}h/{held.uid}/")
    assert page.status_code == 410
    assert says(
        page, "Your slot was not kept: the time to confirm it ran out. Choose a slot again."
    )
    answer = client.post(f"{INDEX}h/{held.uid}/summary/")
    assert answer.status_code == 410
    held.refresh_from_db()
    assert held.status != Appointment.Status.BOOKED


def test_someone_elses_hold_is_not_found_and_the_attempt_is_audited(client, agenda, citizen):
    slot = slot_at(agenda, a_working_day(agenda), 9)
    held = held_in(hold_page(client, agenda, slot))
    stranger = Client()
    stranger.cookies["lutetia_held"] = str(held.uid)  # forged: not signed by the site
    for url in (f"{INDEX}h/{held.uid}/", f"{INDEX}h/{held.uid}/summary/", f"{INDEX}a/{held.uid}/"):
        assert stranger.get(url).status_code == 404
    assert stranger.post(f"{INDEX}h/{held.uid}/", DETAILS).status_code == 404
    assert stranger.post(f"{INDEX}h/{held.uid}/release/").status_code == 404
    stranger.force_login(citizen)
    assert stranger.get(f"{INDEX}h/{held.uid}/").status_code == 404
    assert AuditEntry.objects.filter(action="appointments.access_denied").count() >= 5
    held.refresh_from_db()
    assert held.status == Appointment.Status.HELD and not held.first_name


def test_a_signed_in_citizens_hold_is_theirs_only(client, agenda, citizen, other_citizen):
    client.force_login(citizen)
    held = held_in(hold_page(client, agenda, slot_at(agenda, a_working_day(agenda), 9)))
    other = Client()
    other.force_login(other_citizen)
    assert other.get(f"{INDEX}h/{held.uid}/").status_code == 404


def test_giving_the_slot_back_frees_it_to_choose_another(client, agenda):
    slot = slot_at(agenda, a_working_day(agenda), 9)
    held = held_in(hold_page(client, agenda, slot))
    answer = client.post(f"{INDEX}h/{held.uid}/release/")
    assert answer.status_code == 302 and answer["Location"] == calendar_url(agenda)
    held.refresh_from_db()
    slot.refresh_from_db()
    assert held.status == Appointment.Status.EXPIRED and slot.booked == 0
    assert client.get(f"{INDEX}h/{held.uid}/").status_code == 410
    assert client.get(f"{INDEX}h/{held.uid}/release/").status_code == 405


def test_over_the_citizens_limit_the_confirmation_is_refused_and_nothing_is_booked(
    client, default_site
):
    agenda = identity_cards(default_site, max_future=1)
    book(agenda, slot_at(agenda, a_working_day(agenda), 9), email="camille@example.org")
    slot = slot_at(agenda, a_working_day(agenda, weeks=3), 9)
    held = held_in(hold_page(client, agenda, slot))
    assert client.post(f"{INDEX}h/{held.uid}/", DETAILS).status_code == 302
    answer = client.post(f"{INDEX}h/{held.uid}/summary/")
    assert answer.status_code == 409, text_of(answer)

    def refusal():
        try:
            booking.check_limits(
                agenda.service,
                booking.Citizen(None, "camille@example.org"),
                held.starts_at,
                held.ends_at,
                timezone.now(),
                held.pk,
            )
        except booking.Refused as refused:
            return refused.message
        raise AssertionError("the limit did not refuse")

    assert says(answer, refusal)
    held.refresh_from_db()
    assert held.status == Appointment.Status.HELD and not held.reference
    assert Appointment.objects.filter(status=Appointment.Status.BOOKED).count() == 1


def test_the_questions_of_the_service_are_asked_and_kept(client, default_site):
    agenda = identity_cards(
        default_site,
        questions=[
            {
                "key": "document",
                "label": "Document",
                "type": "choice",
                "required": True,
                "choices": [["id_card", "Identity card"], ["passport", "Passport"]],
            }
        ],
    )
    slot = slot_at(agenda, a_working_day(agenda), 9)
    held = held_in(hold_page(client, agenda, slot))
    assert client.post(f"{INDEX}h/{held.uid}/", DETAILS).status_code == 400
    booked = book_through_pages(
        client,
        agenda,
        slot_at(agenda, a_working_day(agenda), 10),
        {
            **DETAILS,
            "q_document": "passport",
        },
    )
    assert booked.answers == {"document": "passport"}


def test_a_forms_question_type_is_asked_checked_and_shown(client, default_site):
    agenda = identity_cards(
        default_site,
        questions=[
            {
                "key": "arrival",
                "label": "Arrival time",
                "type": "forms.time",
                "required": True,
                "config": {"min": "08:00", "max": "12:00"},
            },
            # its plugin removed since: still asked, as plain text
            {"key": "note", "label": "Note", "type": "gone.kind", "required": False},
        ],
    )
    held = held_in(hold_page(client, agenda, slot_at(agenda, a_working_day(agenda), 9)))
    page = client.get(f"{INDEX}h/{held.uid}/").content.decode()
    assert 'name="q_arrival"' in page and 'name="q_note"' in page
    late = client.post(f"{INDEX}h/{held.uid}/", {**DETAILS, "q_arrival": "14:30"})
    assert late.status_code == 400  # the forms type's own rule, at the question
    assert in_site_language(
        lambda: _("Give a time between %(min)s and %(max)s.") % {"min": "08:00", "max": "12:00"}
    ) in text_of(late)
    held.refresh_from_db()
    assert held.answers == {}
    answer = client.post(
        f"{INDEX}h/{held.uid}/", {**DETAILS, "q_arrival": "09:15", "q_note": "Wheelchair"}
    )
    assert answer.status_code == 302
    summary = text_of(client.get(answer["Location"]))
    arrival = in_site_language(lambda: formats.time_format(dt.time(9, 15), "TIME_FORMAT"))
    assert f"Arrival time {arrival}" in summary and "Wheelchair" in summary
    held.refresh_from_db()
    assert held.answers == {"arrival": "09:15", "note": "Wheelchair"}


def test_several_people_and_consecutive_slots_are_chosen_on_the_calendar(client, default_site):
    agenda = identity_cards(default_site, max_people=3, max_slots=2)
    page = client.get(calendar_url(agenda), {"people": 2})
    html = page.content.decode()
    assert 'name="people"' in html and 'name="count"' in html
    first = slot_at(agenda, a_working_day(agenda), 9)
    answer = client.post(
        calendar_url(agenda),
        {"slot": first.pk, "token": token_of(page), "people": 2, "count": 2},
    )
    assert answer.status_code == 302
    held = held_in(answer)
    assert held.people == 2 and held.ends_at == first.starts_at + dt.timedelta(minutes=40)
    too_many = client.post(
        calendar_url(agenda),
        {"slot": first.pk, "token": "another", "people": 9, "count": 1},
    )
    assert too_many.status_code == 409


# --- rate limit and captcha --------------------------------------------------------------------


def test_too_many_bookings_from_one_address_are_refused(client, agenda, monkeypatch):
    monkeypatch.setattr(views, "BOOKINGS_PER_HOUR", 2)
    day = a_working_day(agenda)
    assert hold_page(client, agenda, slot_at(agenda, day, 9)).status_code == 302
    assert hold_page(client, agenda, slot_at(agenda, day, 10)).status_code == 302
    answer = hold_page(client, agenda, slot_at(agenda, day, 11))
    assert answer.status_code == 429
    assert says(
        answer,
        "Too many bookings were attempted from your connection in the last hour. "
        "Please try again later, or contact the service.",
    )
    assert Appointment.objects.count() == 2
    held = Appointment.objects.first()
    client.post(f"{INDEX}h/{held.uid}/", DETAILS)
    assert client.post(f"{INDEX}h/{held.uid}/summary/").status_code == 429
    held.refresh_from_db()
    assert held.status == Appointment.Status.HELD


def test_anonymous_citizens_answer_the_anti_robot_question_when_the_service_asks(
    client, default_site, citizen
):
    from lutetia import captcha

    agenda = identity_cards(default_site, captcha=True)
    held = held_in(hold_page(client, agenda, slot_at(agenda, a_working_day(agenda), 9)))
    page = client.get(f"{INDEX}h/{held.uid}/")
    token = re.search(r'name="captcha_token" value="([^"]+)"', page.content.decode()).group(1)
    a, b = map(int, re.findall(r"\d+", captcha.question_of(token))[:2])
    wrong = client.post(
        f"{INDEX}h/{held.uid}/", {**DETAILS, "captcha_token": token, "captcha_answer": a + b + 1}
    )
    assert wrong.status_code == 400
    assert says(wrong, "The answer to the anti-robot question is not right: try the new one.")
    right = client.post(
        f"{INDEX}h/{held.uid}/", {**DETAILS, "captcha_token": token, "captcha_answer": a + b}
    )
    assert right.status_code == 302

    signed_in = Client()
    signed_in.force_login(citizen)
    theirs = held_in(hold_page(signed_in, agenda, slot_at(agenda, a_working_day(agenda), 10)))
    assert "captcha_token" not in signed_in.get(f"{INDEX}h/{theirs.uid}/").content.decode()


# --- the e-mail's link -------------------------------------------------------------------------


def test_the_emails_link_shows_cancels_once_and_then_says_it_is_cancelled(client, agenda):
    booked, secret = book(agenda, slot_at(agenda, a_working_day(agenda), 9))
    url = f"{INDEX}m/{secret}/"
    page = client.get(url)
    assert page.status_code == 200 and booked.reference in text_of(page)
    assert client.get(f"{INDEX}m/not-the-secret/").status_code == 404

    ask = client.get(f"{url}cancel/")
    assert ask.status_code == 200 and 'method="post"' in ask.content.decode()
    done = client.post(f"{url}cancel/")
    assert done.status_code == 200
    booked.refresh_from_db()
    assert booked.status == Appointment.Status.CANCELLED
    assert Slot.objects.get(pk=slot_at(agenda, a_working_day(agenda), 9).pk).booked == 0

    cancelled_at, revision = booked.cancelled_at, booked.revision
    again = client.get(url)
    assert again.status_code == 410
    assert says(again, "This appointment was cancelled: nothing more can be done with this link.")
    assert client.post(f"{url}cancel/").status_code == 410
    assert client.post(f"{url}move/", {"slot": 1}).status_code == 410
    booked.refresh_from_db()
    assert (booked.cancelled_at, booked.revision) == (cancelled_at, revision)
    assert OutboxMessage.objects.filter(source=f"appointments:{booked.pk}").count() == 2


def test_the_emails_link_moves_the_appointment(client, agenda):
    old = slot_at(agenda, a_working_day(agenda), 9)
    new = slot_at(agenda, a_working_day(agenda, weeks=3), 10)
    booked, secret = book(agenda, old)
    page = client.get(f"{INDEX}m/{secret}/move/", {"from": new.day.isoformat()})
    assert page.status_code == 200 and f'value="{new.pk}"' in page.content.decode()
    answer = client.post(f"{INDEX}m/{secret}/move/", {"slot": new.pk, "agenda": agenda.uid})
    assert answer.status_code == 302 and answer["Location"] == f"{INDEX}m/{secret}/"
    booked.refresh_from_db()
    old.refresh_from_db()
    new.refresh_from_db()
    assert booked.starts_at == new.starts_at and old.booked == 0 and new.booked == 1

    Slot.objects.filter(pk=old.pk).update(booked=F("capacity"))
    full = client.post(f"{INDEX}m/{secret}/move/", {"slot": old.pk, "agenda": agenda.uid})
    assert full.status_code == 409
    assert says(full, "This slot was just taken: choose another one.")
    booked.refresh_from_db()
    assert booked.starts_at == new.starts_at


def test_too_late_to_change_is_said_and_nothing_changes(client, default_site):
    agenda = identity_cards(default_site, cancel_notice_hours=24 * 365)
    booked, secret = book(agenda, slot_at(agenda, a_working_day(agenda), 9))
    page = client.get(f"{INDEX}m/{secret}/")
    assert says(page, "This appointment can no longer be changed online: contact the service.")
    assert f"{INDEX}m/{secret}/cancel/" not in page.content.decode()
    assert client.post(f"{INDEX}m/{secret}/cancel/").status_code == 409
    booked.refresh_from_db()
    assert booked.status == Appointment.Status.BOOKED


def test_the_calendar_file_is_only_for_the_citizen(client, agenda):
    booked = book_through_pages(client, agenda, slot_at(agenda, a_working_day(agenda), 9))
    assert client.get(f"{INDEX}a/{booked.uid}/calendar.ics").status_code == 200
    assert Client().get(f"{INDEX}a/{booked.uid}/calendar.ics").status_code == 404


# --- the waiting list --------------------------------------------------------------------------


def test_a_citizen_joins_the_waiting_list_takes_the_offer_and_books(client, default_site):
    agenda = identity_cards(default_site, waiting_list=True)
    Slot.objects.filter(agenda=agenda).update(booked=F("capacity"))
    service_page = client.get(calendar_url(agenda))
    assert f"{INDEX}identity-card/waiting/" in service_page.content.decode()

    page = client.get(f"{INDEX}identity-card/waiting/")
    assert page.status_code == 200
    assert client.post(f"{INDEX}identity-card/waiting/", {"email": "nope"}).status_code == 400
    joined = client.post(f"{INDEX}identity-card/waiting/", {"email": "lea@example.org"})
    assert joined.status_code == 200
    entry = WaitingEntry.objects.get(email="lea@example.org")
    assert entry.status == WaitingEntry.Status.WAITING
    position = in_site_language("Your position: %(position)s") % {"position": 1}
    assert position.replace("\xa0", " ") in text_of(joined)

    # A place frees up: it is offered to Léa by e-mail.
    slot = slot_at(agenda, a_working_day(agenda), 9)
    Slot.objects.filter(pk=slot.pk).update(booked=F("capacity") - 1)
    offered = waiting.offer_freed(agenda.service, [slot.pk])
    assert offered == 1
    entry.refresh_from_db()
    mail = OutboxMessage.objects.get(source=f"appointments:waiting:{entry.pk}")
    secret = re.search(r"/offer/([^/\s]+)/", mail.body).group(1)

    offer = client.get(f"{INDEX}offer/{secret}/")
    assert offer.status_code == 200
    assert local_time(slot) in text_of(offer)
    assert 'value="lea@example.org"' in offer.content.decode()
    answer = client.post(
        f"{INDEX}offer/{secret}/", {**DETAILS, "email": "lea@example.org", "first_name": "Léa"}
    )
    assert answer.status_code == 302
    entry.refresh_from_db()
    assert entry.status == WaitingEntry.Status.BOOKED
    booked = entry.offer
    booked.refresh_from_db()
    assert booked.status == Appointment.Status.BOOKED and booked.first_name == "Léa"
    assert client.get(answer["Location"]).status_code == 200
    # The link does not work twice.
    assert client.get(f"{INDEX}offer/{secret}/").status_code == 404


def test_a_citizen_declines_the_offer_and_leaves_the_list(client, default_site):
    agenda = identity_cards(default_site, waiting_list=True)
    entry = waiting.join(agenda.service, email="lea@example.org")
    slot = slot_at(agenda, a_working_day(agenda), 9)
    waiting.offer_freed(agenda.service, [slot.pk])
    mail = OutboxMessage.objects.get(source=f"appointments:waiting:{entry.pk}")
    secret = re.search(r"/offer/([^/\s]+)/", mail.body).group(1)
    answer = client.post(f"{INDEX}offer/{secret}/", {"action": "decline"})
    assert answer.status_code == 200
    entry.refresh_from_db()
    slot.refresh_from_db()
    assert entry.status == WaitingEntry.Status.LEFT and slot.booked == 0


def test_no_waiting_list_page_without_a_waiting_list(client, agenda):
    assert client.get(f"{INDEX}identity-card/waiting/").status_code == 404


def test_the_hold_keeps_its_time_in_the_agendas_zone(client, default_site):
    """An agenda in another zone than the site's: its slots read in its own local time."""
    agenda = identity_cards(default_site)
    agenda.time_zone = "America/Cayenne"
    agenda.save()
    slot = slot_at(agenda, a_working_day(agenda), 9)
    page = client.get(calendar_url(agenda), {"from": slot.day.isoformat()})
    label = in_site_language(
        lambda: formats.time_format(
            slot.starts_at.astimezone(zoneinfo.ZoneInfo("America/Cayenne")), "TIME_FORMAT"
        )
    )
    assert label in text_of(page)
    assert local_time(slot) not in text_of(page).replace(label, "")
