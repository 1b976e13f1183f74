"""The demo city's appointments: identity cards and passports at the town hall and its annex
(two desks each, weekday mornings and Thursday afternoons), and a visit to the nursing home
(one room, a waiting list), with slots made for the coming weeks."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.utils import timezone, translation
from django.utils.translation import pgettext

from . import opening
from .models import (
    Agenda,
    AgendaNote,
    Category,
    Location,
    Resource,
    Service,
    TimeRange,
    WeekRule,
)

# Texts are data in the site's language; the context keeps another app's translation of the
# same English word from winning (see docs/plugins.md, "Translations").


def ensure_demo_appointments(site, stdout=None) -> Service:
    """Once: the demo's services, agendas and slots; the demo's agents may handle appointments."""
    existing = Service.objects.filter(site=site, slug="identity-card").first()
    if existing is not None:
        return existing
    with translation.override(settings.LANGUAGE_CODE):
        service = _identity_cards(site)
        _nursing_home(site)
    agents = Group.objects.filter(name="Agents").first()
    if agents is not None:
        agents.permissions.add(
            Permission.objects.get(
                content_type__app_label="appointments", codename="manage_appointments"
            )
        )
    if stdout is not None:
        stdout.write(f"appointments: {service.title} (/services/appointments/{service.slug}/)")
    return service


def _week(agenda: Agenda, ranges: list[tuple[int, dt.time, dt.time, int]]) -> None:
    week = WeekRule.objects.create(
        agenda=agenda,
        name=pgettext("demo appointments", "All year"),
        starts_on=timezone.localdate() - dt.timedelta(days=timezone.localdate().weekday()),
    )
    for weekday, start, end, minutes in ranges:
        TimeRange.objects.create(
            rule=week, weekday=weekday, starts_at=start, ends_at=end, slot_minutes=minutes
        )


def _identity_cards(site) -> Service:
    category, _created = Category.objects.get_or_create(
        site=site, name=pgettext("demo appointments", "Identity papers"), defaults={"max_future": 2}
    )
    service = Service.objects.create(
        site=site,
        slug="identity-card",
        title=pgettext("demo appointments", "Identity card or passport"),
        description=pgettext(
            "demo appointments",
            "Apply for or collect an identity card or a passport. One appointment per person.",
        ),
        category=category,
        enabled=True,
        horizon_days=42,
        min_notice_minutes=120,
        max_future=1,
        reference_prefix="CNI",
        waiting_list=True,
        retention_days=365,
        confirmation_message=pgettext(
            "demo appointments",
            "Bring your pre-application number, an identity photo less than six months old and "
            "a proof of address.",
        ),
        questions=[
            {
                "key": "document",
                "label": pgettext("demo appointments", "Document"),
                "type": "choice",
                "required": True,
                "help": "",
                "choices": [
                    ["id_card", pgettext("demo appointments", "Identity card")],
                    ["passport", pgettext("demo appointments", "Passport")],
                ],
            },
            {
                "key": "pre_application",
                "label": pgettext("demo appointments", "Pre-application number (ANTS)"),
                "type": "text",
                "required": False,
                "help": pgettext("demo appointments", "Ten characters, on your pre-application."),
            },
            {
                "key": "minors",
                "label": pgettext("demo appointments", "Children under 18 coming with you"),
                "type": "number",
                "required": True,
                "help": pgettext(
                    "demo appointments", "Each child applying for a passport comes in person."
                ),
                "shown_if": {"key": "document", "value": "passport"},
            },
        ],
    )
    mornings = [(day, dt.time(9), dt.time(12), 20) for day in range(5)]
    for name, address in (
        (pgettext("demo appointments", "Town hall"), "1 place de la Mairie"),
        (pgettext("demo appointments", "North annex"), "12 rue des Écoles"),
    ):
        location = Location.objects.create(
            site=site, name=name, address=address, postal_code="45000", city="Beaumont"
        )
        agenda = Agenda.objects.create(
            service=service, location=location, time_zone=settings.TIME_ZONE
        )
        for number in (1, 2):
            Resource.objects.create(
                agenda=agenda, name=pgettext("demo appointments", "Desk %(n)s") % {"n": number}
            )
        _week(agenda, [*mornings, (3, dt.time(14), dt.time(17), 20)])
        opening.apply(agenda)
    # the agents' note on the town hall's calendar, next Thursday
    today = timezone.localdate()
    thursday = today + dt.timedelta(days=(3 - today.weekday()) % 7 or 7)
    AgendaNote.objects.create(
        agenda=service.agendas.order_by("pk").first(),
        starts_on=thursday,
        ends_on=thursday,
        text=pgettext(
            "demo appointments",
            "A French sign language (LSF) interpreter is at desk 1 in the afternoon.",
        ),
    )
    return service


def _nursing_home(site) -> Service:
    category, _created = Category.objects.get_or_create(
        site=site, name=pgettext("demo appointments", "Seniors")
    )
    service = Service.objects.create(
        site=site,
        slug="nursing-home-visit",
        title=pgettext("demo appointments", "Visit to the Les Tilleuls nursing home"),
        description=pgettext(
            "demo appointments", "Book a visit to a resident: up to three visitors, 45 minutes."
        ),
        category=category,
        enabled=True,
        horizon_days=14,
        min_notice_minutes=60 * 24,
        max_people=3,
        max_future=2,
        reference_prefix="VIS",
        waiting_list=True,
        retention_days=90,
        questions=[
            {
                "key": "resident",
                "label": pgettext("demo appointments", "Resident you visit"),
                "type": "text",
                "required": True,
                "help": "",
            }
        ],
    )
    location = Location.objects.create(
        site=site,
        name=pgettext("demo appointments", "Les Tilleuls nursing home"),
        address="3 allée des Tilleuls",
        postal_code="45000",
        city="Beaumont",
    )
    agenda = Agenda.objects.create(service=service, location=location, time_zone=settings.TIME_ZONE)
    Resource.objects.create(
        agenda=agenda,
        name=pgettext("demo appointments", "Visiting room"),
        kind=Resource.Kind.ROOM,
        places=3,
    )
    _week(agenda, [(day, dt.time(14), dt.time(17), 45) for day in range(7)])
    opening.apply(agenda)
    return service
