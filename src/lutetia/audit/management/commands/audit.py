"""``lutetia audit verify`` and ``lutetia audit purge --before YYYY-MM-DD [--yes]``."""

from __future__ import annotations

import argparse
import datetime
import getpass
import sys

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from lutetia.audit import services


class Command(BaseCommand):
    """Check the access log's hash chain, or remove entries older than a date.

    ``verify`` recomputes every entry's hash from the latest purge checkpoint on and names the
    first entry that does not match (exit status 1). ``purge`` removes the entries dated
    before midnight (in the site's time zone, ``LUTETIA_TIME_ZONE``) of the day given, keeps a
    checkpoint so the chain still verifies, and records the purge in the log.
    """

    @property
    def help(self) -> str:
        """Translated when asked for, in the active language, not at import."""
        return _("Verify the access log's hash chain, or purge entries older than a date.")

    def add_arguments(self, parser):
        subcommands = parser.add_subparsers(
            dest="subcommand", required=True, metavar="verify|purge"
        )
        subcommands.add_parser(
            "verify",
            help=_("recompute the hash chain and name the first broken entry"),
        )
        purge = subcommands.add_parser(
            "purge",
            help=_("remove entries older than a date, keeping a checkpoint of the chain"),
        )
        purge.add_argument(
            "--before",
            required=True,
            type=_date,
            metavar="YYYY-MM-DD",
            help=_("remove the entries dated before this day (site's time zone)"),
        )
        purge.add_argument("--yes", action="store_true", help=_("do not ask for confirmation"))

    def handle(self, *args, subcommand: str, **options):
        """Run the subcommand."""
        if subcommand == "verify":
            return self.verify()
        return self.purge(options["before"], options["yes"])

    def verify(self) -> None:
        result = services.verify()
        if result.checkpoint is not None:
            self.stdout.write(
                _("Starting after the purge of %(date)s (%(count)d entries before %(before)s).")
                % {
                    "date": timezone.localtime(result.checkpoint.created_at).strftime(
                        "%Y-%m-%d %H:%M"
                    ),
                    "count": result.checkpoint.count,
                    "before": timezone.localtime(result.checkpoint.before).strftime("%Y-%m-%d"),
                }
            )
        summary = ngettext(
            "%(count)d entry checked in %(seconds).2f s (%(rate)d entries/s).",
            "%(count)d entries checked in %(seconds).2f s (%(rate)d entries/s).",
            result.checked,
        ) % {"count": result.checked, "seconds": result.seconds, "rate": result.rate}
        self.stdout.write(summary)
        if result.ok:
            self.stdout.write(self.style.SUCCESS(_("OK: the chain is intact.")))
            return
        if result.reason == "content":
            why = _("its fields no longer give its hash: it was changed after it was written.")
        else:
            why = _(
                "it does not follow the entry before it: an entry before it was removed or changed."
            )
        raise CommandError(
            _("Broken chain at entry %(id)d: %(why)s") % {"id": result.broken_id, "why": why},
            returncode=1,
        )

    def purge(self, day: datetime.date, yes: bool) -> None:
        before = timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
        if before > timezone.now():
            raise CommandError(_("The date must be in the past."))
        count = services.purge_preview(before)
        if not count:
            self.stdout.write(_("No entry is older than %(day)s: nothing to purge.") % {"day": day})
            return
        if not yes:
            if not sys.stdin.isatty():
                raise CommandError(
                    ngettext(
                        "%(count)d entry would be removed; add --yes to confirm.",
                        "%(count)d entries would be removed; add --yes to confirm.",
                        count,
                    )
                    % {"count": count}
                )
            answer = input(
                ngettext(
                    "Remove %(count)d entry dated before %(day)s? Type 'yes' to confirm: ",
                    "Remove %(count)d entries dated before %(day)s? Type 'yes' to confirm: ",
                    count,
                )
                % {"count": count, "day": day}
            )
            if answer.strip().lower() != "yes":
                raise CommandError(_("Nothing was removed."))
        checkpoint = services.purge(before, by=_who())
        removed = checkpoint.count if checkpoint else 0
        self.stdout.write(
            ngettext(
                "%(count)d entry removed; the checkpoint keeps the chain verifiable.",
                "%(count)d entries removed; the checkpoint keeps the chain verifiable.",
                removed,
            )
            % {"count": removed}
        )


def _date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(
            _("“%(value)s” is not a date: write it YYYY-MM-DD.") % {"value": value}
        ) from None


def _who() -> str:
    """Who ran the purge: the account on the server (the command has no signed-in user)."""
    try:
        return f"{getpass.getuser()} (lutetia audit purge)"
    except (KeyError, OSError):
        return "lutetia audit purge"
