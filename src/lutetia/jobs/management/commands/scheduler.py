"""``lutetia scheduler``: enqueue periodic jobs when they are due."""

from __future__ import annotations

import logging
import signal
import threading

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, close_old_connections
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from lutetia.jobs import services

logger = logging.getLogger("lutetia.jobs.scheduler")


class Command(BaseCommand):
    """Every ``LUTETIA_SCHEDULER_INTERVAL`` seconds, claim the due jobs and enqueue their runs.

    Run as many schedulers as you like (one per machine, say): each due job is claimed by one
    conditional UPDATE (`lutetia.jobs.services.claim_job`), so the database elects exactly one
    of them per due time and the others skip it; no leader to elect, nothing to fail over.
    SIGTERM or SIGINT ends the loop after the current pass; a second one stops at once.
    """

    @property
    def help(self) -> str:
        """Translated when asked for, in the active language, not at import."""
        return _("Enqueue periodic jobs when they are due; safe with several schedulers at once.")

    def add_arguments(self, parser):
        parser.add_argument(
            "--once", action="store_true", help=_("do one pass, then exit (cron, tests)")
        )
        parser.add_argument(
            "--interval",
            type=int,
            default=None,
            help=_("seconds between passes (default: the scheduler_interval setting)"),
        )

    def handle(self, *args, once: bool = False, interval: int | None = None, **options):
        """Loop over passes until stopped, or do one with ``--once``."""
        interval = interval or settings.LUTETIA_SCHEDULER_INTERVAL
        if interval < 1:
            raise CommandError(_("The interval must be at least one second."))
        if once:
            try:
                enqueued = services.schedule_due_jobs()
            except DatabaseError as exc:
                raise CommandError(_("The scheduler cannot reach the database: %s") % exc) from exc
            if options.get("verbosity", 1) >= 1:
                count = len(enqueued)
                self.stdout.write(
                    ngettext(
                        "%(count)d periodic job enqueued.",
                        "%(count)d periodic jobs enqueued.",
                        count,
                    )
                    % {"count": count}
                )
            return
        stop = threading.Event()
        previous = self._trap_signals(stop)
        logger.info("scheduler started", extra={"interval": interval})
        try:
            while not stop.is_set():
                close_old_connections()  # a long-lived process: drop dead or expired connections
                try:
                    services.schedule_due_jobs()
                except DatabaseError:
                    # The database may come back (restart, failover): keep trying every pass.
                    logger.exception("scheduler pass failed")
                stop.wait(interval)
        finally:
            for signum, handler in previous.items():
                signal.signal(signum, handler)
            close_old_connections()
            logger.info("scheduler stopped")

    def _trap_signals(self, stop: threading.Event) -> dict:
        def graceful(signum, frame):
            if stop.is_set():
                raise KeyboardInterrupt
            logger.info(
                "scheduler stopping after this pass", extra={"signal": signal.strsignal(signum)}
            )
            stop.set()

        return {
            signum: signal.signal(signum, graceful) for signum in (signal.SIGTERM, signal.SIGINT)
        }
