"""``lutetia demo``: create or complete the demo city (idempotent), then say how to sign in."""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from lutetia.site import demo


class Command(BaseCommand):
    help = "Create the demo city (a fictional town) or complete it; safe to run again."

    def handle(self, *args, **options):
        result = demo.build(stdout=self.stdout)
        if result.created_pages:
            message = _("Demo city “%(town)s”: %(created)d pages created, %(total)d in all.")
        else:
            message = _("Demo city “%(town)s” is up to date: %(total)d pages, nothing to create.")
        self.stdout.write(
            self.style.SUCCESS(
                message
                % {
                    "town": demo.TOWN,
                    "created": len(result.created_pages),
                    "total": result.page_count,
                }
            )
        )
        # Always printed, whatever the verbosity: it is the one thing the user needs.
        self.stdout.write(demo.sign_in_instructions(result))
