"""Appointments' periodic jobs: holds that ran out, waiting-list offers, reminders, new slots,
retention."""

from datetime import datetime, timedelta

from django.utils.translation import gettext_lazy as _

from lutetia.jobs.registry import periodic_job


@periodic_job(
    "appointments.holds",
    every=timedelta(minutes=1),
    timeout=timedelta(minutes=5),
    atomic=False,
    verbose_name=_("Free the slots held too long"),
    description=_(
        "Slots held while citizens fill the questions, and slots offered from a waiting list, "
        "go back to the pool when their time runs out (an offer goes to the next citizen)."
    ),
)
def free_holds(now: datetime) -> int:
    from . import booking, waiting

    offers = waiting.expire_offers(now)
    return offers + len(booking.release_expired(now))


@periodic_job(
    "appointments.reminders",
    every=timedelta(minutes=10),
    timeout=timedelta(minutes=30),
    atomic=False,
    verbose_name=_("Send appointment reminders"),
    description=_(
        "E-mails (and text messages where the service sends them) the citizens whose "
        "appointment comes within the service's reminder delay."
    ),
)
def send_reminders(now: datetime) -> int:
    from . import reminders

    return reminders.send_due(now)


@periodic_job(
    "appointments.slots",
    every=timedelta(hours=6),
    timeout=timedelta(hours=1),
    atomic=False,
    verbose_name=_("Make the slots of the coming weeks"),
    description=_(
        "Each agenda's slots are made from its opening rules up to its booking horizon; an "
        "agenda whose rules conflict with booked appointments is left as it is."
    ),
)
def make_slots(now: datetime) -> int:
    from . import opening

    return opening.extend_all(now)


@periodic_job(
    "appointments.retention",
    every=timedelta(days=1),
    timeout=timedelta(hours=4),
    atomic=False,
    verbose_name=_("Erase the citizens' details of old appointments"),
    description=_(
        "Each service says how long the details of its citizens are kept after their "
        "appointment; then their name, contact and answers are erased, each appointment in "
        "its own transaction with an entry in the access log, and the waiting-list entries "
        "that ended are deleted."
    ),
)
def apply_retention(now: datetime) -> int:
    from . import retention

    return retention.apply_retention(now)
