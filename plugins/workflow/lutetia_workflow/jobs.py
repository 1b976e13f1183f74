"""Workflow's periodic job: timed actions ("relaunch after 15 days, close after 30")."""

from datetime import datetime, timedelta

from django.utils.translation import gettext_lazy as _

from lutetia.jobs.registry import periodic_job


@periodic_job(
    "workflow.timed_actions",
    every=timedelta(minutes=5),
    timeout=timedelta(hours=1),
    atomic=False,
    verbose_name=_("Run timed workflow actions"),
    description=_(
        "Applies each timed action to the resources that have waited its delay in one of its "
        "source states. Each resource is its own transaction."
    ),
)
def run_timed_actions(now: datetime) -> int:
    from .engine import run_timed

    return run_timed(now).applied
