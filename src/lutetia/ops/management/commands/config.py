import json

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from lutetia.conf.spec import BY_NAME


class Command(BaseCommand):
    help = "Print every setting's effective value and where it comes from, secrets masked."
    # The configuration is what one reads to fix a failing check: never blocked by one.
    requires_system_checks = []

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        show = sub.add_parser("show", help="print the effective configuration")
        show.add_argument("--json", action="store_true", help="one JSON object, for machines")
        sub.add_parser("doc", help="print the configuration reference (Markdown)")

    def handle(self, *args, action, **options):
        config = settings.LUTETIA_CONFIG
        if action == "doc":
            self.stdout.write(reference_markdown())
            return
        rows = config.rows()
        if options.get("json"):
            self.stdout.write(
                json.dumps(
                    {name: {"value": value, "source": source} for name, value, source in rows},
                    indent=2,
                )
            )
            return
        if config.config_file:
            self.stdout.write(_("Configuration file: %(path)s") % {"path": config.config_file})
        width = max(len(name) for name, _v, _s in rows)
        value_width = min(48, max(len(value) for _n, value, _s in rows))
        for name, value, source in rows:
            self.stdout.write(f"{name.ljust(width)}  {value.ljust(value_width)}  ({source})")
        if not rows:
            raise CommandError(_("No setting is declared."))


def reference_markdown() -> str:
    """The configuration reference, as the README's table shows it."""
    lines = ["| setting | environment | default | meaning |", "|---|---|---|---|"]
    for setting in BY_NAME.values():
        default = (
            ",".join(setting.default) if isinstance(setting.default, list) else str(setting.default)
        )
        secret = " Secret: also `" + setting.env + "_FILE`." if setting.secret else ""
        lines.append(
            f"| `{setting.name}` | `{setting.env}` | `{default or '(empty)'}` | {setting.help}{secret} |"
        )
    return "\n".join(lines)
