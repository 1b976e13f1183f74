"""A town hall's identity-card service, as tests build it: one location, one agenda with two
desks, a typical week of mornings (Monday to Friday, 09:00–12:00, 20-minute slots)."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from lutetia_appointments import booking, opening
from lutetia_appointments.models import (
    Agenda,
    Category,
    Location,
    Resource,
    Service,
    Slot,
    TimeRange,
    WeekRule,
)

PARIS = zoneinfo.ZoneInfo("Europe/Paris")


def next_weekday(weekday: int, after: dt.date | None = None, weeks: int = 1) -> dt.date:
    """The date of ``weekday`` (0 Monday) in ``weeks`` weeks from ``after`` (default today)."""
    after = after or dt.date.today()
    ahead = (weekday - after.weekday()) % 7 or 7
    return after + dt.timedelta(days=ahead + 7 * (weeks - 1))


def identity_cards(site, *, desks: int = 2, rules: bool = True, **service_fields) -> Agenda:
    """The service, its location and agenda, its desks and typical week; slots made."""
    category = Category.objects.get_or_create(site=site, name="Identity papers")[0]
    fields = {
        "title": "Identity card",
        "slug": "identity-card",
        "enabled": True,
        "category": category,
        "horizon_days": 60,
        "min_notice_minutes": 60,
        "reference_prefix": "CNI",
        "confirmation_message": "Bring a photo and proof of address.",
    }
    fields.update(service_fields)
    service = Service.objects.create(site=site, **fields)
    location = Location.objects.create(
        site=site,
        name="Town hall",
        address="1 place de la Mairie",
        postal_code="57000",
        city="Metz",
        holiday_country="FR",
        holiday_region="57",
    )
    agenda = Agenda.objects.create(service=service, location=location, time_zone="Europe/Paris")
    for number in range(desks):
        Resource.objects.create(agenda=agenda, name=f"Desk {number + 1}")
    if rules:
        week = WeekRule.objects.create(
            agenda=agenda, starts_on=dt.date.today() - dt.timedelta(days=7)
        )
        for weekday in range(5):
            TimeRange.objects.create(
                rule=week,
                weekday=weekday,
                starts_at=dt.time(9, 0),
                ends_at=dt.time(12, 0),
                slot_minutes=20,
            )
        opening.apply(agenda)
    return agenda


def slot_at(agenda: Agenda, day: dt.date, hour: int, minute: int = 0) -> Slot:
    starts_at = dt.datetime.combine(day, dt.time(hour, minute), tzinfo=PARIS)
    return Slot.objects.get(agenda=agenda, starts_at=starts_at)


def a_working_day(agenda: Agenda, weeks: int = 2) -> dt.date:
    """A Tuesday a few weeks ahead that is not a public holiday of the agenda's location."""
    day = next_weekday(1, weeks=weeks)
    while opening.is_holiday(agenda.location, day):
        day += dt.timedelta(days=7)
    return day


def details(name: str = "Camille", email: str = "camille@example.org", **extra) -> booking.Details:
    return booking.Details(first_name=name, last_name="Martin", email=email, **extra)


def book(
    agenda: Agenda, slot: Slot, *, email: str = "camille@example.org", user=None, token=None, **kw
):
    """Hold then confirm, as the citizen's pages do."""
    import secrets

    citizen = booking.Citizen(user, email)
    held = booking.hold(
        agenda.service, slot, citizen=citizen, token=token or secrets.token_hex(8), **kw
    )
    return booking.confirm(held, details(email=email), user=user)
