"""Agents' notes on an agenda's calendar (Lutece's appointment comments): "desk 2 under repair
this morning", "an interpreter comes on Tuesday". A note covers one day or a period; the
agents' day, week and month views and the printed day list show it on the days it covers;
citizens never see it.

Written, changed and deleted here, each in one transaction with its access-log entry (which
names the agenda and the period, never the note's words: agents may write a citizen's name).
Notes that ended longer ago than their service keeps citizens' details are deleted by the
retention job (`retention.py`).
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from lutetia import audit

from .models import Agenda, AgendaNote


def covering(agenda: Agenda, first: dt.date, last: dt.date) -> list[AgendaNote]:
    """The agenda's notes covering at least one day from ``first`` to ``last``."""
    return list(
        AgendaNote.objects.filter(agenda=agenda, starts_on__lte=last, ends_on__gte=first)
        .select_related("author")
        .order_by("starts_on", "pk")
    )


def of_day(notes: list[AgendaNote], day: dt.date) -> list[AgendaNote]:
    return [note for note in notes if note.starts_on <= day <= note.ends_on]


def _target(note: AgendaNote) -> tuple[str, int, str]:
    label = f"{note.agenda} {note.starts_on.isoformat()}"
    if note.ends_on != note.starts_on:
        label += f"/{note.ends_on.isoformat()}"
    return ("appointments.agendanote", note.pk, label)


def _details(note: AgendaNote) -> dict:
    return {
        "agenda": note.agenda_id,
        "from": note.starts_on.isoformat(),
        "to": note.ends_on.isoformat(),
    }


def add(agenda: Agenda, *, starts_on: dt.date, ends_on: dt.date, text: str, author) -> AgendaNote:
    with transaction.atomic():
        note = AgendaNote.objects.create(
            agenda=agenda, starts_on=starts_on, ends_on=ends_on, text=text.strip(), author=author
        )
        audit.record(author, "appointments.note_added", _target(note), details=_details(note))
    return note


def change(note: AgendaNote, *, starts_on: dt.date, ends_on: dt.date, text: str, actor) -> None:
    with transaction.atomic():
        note.starts_on, note.ends_on, note.text = starts_on, ends_on, text.strip()
        note.save(update_fields=["starts_on", "ends_on", "text", "updated_at"])
        audit.record(actor, "appointments.note_changed", _target(note), details=_details(note))


def delete(note: AgendaNote, *, actor) -> None:
    with transaction.atomic():
        target, details = _target(note), _details(note)
        AgendaNote.objects.filter(pk=note.pk).delete()
        audit.record(actor, "appointments.note_deleted", target, details=details)


def purge(agenda_ids, cutoff: dt.date) -> int:
    """Delete the notes of these agendas that ended before ``cutoff``; how many."""
    with transaction.atomic():
        count, _by_model = AgendaNote.objects.filter(
            agenda_id__in=agenda_ids, ends_on__lt=cutoff
        ).delete()
    return count
