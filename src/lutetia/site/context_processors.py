"""What every front-office template needs: the site, its identity, menus and footer."""

from __future__ import annotations

from django.utils import translation
from django.utils.functional import SimpleLazyObject
from wagtail.models import Site

from lutetia.plugins import enabled_labels

from .current import kept

#: The header and footer are kept this long at most: a change of pages, menus or settings
#: forgets them at once (the generation); a plugin's service renamed or closed, linked from a
#: menu, shows within this time.
CHROME_SECONDS = 60


def _links(items, site, request):
    from .services import services_for

    services = None
    links = []
    for item in items:
        if item.link_page_id:
            page = item.link_page.localized
            if not page.live:
                continue
            links.append({"label": item.label or page.title, "url": page.get_url(request)})
        elif item.service:
            if services is None:
                services = {s.id: s for s in services_for(site, request)}
            service = services.get(item.service)
            if service is not None:  # its plugin is off, or gone: the entry vanishes
                links.append({"label": item.label or service.title, "url": service.url})
        else:
            links.append({"label": item.label, "url": item.link_url})
    return links


def site_chrome(request):
    """Header and footer data, computed only when a template uses it, kept in the cache per
    site and language."""

    def chrome():
        site = Site.find_for_request(request)
        if site is None:
            return {
                "site": None,
                "identity": None,
                "menu": [],
                "footer_links": [],
                "footer_text": "",
            }
        return kept(
            f"chrome:{site.pk}:{translation.get_language()}",
            lambda: _chrome(request, site),
            CHROME_SECONDS,
        )

    return {"chrome": SimpleLazyObject(chrome)}


def _chrome(request, site) -> dict:
    from .models import Navigation, SiteIdentity

    navigation = Navigation.for_site(site)
    return {
        "site": site,
        "identity": SiteIdentity.for_site(site),
        "home_url": site.root_page.localized.get_url(request),
        "menu": _links(navigation.menu_items.select_related("link_page"), site, request),
        "footer_links": _links(navigation.footer_links.select_related("link_page"), site, request),
        "footer_text": navigation.footer_text,
        "plugins": enabled_labels(site),
    }
