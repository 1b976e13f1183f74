"""``lutetia worker``: run queued background tasks (the database task backend)."""

from __future__ import annotations

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, task_backends
from django_tasks.backends.immediate import ImmediateBackend
from django_tasks_db.backend import DatabaseBackend


class Command(BaseCommand):
    """django-tasks-db's ``db_worker``, refusing clearly when there is no queue to work on."""

    @property
    def help(self) -> str:
        """Translated when asked for, in the active language, not at import."""
        return _("Run queued background tasks and periodic job runs (task_backend = database).")

    def add_arguments(self, parser):
        parser.add_argument(
            "--queue-name",
            default="default",
            help=_("queues to process, comma-separated; '*' for all"),
        )
        parser.add_argument(
            "--interval",
            type=float,
            default=1.0,
            help=_("seconds to wait when the queue is empty"),
        )
        parser.add_argument(
            "--batch",
            action="store_true",
            help=_("run every queued task, then exit"),
        )
        parser.add_argument(
            "--max-tasks", type=int, default=None, help=_("exit after this many tasks")
        )

    def handle(self, *args, queue_name, interval, batch, max_tasks, **options):
        """Check the backend keeps a queue, then hand over to ``db_worker``."""
        backend = task_backends[DEFAULT_TASK_BACKEND_ALIAS]
        if isinstance(backend, ImmediateBackend):
            raise CommandError(
                _(
                    "The task backend is “immediate”: background tasks run as soon as they are "
                    "enqueued, so a worker has nothing to do. To queue them for workers, set "
                    "LUTETIA_TASK_BACKEND=database."
                )
            )
        if not isinstance(backend, DatabaseBackend):
            raise CommandError(
                _("The task backend %(backend)s has no database queue for this worker.")
                % {"backend": type(backend).__name__}
            )
        worker_options = {
            "queue_name": queue_name,
            "interval": interval,
            "batch": batch,
            "reload": False,  # a worker restarted by code changes may stop a task half-way
            "verbosity": options.get("verbosity", 1),
        }
        if max_tasks is not None:
            worker_options["max_tasks"] = max_tasks
        call_command("db_worker", **worker_options)
