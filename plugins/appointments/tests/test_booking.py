"""Holding, confirming, cancelling and moving an appointment, and every refusal on the way:
a clear message, nothing booked."""

from __future__ import annotations

import base64
import datetime as dt

import pytest
from appointments_samples import a_working_day, book, details, slot_at
from django.utils import timezone
from icalendar import Calendar
from lutetia_appointments import booking, reminders
from lutetia_appointments.models import Appointment, Category, Slot, SlotBooking

from lutetia.audit.models import AuditEntry
from lutetia.notify.models import OutboxMessage

pytestmark = pytest.mark.django_db

CAMILLE = booking.Citizen(None, "camille@example.org")


def taken(slot: Slot) -> int:
    slot.refresh_from_db()
    return slot.booked


def ledger_matches(agenda) -> bool:
    """Each slot's counter equals the places its bookings hold."""
    for slot in Slot.objects.filter(agenda=agenda):
        held = sum(b.places for b in SlotBooking.objects.filter(slot=slot, beyond_capacity=False))
        if held != slot.booked:
            return False
    return True


def test_a_citizen_holds_then_books_a_slot(agenda, django_capture_on_commit_callbacks):
    slot = slot_at(agenda, a_working_day(agenda), 9, 20)
    held = booking.hold(agenda.service, slot, citizen=CAMILLE, token="t1")
    assert held.status == Appointment.Status.HELD
    assert booking.hold_remaining(held) > 9 * 60  # ten minutes by default
    assert taken(slot) == 1  # the place is the citizen's while they fill the questions

    with django_capture_on_commit_callbacks(execute=True):  # PostgreSQL: audit at commit
        appointment, secret = booking.confirm(held, details(phone="+33612345678"))
    assert appointment.status == Appointment.Status.BOOKED
    assert appointment.reference.startswith("CNI-") and len(appointment.reference) == 12
    assert secret and appointment.secret_hash == booking.hash_secret(secret)
    assert appointment.resource is not None  # a desk was given
    assert taken(slot) == 1
    assert ledger_matches(agenda)
    assert AuditEntry.objects.filter(action="appointments.booked").count() == 1


def test_the_confirmation_carries_a_valid_calendar_file_and_the_links(agenda):
    slot = slot_at(agenda, a_working_day(agenda), 10)
    appointment, secret = book(agenda, slot)
    message = OutboxMessage.objects.get(source=f"appointments:{appointment.pk}")
    assert appointment.reference in message.body
    assert f"/services/appointments/m/{secret}/" in message.body
    assert "Bring a photo" in message.body
    attachment = message.data["attachments"][0]
    assert attachment["mimetype"] == "text/calendar"
    calendar = Calendar.from_ical(base64.b64decode(attachment["content"]))
    events = calendar.walk("VEVENT")
    assert len(events) == 1
    event = events[0]
    assert event.decoded("dtstart") == slot.starts_at
    assert event.decoded("dtend") == slot.ends_at
    assert str(event["uid"]) == f"{appointment.uid}@lutetia"
    assert "Town hall" in str(event["location"])
    assert str(calendar["version"]) == "2.0" and calendar["prodid"]


def test_the_same_request_twice_books_once(agenda):
    slot = slot_at(agenda, a_working_day(agenda), 9)
    first = booking.hold(agenda.service, slot, citizen=CAMILLE, token="double-click")
    second = booking.hold(agenda.service, slot, citizen=CAMILLE, token="double-click")
    assert first.pk == second.pk
    assert taken(slot) == 1
    booked, _secret = booking.confirm(first, details())
    again, no_secret = booking.confirm(first, details())
    assert again.pk == booked.pk and again.reference == booked.reference and no_secret == ""
    assert OutboxMessage.objects.filter(source=f"appointments:{booked.pk}").count() == 1


def test_a_full_slot_is_refused_and_nothing_is_held(agenda):
    slot = slot_at(agenda, a_working_day(agenda), 9)
    book(agenda, slot, email="a@example.org")
    book(agenda, slot, email="b@example.org")
    with pytest.raises(booking.Refused) as refused:
        booking.hold(agenda.service, slot, citizen=CAMILLE, token="late")
    assert refused.value.code == "full"
    assert "just taken" in refused.value.message
    assert not Appointment.objects.filter(client_token="late").exists()
    assert taken(slot) == 2


def test_a_hold_that_ran_out_cannot_be_confirmed_and_gives_its_place_back(agenda):
    slot = slot_at(agenda, a_working_day(agenda), 9)
    now = timezone.now()
    held = booking.hold(agenda.service, slot, citizen=CAMILLE, token="slow", now=now)
    later = now + dt.timedelta(minutes=11)
    with pytest.raises(booking.Refused) as refused:
        booking.confirm(held, details(), now=later)
    assert refused.value.code == "expired"
    held.refresh_from_db()
    assert held.status == Appointment.Status.EXPIRED and held.reference == ""
    assert taken(slot) == 0


@pytest.mark.parametrize("read_full", [False, True], ids=["read-before", "read-full"])
def test_the_last_place_held_too_long_goes_to_the_next_citizen(agenda, read_full):
    slot = slot_at(agenda, a_working_day(agenda), 9)
    now = timezone.now()
    book(agenda, slot, email="first@example.org")
    sleeper = booking.hold(agenda.service, slot, citizen=CAMILLE, token="sleeper", now=now)
    if read_full:  # the page that posts sees the slot full: the lapsed hold is still found
        slot.refresh_from_db()
        assert slot.booked == slot.capacity
    later = now + dt.timedelta(minutes=15)
    other = booking.Citizen(None, "dominique@example.org")
    fresh = booking.hold(agenda.service, slot, citizen=other, token="fresh", now=later)
    assert fresh.status == Appointment.Status.HELD
    sleeper.refresh_from_db()
    assert sleeper.status == Appointment.Status.EXPIRED
    assert taken(slot) == 2
    assert ledger_matches(agenda)


def test_a_hold_that_ends_without_a_booking_keeps_no_personal_data(agenda):
    slot = slot_at(agenda, a_working_day(agenda), 9)
    now = timezone.now()
    held = booking.hold(agenda.service, slot, citizen=CAMILLE, token="t", now=now)
    assert booking.details_of(held) is None  # nothing given yet: the summary sends back
    assert booking.keep_details(held, details(phone="+33612345678"))
    held.refresh_from_db()
    assert booking.details_of(held).phone == "+33612345678"

    booking.release_expired(now + dt.timedelta(minutes=11))
    held.refresh_from_db()
    assert held.status == Appointment.Status.EXPIRED
    assert [held.first_name, held.last_name, held.email, held.phone, held.answers] == [
        "",
        "",
        "",
        "",
        {},
    ]
    assert not booking.keep_details(held, details())  # too late: nothing is kept
    held.refresh_from_db()
    assert held.first_name == ""


@pytest.mark.parametrize(
    ("when", "code"),
    [
        (lambda now: now - dt.timedelta(days=1), "past"),
        (lambda now: now + dt.timedelta(minutes=30), "notice"),
        (lambda now: now + dt.timedelta(days=70), "horizon"),
    ],
)
def test_slots_outside_the_bookable_window_are_refused(agenda, when, code):
    now = timezone.now()
    slot = Slot.objects.create(
        agenda=agenda,
        starts_at=when(now),
        ends_at=when(now) + dt.timedelta(minutes=20),
        day=when(now).date(),
        capacity=2,
    )
    with pytest.raises(booking.Refused) as refused:
        booking.hold(agenda.service, slot, citizen=CAMILLE, token=f"t-{code}", now=now)
    assert refused.value.code == code
    assert taken(slot) == 0


def test_a_slot_of_another_service_is_refused(agenda, default_site):
    from appointments_samples import identity_cards

    other = identity_cards(default_site, slug="passport", title="Passport", rules=True)
    foreign = slot_at(other, a_working_day(other), 9)
    with pytest.raises(booking.Refused) as refused:
        booking.hold(agenda.service, foreign, citizen=CAMILLE, token="crafted")
    assert refused.value.code == "slot"
    assert taken(foreign) == 0


def test_a_closed_slot_or_agenda_is_refused(agenda):
    slot = slot_at(agenda, a_working_day(agenda), 9)
    Slot.objects.filter(pk=slot.pk).update(is_open=False)
    slot.refresh_from_db()
    with pytest.raises(booking.Refused) as refused:
        booking.hold(agenda.service, slot, citizen=CAMILLE, token="closed")
    assert refused.value.code == "closed"
    agenda.service.enabled = False
    agenda.service.save()
    with pytest.raises(booking.Refused) as refused:
        booking.hold(agenda.service, slot, citizen=CAMILLE, token="off")
    assert refused.value.code == "unavailable"


def test_slots_released_each_monday_for_four_weeks(agenda):
    service = agenda.service
    service.release_weekday, service.release_time, service.release_weeks = 0, dt.time(8), 4
    service.save()
    now = timezone.make_aware(dt.datetime(2027, 1, 13, 12))  # a Wednesday
    release = booking.last_release(service, now)
    assert timezone.localtime(release).date() == dt.date(2027, 1, 11)
    _earliest, latest = booking.bookable_window(service, now)
    assert timezone.localtime(latest).date() == dt.date(2027, 2, 8)
    monday_before_eight = timezone.make_aware(dt.datetime(2027, 1, 18, 7, 59))
    assert timezone.localtime(booking.last_release(service, monday_before_eight)).date() == dt.date(
        2027, 1, 11
    )
    assert timezone.localtime(booking.next_release(service, now)).date() == dt.date(2027, 1, 18)


def test_several_people_and_consecutive_slots(agenda):
    service = agenda.service
    service.max_people, service.max_slots = 3, 2
    service.save()
    Slot.objects.filter(agenda=agenda).update(capacity=3)
    day = a_working_day(agenda)
    first = slot_at(agenda, day, 9)
    held = booking.hold(service, first, citizen=CAMILLE, token="family", people=3, count=2)
    assert taken(first) == 3 and taken(slot_at(agenda, day, 9, 20)) == 3
    assert held.ends_at == slot_at(agenda, day, 9, 20).ends_at
    with pytest.raises(booking.Refused) as refused:
        booking.hold(service, first, citizen=CAMILLE, token="crowd", people=4)
    assert refused.value.code == "people"
    with pytest.raises(booking.Refused) as refused:
        booking.hold(service, slot_at(agenda, day, 11, 40), citizen=CAMILLE, token="t", count=2)
    assert refused.value.code == "slots"  # 11:40 is the last slot of the morning


def test_consecutive_slots_are_taken_all_or_none(agenda):
    service = agenda.service
    service.max_slots = 2
    service.save()
    day = a_working_day(agenda)
    second = slot_at(agenda, day, 9, 20)
    book(agenda, second, email="a@example.org")
    book(agenda, second, email="b@example.org")
    first = slot_at(agenda, day, 9)
    with pytest.raises(booking.Refused):
        booking.hold(service, first, citizen=CAMILLE, token="pair", count=2)
    assert taken(first) == 0


def test_future_appointments_per_citizen_per_service_and_per_category(agenda, default_site):
    from appointments_samples import identity_cards

    service = agenda.service
    service.max_future = 1
    service.save()
    day = a_working_day(agenda)
    book(agenda, slot_at(agenda, day, 9))
    with pytest.raises(booking.Refused) as refused:
        book(agenda, slot_at(agenda, day + dt.timedelta(days=1), 9))
    assert refused.value.code == "max_future"

    category = Category.objects.get(name="Identity papers")
    category.max_future = 1
    category.save()
    passport = identity_cards(default_site, slug="passport", title="Passport")
    with pytest.raises(booking.Refused) as refused:
        book(passport, slot_at(passport, day, 11))
    assert refused.value.code == "max_future_category"
    assert Appointment.objects.filter(status="booked").count() == 1


def test_days_between_two_appointments_and_no_overlap(agenda, default_site):
    from appointments_samples import identity_cards

    service = agenda.service
    service.min_days_between = 7
    service.save()
    day = a_working_day(agenda)
    book(agenda, slot_at(agenda, day, 9))
    with pytest.raises(booking.Refused) as refused:
        book(agenda, slot_at(agenda, day + dt.timedelta(days=2), 9))
    assert refused.value.code == "min_days_between"
    assert book(agenda, slot_at(agenda, day + dt.timedelta(days=7), 9))[0].reference

    passport = identity_cards(default_site, slug="passport", title="Passport")
    with pytest.raises(booking.Refused) as refused:
        book(passport, slot_at(passport, day, 9))
    assert refused.value.code == "overlap"


def test_cancelling_gives_the_place_back_and_says_so(agenda):
    slot = slot_at(agenda, a_working_day(agenda), 9)
    appointment, _secret = book(agenda, slot)
    booking.cancel(appointment, reason="")
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.CANCELLED
    assert taken(slot) == 0
    assert ledger_matches(agenda)
    last = OutboxMessage.objects.filter(source=f"appointments:{appointment.pk}").latest("pk")
    assert "cancelled" in last.subject.lower()
    calendar = Calendar.from_ical(base64.b64decode(last.data["attachments"][0]["content"]))
    assert str(calendar.walk("VEVENT")[0]["status"]) == "CANCELLED"
    with pytest.raises(booking.Refused) as refused:
        booking.cancel(appointment)
    assert refused.value.code == "unchangeable"


def test_citizens_cannot_cancel_within_the_services_notice(agenda):
    agenda.service.cancel_notice_hours = 24 * 365
    agenda.service.save()
    appointment, _secret = book(agenda, slot_at(agenda, a_working_day(agenda), 9))
    with pytest.raises(booking.Refused) as refused:
        booking.cancel(appointment)
    assert refused.value.code == "unchangeable"
    booking.cancel(appointment, by_citizen=False, reason="Desk closed")  # an agent still may


def test_moving_takes_the_new_slot_before_freeing_the_old(agenda):
    day = a_working_day(agenda)
    old, new = slot_at(agenda, day, 9), slot_at(agenda, day, 10)
    appointment, _secret = book(agenda, old)
    booking.reschedule(appointment, new)
    appointment.refresh_from_db()
    assert appointment.starts_at == new.starts_at
    assert (taken(old), taken(new)) == (0, 1)
    assert appointment.revision == 1
    last = OutboxMessage.objects.filter(source=f"appointments:{appointment.pk}").latest("pk")
    calendar = Calendar.from_ical(base64.b64decode(last.data["attachments"][0]["content"]))
    assert calendar.walk("VEVENT")[0].decoded("dtstart") == new.starts_at
    assert int(calendar.walk("VEVENT")[0]["sequence"]) == 1


def test_moving_to_a_full_slot_changes_nothing(agenda):
    day = a_working_day(agenda)
    old, full = slot_at(agenda, day, 9), slot_at(agenda, day, 10)
    appointment, _secret = book(agenda, old)
    book(agenda, full, email="a@example.org")
    book(agenda, full, email="b@example.org")
    with pytest.raises(booking.Refused) as refused:
        booking.reschedule(appointment, full)
    assert refused.value.code == "full"
    appointment.refresh_from_db()
    assert appointment.starts_at == old.starts_at
    assert (taken(old), taken(full)) == (1, 2)
    assert ledger_matches(agenda)


def test_an_agent_books_beyond_capacity_only_where_allowed_and_it_is_flagged(agenda, agent):
    slot = slot_at(agenda, a_working_day(agenda), 9)
    book(agenda, slot, email="a@example.org")
    book(agenda, slot, email="b@example.org")
    with pytest.raises(booking.Refused) as refused:
        booking.book_for_citizen(agenda.service, slot, details(), agent=agent, overbook=True)
    assert refused.value.code == "overbooking"
    with pytest.raises(booking.Refused) as refused:
        booking.book_for_citizen(agenda.service, slot, details(), agent=agent)
    assert refused.value.code == "full"
    agenda.service.bo_overbooking = True
    agenda.service.save()
    extra = booking.book_for_citizen(agenda.service, slot, details(), agent=agent, overbook=True)
    assert extra.overbooked and extra.booked_by == agent
    slot.refresh_from_db()
    assert (slot.booked, slot.overbooked) == (2, 1)
    booking.cancel(extra, by_citizen=False)
    slot.refresh_from_db()
    assert (slot.booked, slot.overbooked) == (2, 0)


def test_reminders_are_sent_once_when_due(agenda):
    agenda.service.reminder_hours = 24
    agenda.service.reminder_sms = True
    agenda.service.save()
    slot = slot_at(agenda, a_working_day(agenda), 9)
    held = booking.hold(agenda.service, slot, citizen=CAMILLE, token="r")
    appointment, _secret = booking.confirm(held, details(phone="+33612345678"))
    assert reminders.send_due(slot.starts_at - dt.timedelta(hours=25)) == 0
    assert reminders.send_due(slot.starts_at - dt.timedelta(hours=23)) == 2  # e-mail and SMS
    assert reminders.send_due(slot.starts_at - dt.timedelta(hours=22)) == 0
    channels = set(
        OutboxMessage.objects.filter(source=f"appointments:{appointment.pk}").values_list(
            "channel", flat=True
        )
    )
    assert channels == {"email", "sms"}


def test_a_hold_that_ran_out_goes_first_to_the_citizen_waiting(agenda):
    from lutetia_appointments import waiting
    from lutetia_appointments.models import WaitingEntry

    agenda.service.waiting_list = True
    agenda.service.save()
    slot = slot_at(agenda, a_working_day(agenda), 9)
    now = timezone.now()
    book(agenda, slot, email="first@example.org")
    booking.hold(agenda.service, slot, citizen=CAMILLE, token="sleeper", now=now)
    entry = waiting.join(agenda.service, email="waiting@example.org")

    booking.release_expired(now + dt.timedelta(minutes=15))

    entry.refresh_from_db()
    assert entry.status == WaitingEntry.Status.OFFERED
    assert entry.offer.starts_at == slot.starts_at and entry.offer.status == "held"
    assert taken(slot) == 2  # the place went straight to the waiting citizen
    offer = OutboxMessage.objects.get(source=f"appointments:waiting:{entry.pk}")
    assert offer.recipient == "waiting@example.org"
    assert ledger_matches(agenda)


def test_a_hold_confirmed_too_late_goes_to_the_citizen_waiting(agenda):
    from lutetia_appointments import waiting
    from lutetia_appointments.models import WaitingEntry

    agenda.service.waiting_list = True
    agenda.service.save()
    slot = slot_at(agenda, a_working_day(agenda), 9)
    now = timezone.now()
    book(agenda, slot, email="first@example.org")
    late = booking.hold(agenda.service, slot, citizen=CAMILLE, token="late", now=now)
    entry = waiting.join(agenda.service, email="waiting@example.org")

    with pytest.raises(booking.Refused):
        booking.confirm(late, details(), now=now + dt.timedelta(minutes=11))

    entry.refresh_from_db()
    assert entry.status == WaitingEntry.Status.OFFERED
    assert taken(slot) == 2 and ledger_matches(agenda)
