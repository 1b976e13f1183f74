"""Past appointments lose who they were for once their service's retention period is over."""

from __future__ import annotations

import datetime as dt

import pytest
from appointments_samples import a_working_day, book, slot_at
from django.utils import timezone
from lutetia_appointments import jobs, retention
from lutetia_appointments.models import Appointment, WaitingEntry

from lutetia.audit.models import AuditEntry

pytestmark = pytest.mark.django_db

INDEX = "/services/appointments/"


def test_the_citizens_details_are_erased_after_the_services_period(
    client, agenda, citizen, django_capture_on_commit_callbacks
):
    service = agenda.service
    service.retention_days = 30
    service.save()
    day = a_working_day(agenda)
    kept, _ = book(agenda, slot_at(agenda, day, 9), email=citizen.email, user=citizen)
    cancelled, secret = book(agenda, slot_at(agenda, day, 10), email="dominique@example.org")
    Appointment.objects.filter(pk=cancelled.pk).update(
        status=Appointment.Status.CANCELLED, cancel_reason="Dominique Martin called, ill"
    )
    end = kept.ends_at

    assert retention.apply_retention(end + dt.timedelta(days=29)) == 0
    with django_capture_on_commit_callbacks(execute=True):  # PostgreSQL: audit at commit
        assert jobs.apply_retention(end + dt.timedelta(days=31)) == 2

    for appointment in (kept, cancelled):
        appointment.refresh_from_db()
        assert appointment.anonymised_at is not None
        assert appointment.first_name == appointment.last_name == appointment.email == ""
        assert appointment.phone == appointment.cancel_reason == ""
        assert appointment.answers == {} and appointment.owner is None
        assert appointment.search_text == appointment.reference.casefold()
        assert appointment.reference  # the appointment itself stays, for statistics
    assert kept.status == Appointment.Status.BOOKED
    assert AuditEntry.objects.filter(action="appointments.anonymised").count() == 2

    # The e-mail's link opens nothing any more; My appointments no longer lists it.
    assert client.get(f"{INDEX}m/{secret}/").status_code == 404
    client.force_login(citizen)
    assert kept.reference not in client.get(f"{INDEX}mine/").content.decode()
    # Once only.
    assert retention.apply_retention(end + dt.timedelta(days=60)) == 0


def test_without_a_period_and_before_the_end_nothing_is_erased(agenda):
    slot = slot_at(agenda, a_working_day(agenda), 9)
    appointment, _ = book(agenda, slot)
    later = appointment.ends_at + dt.timedelta(days=3650)
    assert retention.apply_retention(later) == 0  # the service keeps them until removed

    agenda.service.retention_days = 1
    agenda.service.save()
    assert retention.apply_retention(appointment.starts_at) == 0  # not over yet
    appointment.refresh_from_db()
    assert appointment.first_name == "Camille" and appointment.anonymised_at is None


def test_waiting_list_entries_that_ended_are_deleted_after_the_period(
    agenda, django_capture_on_commit_callbacks
):
    service = agenda.service
    service.retention_days = 30
    service.save()
    now = timezone.now()
    long_ago, lately = now - dt.timedelta(days=40), now - dt.timedelta(days=5)
    Status = WaitingEntry.Status

    def entry(email, status, joined, latest=None):
        made = WaitingEntry.objects.create(
            site=service.site, service=service, email=email, status=status, latest=latest
        )
        WaitingEntry.objects.filter(pk=made.pk).update(created_at=joined)
        return made

    entry("booked@example.org", Status.BOOKED, long_ago)
    entry("left@example.org", Status.LEFT, long_ago)
    entry("too-late@example.org", Status.WAITING, long_ago, latest=long_ago.date())
    still = entry("still@example.org", Status.WAITING, long_ago)  # still waiting: kept
    recent = entry("recent@example.org", Status.BOOKED, lately)  # within the period: kept

    with django_capture_on_commit_callbacks(execute=True):  # PostgreSQL: audit at commit
        assert retention.apply_retention(now) == 3
    assert set(WaitingEntry.objects.values_list("pk", flat=True)) == {still.pk, recent.pk}
    purged = AuditEntry.objects.get(action="appointments.waiting_list_purged")
    assert purged.target_id == str(service.pk)
    assert retention.apply_retention(now) == 0
