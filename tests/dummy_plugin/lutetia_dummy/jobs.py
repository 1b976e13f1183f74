"""The dummy plugin's periodic job: exercises a plugin's job in the core's tests."""

from datetime import datetime, timedelta

from django.utils.translation import gettext_lazy as _

from lutetia.jobs.registry import periodic_job

#: When the job ran, in order: the tests read it.
runs: list[datetime] = []


@periodic_job(
    "dummy.count_things",
    every=timedelta(hours=1),
    verbose_name=_("Count the dummy things"),
    description=_("Test-only: counts things, so tests see a plugin's job run."),
)
def count_things(now: datetime) -> int:
    """Count the things (a query, inside the job's transaction)."""
    from .models import Thing

    runs.append(now)
    return Thing.objects.count()
