"""What citizens receive: confirmations with an .ics file, changes, cancellations, reminders.

Each message is written to the core's outbox in the use case's transaction (rolled back with
it, delivered after commit), in the citizen's language; times are the agenda's local times.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import override
from icalendar import Calendar, Event, vCalAddress, vText

from lutetia import notify

from .models import Appointment


def absolute(site, path: str) -> str:
    return site.root_url.rstrip("/") + path


def manage_url(appointment: Appointment, secret: str) -> str:
    """The citizen's link to see, cancel or move the appointment (the secret is its key)."""
    return absolute(appointment.site, reverse("appointments:manage", args=[secret]))


def when(appointment: Appointment) -> str:
    """ "Monday 30 November 2026, 09:30" in the agenda's zone and the active language."""
    local = appointment.starts_at.astimezone(zoneinfo.ZoneInfo(appointment.agenda.time_zone))
    return "{}, {}".format(
        formats.date_format(local, "l j F Y"), formats.time_format(local, "TIME_FORMAT")
    )


def ics(appointment: Appointment, *, method: str = "PUBLISH") -> bytes:
    """The appointment as an iCalendar file (RFC 5545): one VEVENT, UID stable across changes,
    SEQUENCE growing with them, STATUS CANCELLED once cancelled."""
    location = appointment.agenda.location
    calendar = Calendar()
    calendar.add("prodid", "-//Lutetia//appointments//EN")
    calendar.add("version", "2.0")
    calendar.add("method", method)
    event = Event()
    event.add("uid", f"{appointment.uid}@lutetia")
    event.add("dtstamp", timezone.now().astimezone(dt.UTC))
    event.add("dtstart", appointment.starts_at.astimezone(dt.UTC))
    event.add("dtend", appointment.ends_at.astimezone(dt.UTC))
    event.add("summary", f"{appointment.service.title} ({appointment.reference})")
    event.add("location", vText(f"{location.name}, {location.full_address}"))
    description = [_("Reference: %(reference)s") % {"reference": appointment.reference}]
    if appointment.service.confirmation_message:
        description.append(appointment.service.confirmation_message)
    event.add("description", "\n".join(description))
    event.add("sequence", appointment.revision)
    event.add(
        "status", "CANCELLED" if appointment.status == Appointment.Status.CANCELLED else "CONFIRMED"
    )
    if appointment.site.root_url:
        organizer = vCalAddress("mailto:noreply@" + (appointment.site.hostname or "localhost"))
        organizer.params["cn"] = vText(appointment.site.site_name or appointment.site.hostname)
        event.add("organizer", organizer)
    calendar.add_component(event)
    return calendar.to_ical()


def _send(appointment: Appointment, subject: str, body: str, *, attach: bool = True) -> None:
    if not appointment.email:
        return
    attachments = []
    if attach:
        method = "CANCEL" if appointment.status == Appointment.Status.CANCELLED else "PUBLISH"
        attachments = [
            (f"{appointment.reference}.ics", ics(appointment, method=method), "text/calendar")
        ]
    notify.email(
        appointment.email,
        subject,
        body,
        site=appointment.site,
        user=appointment.owner,
        attachments=attachments,
        source=f"appointments:{appointment.pk}",
    )


def _place(appointment: Appointment) -> str:
    location = appointment.agenda.location
    return f"{location.name}, {location.full_address}"


def booked(appointment: Appointment, secret: str) -> None:
    with override(appointment.language or None):
        body = _(
            "Hello,\n\nYour appointment “%(service)s” is booked for %(when)s at %(place)s.\n"
            "Its reference is %(reference)s.\n\n"
        ) % {
            "service": appointment.service.title,
            "when": when(appointment),
            "place": _place(appointment),
            "reference": appointment.reference,
        }
        if appointment.service.confirmation_message:
            body += appointment.service.confirmation_message + "\n\n"
        if secret:
            body += _("To cancel or move it: %(url)s") % {"url": manage_url(appointment, secret)}
        _send(
            appointment,
            _("Appointment booked: %(service)s, %(when)s")
            % {"service": appointment.service.title, "when": when(appointment)},
            body,
        )


def rescheduled(appointment: Appointment) -> None:
    with override(appointment.language or None):
        body = _(
            "Hello,\n\nYour appointment “%(service)s” (%(reference)s) was moved to %(when)s "
            "at %(place)s. The calendar file attached replaces the previous one."
        ) % {
            "service": appointment.service.title,
            "when": when(appointment),
            "place": _place(appointment),
            "reference": appointment.reference,
        }
        _send(
            appointment,
            _("Appointment moved: %(service)s, %(when)s")
            % {"service": appointment.service.title, "when": when(appointment)},
            body,
        )


def cancelled(appointment: Appointment, *, by_citizen: bool) -> None:
    with override(appointment.language or None):
        if by_citizen:
            body = _(
                "Hello,\n\nYour appointment “%(service)s” of %(when)s (%(reference)s) is "
                "cancelled, as you asked."
            )
        else:
            body = _(
                "Hello,\n\nWe had to cancel your appointment “%(service)s” of %(when)s "
                "(%(reference)s). Please book another one; we apologise."
            )
        body = body % {
            "service": appointment.service.title,
            "when": when(appointment),
            "reference": appointment.reference,
        }
        if appointment.cancel_reason and not by_citizen:
            body += "\n\n" + appointment.cancel_reason
        _send(
            appointment,
            _("Appointment cancelled: %(service)s, %(when)s")
            % {"service": appointment.service.title, "when": when(appointment)},
            body,
        )


def reminder(appointment: Appointment) -> int:
    """The reminder e-mail (and text message when the service sends them and a mobile number
    was given); returns the messages queued."""
    sent = 0
    with override(appointment.language or None):
        text = _(
            "Reminder: your appointment “%(service)s” is on %(when)s at %(place)s (%(reference)s)."
        ) % {
            "service": appointment.service.title,
            "when": when(appointment),
            "place": _place(appointment),
            "reference": appointment.reference,
        }
        if appointment.email:
            _send(
                appointment,
                _("Reminder: %(service)s, %(when)s")
                % {"service": appointment.service.title, "when": when(appointment)},
                _("Hello,\n\n") + text,
                attach=False,
            )
            sent += 1
        if appointment.service.reminder_sms and appointment.phone:
            try:
                notify.sms(
                    appointment.phone,
                    text,
                    site=appointment.site,
                    user=appointment.owner,
                    source=f"appointments:{appointment.pk}",
                )
                sent += 1
            except ValueError:
                pass  # not a mobile number: the e-mail went
    return sent


def offered(entry, appointment: Appointment, secret: str) -> None:
    """A waiting citizen is offered a slot that freed up."""
    with override(entry.language or None):
        url = absolute(appointment.site, reverse("appointments:offer", args=[secret]))
        body = _(
            "Hello,\n\nA slot freed up for “%(service)s”: %(when)s at %(place)s. It is kept "
            "for you until %(until)s. To take it: %(url)s\n\nIf you do not take it, it will be "
            "offered to the next person waiting."
        ) % {
            "service": appointment.service.title,
            "when": when(appointment),
            "place": _place(appointment),
            "until": formats.date_format(
                timezone.localtime(appointment.hold_expires_at), "DATETIME_FORMAT"
            ),
            "url": url,
        }
        notify.email(
            entry.email,
            _("A slot is free for you: %(service)s") % {"service": appointment.service.title},
            body,
            site=appointment.site,
            user=entry.owner,
            source=f"appointments:waiting:{entry.pk}",
        )
