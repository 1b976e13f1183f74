"""Signals of the front-office site."""

from lutetia.plugins import SiteSignal

#: "Contribute items": each enabled plugin says which services it offers citizens on ``site``.
#: Arguments: ``site`` (wagtail Site), ``request`` (may be None).
#: Return: a list of `lutetia.site.services.Service`.
services_offered = SiteSignal()

#: Sent once at the end of ``lutetia demo``, after the demo city (pages, settings, accounts)
#: exists: each plugin switched on for ``site`` adds its own demo data there.
#: Arguments: ``site`` (the wagtail Site of the demo city), ``stdout`` (the command's output
#: stream, an ``OutputWrapper``: write one line per thing created).
#: Receivers must be idempotent like the command itself: a second run creates no duplicates.
#: Return: ignored.
demo_requested = SiteSignal()
