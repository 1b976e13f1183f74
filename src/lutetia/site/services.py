"""The service directory: what the plugins switched on for a site offer its citizens."""

from __future__ import annotations

from dataclasses import dataclass

from .signals import services_offered


@dataclass(frozen=True)
class Service:
    """One online service, as listed in the directory and offered to menus.

    ``id`` is stable ("<plugin label>:<name>"): menus store it.
    """

    id: str
    title: str
    url: str
    description: str = ""
    category: str = ""


def services_for(site, request=None) -> list[Service]:
    """Services offered on ``site``, by category then title."""
    found: list[Service] = []
    for _receiver, response in services_offered.send_robust(
        sender=None, site=site, request=request
    ):
        if isinstance(response, list | tuple):
            found.extend(item for item in response if isinstance(item, Service))
    return sorted(found, key=lambda s: (str(s.category), str(s.title)))


def service_by_id(site, service_id: str, request=None) -> Service | None:
    for service in services_for(site, request):
        if service.id == service_id:
            return service
    return None
