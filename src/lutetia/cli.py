"""The ``lutetia`` command: Lutetia's own commands, then every Django management command."""

from __future__ import annotations

import os
import sys

USAGE = """\
usage: lutetia COMMAND [options]

Lutetia's commands:
  run             serve the site with the production server (gunicorn)
  demo            create or refresh the demo city (idempotent)
  worker          run queued background tasks (task_backend = database)
  scheduler       enqueue periodic jobs when they are due (safe with several instances)
  plugins         list installed plugins, their versions and state per site
  config show     print every setting's effective value and its source, secrets masked
  check           run the system checks (configuration, plugins, database)
  startplugin     scaffold a new plugin under plugins/
  migrate         create or update the database tables
  audit           verify the access log's hash chain (audit verify), or purge old entries
                  (audit purge --before YYYY-MM-DD [--yes])

'lutetia help' lists every command, 'lutetia help COMMAND' explains one.
"""


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lutetia.settings")
    if len(argv) < 2 or argv[1] in {"-h", "--help"}:
        sys.stdout.write(USAGE)
        return 0

    from django.core.exceptions import ImproperlyConfigured

    try:
        import django

        django.setup()
    except ImproperlyConfigured as exc:
        sys.stderr.write(f"lutetia: {exc}\n")
        return 2

    from django.core.management import execute_from_command_line
    from django.db import OperationalError

    if argv[1:2] == ["help"] and len(argv) == 2:
        sys.stdout.write(USAGE + "\n")
    try:
        execute_from_command_line(argv)
    except OperationalError as exc:
        sys.stderr.write(f"lutetia: {database_error(exc)}\n")
        return 3
    return 0


def database_error(exc: Exception) -> str:
    """One line naming the database setting, for a database that cannot be reached."""
    from django.conf import settings

    from lutetia.conf.spec import mask_url

    url = settings.LUTETIA_CONFIG["database_url"] or "sqlite (in the data directory)"
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else exc.__class__.__name__
    return f"cannot use the database LUTETIA_DATABASE_URL={mask_url(url)}: {first}"


if __name__ == "__main__":
    sys.exit(main())
