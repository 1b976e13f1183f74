"""The site's colours as a stylesheet: a file the CSP allows, unlike an inline <style>."""

from __future__ import annotations

from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_GET
from wagtail.models import Site

from .colours import rgb, shade
from .models import BootstrapIdentity


def identity_context(identity: BootstrapIdentity) -> dict:
    """Every shade the stylesheet needs, from the two colours."""
    values = {}
    for name, colour in (
        ("primary", identity.primary_colour),
        ("secondary", identity.secondary_colour),
    ):
        values[name] = {
            "colour": colour,
            "rgb": ", ".join(str(v) for v in rgb(colour)),
            "hover": shade(colour, 0.15),
            "active": shade(colour, 0.25),
        }
    return values


@require_GET
def identity_css(request):
    """``:root`` and component variables with the site's colours (Settings → Colours).

    The layout links it with a version that changes with the colours, so browsers keep it a
    year and a new colour shows at the next page.
    """
    site = Site.find_for_request(request)
    identity = BootstrapIdentity.for_site(site) if site else BootstrapIdentity()
    css = render_to_string("theme_bootstrap/identity.css", identity_context(identity))
    response = HttpResponse(css, content_type="text/css; charset=utf-8")
    patch_cache_control(response, public=True, max_age=365 * 24 * 3600, immutable=True)
    return response
