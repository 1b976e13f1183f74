"""``lutetia plugins``: installed plugins, their versions and their state on each site."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _
from wagtail.models import Site

from lutetia.plugins.overview import discovery_problems, plugin_rows


class Command(BaseCommand):
    help = _("List installed plugins, their versions and their state (on/off) on each site.")

    def add_arguments(self, parser):
        """``--json`` for machines."""
        parser.add_argument(
            "--json", action="store_true", help=_("print one JSON object, for machines")
        )

    def handle(self, *args, **options):
        """Print the table (or the JSON object), then the entry points that failed."""
        sites = list(Site.objects.order_by("hostname", "port"))
        rows = plugin_rows(sites)
        problems = discovery_problems()
        if options["json"]:
            self.stdout.write(json.dumps(as_json(rows, sites, problems), indent=2))
            return
        self.stdout.write(table(rows, sites))
        if problems:
            self.stdout.write("")
            self.stdout.write(self.style.ERROR(_("Plugins that could not be loaded:")))
            for item in problems:
                self.stdout.write(
                    f"  {item.entry_point} ({item.target}, {item.distribution}): {item.error}"
                )


def as_json(rows, sites, problems) -> dict:
    """Plugins with their state per site, and discovery problems, as plain JSON values."""
    return {
        "plugins": [
            {
                "label": row.label,
                "name": row.name,
                "version": row.version,
                "category": row.category,
                "description": row.description,
                "requires": list(row.requires),
                "compatibility": row.compatibility,
                "default_enabled": row.default_enabled,
                "errors": list(row.errors),
                "sites": [
                    {
                        "site": site.pk,
                        "hostname": site.hostname,
                        "port": site.port,
                        "enabled": row.enabled_on(site),
                    }
                    for site in sites
                ],
            }
            for row in rows
        ],
        "problems": [
            {
                "entry_point": item.entry_point,
                "target": item.target,
                "distribution": item.distribution,
                "error": item.error,
            }
            for item in problems
        ],
    }


def table(rows, sites) -> str:
    """A plain-text table, one plugin a line, one on/off column per site."""
    on, off = _("on"), _("off")
    header = [_("label"), _("name"), _("version"), _("category"), _("requires")]
    header += [str(site) for site in sites]
    lines = [header]
    for row in rows:
        line = [row.label, row.name, row.version, row.category, ", ".join(row.requires) or "-"]
        line += [on if row.enabled_on(site) else off for site in sites]
        lines.append(line)
    if not rows:
        return _("No plugin is installed.")
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    return "\n".join(
        "  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)).rstrip()
        for line in lines
    )
