"""Signals of the front-office site."""

from lutetia.plugins import SiteSignal

#: "Contribute items": each enabled plugin says which services it offers citizens on ``site``.
#: Arguments: ``site`` (wagtail Site), ``request`` (may be None).
#: Return: a list of `lutetia.site.services.Service`.
services_offered = SiteSignal()
