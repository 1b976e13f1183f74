"""``lutetia startplugin NAME``: scaffold a plugin laid out as the house style says."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lutetia.plugins.scaffold import ScaffoldError, scaffold


class Command(BaseCommand):
    help = gettext_lazy(
        "Create plugins/NAME/: a plugin distribution with its entry point, package and tests."
    )

    def create_parser(self, prog_name, subcommand, **kwargs):
        # argparse formats its description with a regular expression: it needs a str, not the
        # lazy translation (``--help`` crashed), so translate it now, in the active language.
        self.help = str(self.help)
        return super().create_parser(prog_name, subcommand, **kwargs)

    def add_arguments(self, parser):
        """NAME, and ``--directory`` (default ``plugins``)."""
        parser.add_argument(
            "name", help=gettext_lazy("the plugin's label: lower case, a Python identifier")
        )
        parser.add_argument(
            "--directory",
            default="plugins",
            help=gettext_lazy("the folder to create the plugin in (default: plugins)"),
        )

    def handle(self, *args, name: str, directory: str, **options):
        """Write the files, then say what to do next."""
        try:
            target = scaffold(name, Path(directory))
        except ScaffoldError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            self.style.SUCCESS(
                _("Created the plugin “%(name)s” in %(path)s.") % {"name": name, "path": target}
            )
        )
        self.stdout.write(
            _(
                "Next: install it (pip install -e %(path)s, or make install), then run its tests "
                "(pytest %(path)s) and fill in its description in apps.py."
            )
            % {"path": target}
        )
