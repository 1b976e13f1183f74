import os
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _
from django.utils.translation import ngettext


class Command(BaseCommand):
    help = "Serve Lutetia with the production server (gunicorn, static files by whitenoise)."

    def add_arguments(self, parser):
        parser.add_argument("--bind", default=None, help="address:port (default: the bind setting)")
        parser.add_argument(
            "--workers", type=int, default=None, help="processes (default: the workers setting)"
        )
        parser.add_argument(
            "--print-command",
            action="store_true",
            help="print the server command instead of running it",
        )

    def handle(self, *args, bind=None, workers=None, print_command=False, **options):
        bind = bind or settings.LUTETIA_BIND
        workers = workers or settings.LUTETIA_WORKERS or (2 * (os.cpu_count() or 1) + 1)
        self._check_database()
        if settings.LUTETIA_CONFIG["mode"] == "production":
            # Manifest storage needs collected files; it is quick when nothing changed.
            call_command("collectstatic", interactive=False, verbosity=0)
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "lutetia.wsgi:application",
            "--bind",
            bind,
            "--workers",
            str(workers),
            "--worker-class",
            "gthread",
            "--threads",
            str(settings.LUTETIA_THREADS),
            "--timeout",
            "60",
            "--graceful-timeout",
            "20",
            "--forwarded-allow-ips",
            "127.0.0.1",
            "--access-logfile",
            "-",
            "--access-logformat",
            '{"time": "%(t)s", "logger": "access", "method": "%(m)s", "path": "%(U)s", '
            '"status": %(s)s, "bytes": "%(B)s", "ms": %(M)s, "request_id": "%({x-request-id}o)s"}',
        ]
        if print_command:
            self.stdout.write(" ".join(command))
            return
        self.stdout.write(
            _("Lutetia is starting on http://%(bind)s/ (stop it with Ctrl+C)") % {"bind": bind}
        )
        self.stdout.flush()
        os.execv(sys.executable, command)  # noqa: S606 (replace this process with the server)

    def _check_database(self):
        """Refuse to start on an unreachable database; warn about unapplied migrations."""
        from django.db import DEFAULT_DB_ALIAS, connections
        from django.db.migrations.executor import MigrationExecutor

        connection = connections[DEFAULT_DB_ALIAS]
        connection.ensure_connection()  # OperationalError: `lutetia` prints one clear line
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
        if pending:
            self.stderr.write(
                ngettext(
                    "%(count)d database migration is not applied: run `lutetia migrate` first.",
                    "%(count)d database migrations are not applied: run `lutetia migrate` first.",
                    len(pending),
                )
                % {"count": len(pending)}
            )
