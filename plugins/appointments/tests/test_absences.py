"""A resource away one day or a period: its places leave the slots of those days, nobody is
given to it, its appointments go to a present resource, and an absence that would leave an
appointment without a place is refused, listing it, with nothing changed."""

from __future__ import annotations

import datetime as dt

import pytest
from appointments_samples import a_working_day, book, slot_at
from lutetia_appointments.models import Absence, Appointment, Resource, Slot
from test_config_admin import admin, shown, text, url  # noqa: F401 (admin: a fixture)

from lutetia.audit.models import AuditEntry

pytestmark = pytest.mark.django_db


def capacity_on(agenda, day) -> set[int]:
    return set(Slot.objects.filter(agenda=agenda, day=day).values_list("capacity", flat=True))


def desks(agenda) -> tuple[Resource, Resource]:
    first, second = agenda.resources.order_by("name")
    return first, second


def add_absence(client, agenda, resource, first, last=None, reason="Training"):
    data = {"resource": resource.pk, "starts_on": first.isoformat(), "reason": reason}
    if last is not None:
        data["ends_on"] = last.isoformat()
    return client.post(url("absence_add", agenda.pk), data)


def test_an_absent_desk_gives_no_place_on_its_days_and_back_when_deleted(
    admin,  # noqa: F811
    agenda,
    django_capture_on_commit_callbacks,
):
    day = a_working_day(agenda)
    following = day + dt.timedelta(days=7)
    _first, second = desks(agenda)
    assert capacity_on(agenda, day) == {2}
    with django_capture_on_commit_callbacks(execute=True):
        answer = add_absence(admin, agenda, second, day)
    assert answer.status_code == 302
    absence = Absence.objects.get()
    assert absence.ends_on == day  # one day when no last day is given
    assert capacity_on(agenda, day) == {1}
    assert capacity_on(agenda, following) == {2}  # other days keep their places
    page = text(admin.get(url("agenda", agenda.pk)))
    assert "Desk 2" in page and "Training" in page
    # the agents' day and its printed list say who is away
    from django.urls import reverse

    calendar = reverse("appointments_admin:calendar", args=[agenda.pk])
    for address in (calendar, reverse("appointments_admin:print", args=[agenda.pk])):
        day_page = admin.get(address, {"date": day.isoformat()})
        assert shown(day_page, "Away on this day:") and "Desk 2 (Training)" in text(day_page)
    assert "Desk 2 (Training)" not in text(admin.get(calendar, {"date": following.isoformat()}))
    assert AuditEntry.objects.filter(action="appointments.absence_added").exists()

    with django_capture_on_commit_callbacks(execute=True):
        answer = admin.post(url("absence_delete", agenda.pk, absence.pk))
    assert answer.status_code == 302
    assert not Absence.objects.exists()
    assert capacity_on(agenda, day) == {2}


def test_the_absent_desks_appointments_go_to_the_present_one(
    admin,  # noqa: F811
    agenda,
    django_capture_on_commit_callbacks,
):
    day = a_working_day(agenda)
    away, present = desks(agenda)  # the first desk is away: ties no longer go to it
    nine, ten = slot_at(agenda, day, 9), slot_at(agenda, day, 10)
    at_nine, _ = book(agenda, nine, email="a@example.org")
    at_ten, _ = book(agenda, ten, email="b@example.org")
    Appointment.objects.filter(pk__in=[at_nine.pk, at_ten.pk]).update(resource=away)

    with django_capture_on_commit_callbacks(execute=True):  # PostgreSQL: audit at commit
        answer = add_absence(admin, agenda, away, day, day + dt.timedelta(days=2))
    assert answer.status_code == 302
    for appointment in (at_nine, at_ten):
        appointment.refresh_from_db()
        assert appointment.resource == present
        assert AuditEntry.objects.filter(
            action="appointments.resource_changed", target_id=str(appointment.pk)
        ).exists()
    # a booking made on those days is given to the present desk
    later, _ = book(agenda, slot_at(agenda, day, 11), email="c@example.org")
    assert later.resource == present
    # and on a day the desk is back, to the least busy one as before (the first on a tie)
    after, _ = book(agenda, slot_at(agenda, day + dt.timedelta(days=7), 11), email="d@ex.org")
    assert after.resource == away


def test_an_absence_leaving_an_appointment_without_a_place_is_refused(
    admin,  # noqa: F811
    agenda,
):
    day = a_working_day(agenda)
    _first, second = desks(agenda)
    nine = slot_at(agenda, day, 9)
    one, _ = book(agenda, nine, email="a@example.org")
    two, _ = book(agenda, nine, email="b@example.org")  # both places of 09:00
    answer = add_absence(admin, agenda, second, day)
    assert answer.status_code == 409
    body = text(answer)
    assert one.reference in body and two.reference in body  # listed for the agent
    assert not Absence.objects.exists()
    assert capacity_on(agenda, day) == {2}
    for appointment in (one, two):
        resource = appointment.resource_id
        appointment.refresh_from_db()
        assert appointment.resource_id == resource  # nothing moved either


@pytest.mark.parametrize(
    ("first", "last", "message"),
    [
        (3, 1, "The last day comes before the first one."),
        (-10, None, "This day is past."),
        (1, 400, "At most %(days)s days at once."),
    ],
)
def test_bad_days_are_refused_with_a_message(admin, agenda, first, last, message):  # noqa: F811
    today = dt.date.today()
    _first, second = desks(agenda)
    answer = add_absence(
        admin,
        agenda,
        second,
        today + dt.timedelta(days=first),
        None if last is None else today + dt.timedelta(days=last),
    )
    assert answer.status_code == 400
    assert shown(answer, message, days=366)
    assert not Absence.objects.exists()


def test_another_agendas_resource_or_absence_is_out_of_reach(
    admin,  # noqa: F811
    agenda,
    default_site,
):
    from appointments_samples import identity_cards

    other = identity_cards(default_site, slug="passport", title="Passport")
    stranger = other.resources.first()
    day = a_working_day(agenda)
    answer = add_absence(admin, agenda, stranger, day)
    assert answer.status_code == 400  # not a resource of this agenda
    assert not Absence.objects.exists()
    theirs = Absence.objects.create(resource=stranger, starts_on=day, ends_on=day)
    assert admin.post(url("absence_delete", agenda.pk, theirs.pk)).status_code == 404
    assert Absence.objects.filter(pk=theirs.pk).exists()
