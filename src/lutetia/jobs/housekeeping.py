"""The core's own periodic jobs."""

from datetime import datetime, timedelta

from django.utils.translation import gettext_lazy as _

from .registry import periodic_job

#: How long a finished task stays in the database queue's table (for the record) before it goes.
TASK_RESULTS_KEPT = timedelta(days=14)


@periodic_job(
    "core.prune_task_results",
    every=timedelta(days=1),
    verbose_name=_("Prune finished background tasks"),
    description=_(
        "Deletes the records of background tasks finished more than two weeks ago, so the "
        "database queue does not grow without end. Nothing to do with the immediate backend."
    ),
)
def prune_task_results(now: datetime) -> int:
    """Delete finished task results older than `TASK_RESULTS_KEPT`; return how many went."""
    from django_tasks_db.models import DBTaskResult

    deleted, _by_model = (
        DBTaskResult.objects.finished().filter(finished_at__lt=now - TASK_RESULTS_KEPT).delete()
    )
    return deleted
