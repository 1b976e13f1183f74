"""Deleting what the back office made by mistake or no longer needs, never an appointment's
history.

- A **service** that ever had an appointment (booked, cancelled, past, or being booked) is
  kept: its appointments are the city's record; it is put offline instead. One that never had
  any, once offline, is deleted with its agendas, their rules and slots, and its waiting list.
- An **agenda**: the same, closed to bookings first (or its service offline).
- A **location**: once no agenda uses it.
- A **category**: at any time; its services are left without one.

`why_kept` says why something cannot go (a sentence, "" when it can); `delete` deletes it in
one transaction with its audit entry, or raises `Kept` — also when an appointment was made
between the page and the click.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from lutetia import audit
from lutetia.resources import remove_scope

from . import resources
from .models import Agenda, AgendaNote, Appointment, Category, Location, Service


class Kept(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _history(count: int) -> str:
    return ngettext(
        "It has %(count)s appointment (past, to come or being booked): deleting it would lose "
        "its history.",
        "It has %(count)s appointments (past, to come or being booked): deleting it would lose "
        "their history.",
        count,
    ) % {"count": count}


def why_kept(target) -> str:
    if isinstance(target, Service):
        count = Appointment.objects.filter(service=target).count()
        if count:
            return " ".join([_history(count), _("Put the service offline instead.")])
        if target.enabled:
            return _("Put the service offline first: citizens may be booking it.")
    elif isinstance(target, Agenda):
        count = Appointment.objects.filter(agenda=target).count()
        if count:
            return " ".join([_history(count), _("Close the agenda to bookings instead.")])
        if target.enabled and target.service.enabled:
            return _("Close the agenda to bookings first: citizens may be booking it.")
    elif isinstance(target, Location):
        names = sorted(str(agenda.service) for agenda in target.agendas.select_related("service"))
        if names:
            return _("Agendas of these services are at this location: %(services)s.") % {
                "services": ", ".join(names)
            }
    return ""


def _notes_of(queryset) -> list[str]:
    count = queryset.count()
    if not count:
        return []
    return [
        ngettext(
            "%(count)s note the agents wrote on the calendar",
            "%(count)s notes the agents wrote on the calendar",
            count,
        )
        % {"count": count}
    ]


def consequences(target) -> list[str]:
    """What goes with it, as sentences for the confirmation page."""
    if isinstance(target, Service):
        agendas = target.agendas.count()
        return [
            ngettext(
                "its %(count)s agenda, with its rules, resources and slots",
                "its %(count)s agendas, with their rules, resources and slots",
                agendas,
            )
            % {"count": agendas},
            _("its questions and its waiting list"),
            *_notes_of(AgendaNote.objects.filter(agenda__service=target)),
        ]
    if isinstance(target, Agenda):
        return [
            _("its rules, resources and slots"),
            *_notes_of(AgendaNote.objects.filter(agenda=target)),
        ]
    if isinstance(target, Category):
        count = target.services.count()
        if count:
            return [
                ngettext(
                    "%(count)s service will have no category",
                    "%(count)s services will have no category",
                    count,
                )
                % {"count": count}
            ]
    return []


def delete(target, *, actor) -> None:
    """Delete ``target`` (re-checked under a lock), with its audit entry; `Kept` if it must stay."""
    model = type(target)
    try:
        with transaction.atomic():
            locked = model.objects.select_for_update().get(pk=target.pk)
            reason = why_kept(locked)
            if reason:
                raise Kept(reason)
            audit.record(
                actor,
                f"appointments.{model._meta.model_name}_deleted",
                locked,
                origin="back",
                details={"name": str(locked)},
            )
            if isinstance(locked, Service):  # a workflow may be bound to its appointments
                remove_scope(resources.TYPE, resources.service_scope(locked.pk), actor)
            locked.delete()
    except model.DoesNotExist:
        return  # deleted meanwhile: what was asked is done
    except (ProtectedError, IntegrityError):
        raise Kept(
            _("Something was booked or added meanwhile: it was not deleted. Look again.")
        ) from None
