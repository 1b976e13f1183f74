"""Each request wears its site's theme (`lutetia.ui.themes`)."""

from __future__ import annotations

from wagtail.models import Site

from . import themes


class ThemeMiddleware:
    """Make the site's theme the current one for the whole request (templates, tags, forms).

    The theme is looked up on first use only: a response that renders no themed template (a
    health probe, a redirect, a file) costs no query. Back-office pages keep Wagtail's own
    look; the theme is still known there (the component gallery shows it).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        def site_theme() -> themes.Theme:
            return themes.theme_for_site(Site.find_for_request(request))

        token = themes.activate(site_theme)
        try:
            return self.get_response(request)
        finally:
            themes.deactivate(token)
