"""Signals of citizens' accounts."""

from lutetia.plugins import SiteSignal

#: "Contribute items": the pages of a plugin where a signed-in citizen follows what they did
#: (My demands, My requests, My appointments), linked from "My account".
#: Arguments: ``site``, ``user`` (the signed-in citizen), ``request``.
#: Return: a list of {"label": str, "url": str, "description": str (optional)}.
citizen_pages = SiteSignal()


def pages_for(site, user, request=None) -> list[dict]:
    """The citizen's pages every enabled plugin offers, sorted by label."""
    found: list[dict] = []
    for _receiver, response in citizen_pages.send_robust(
        sender=None, site=site, user=user, request=request
    ):
        if isinstance(response, list | tuple):
            found.extend(item for item in response if isinstance(item, dict) and item.get("url"))
    return sorted(found, key=lambda item: str(item["label"]))
