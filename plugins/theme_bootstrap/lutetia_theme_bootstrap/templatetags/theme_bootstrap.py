"""Tags of the Bootstrap theme's layout."""

from __future__ import annotations

import hashlib

from django import template
from django.urls import reverse
from wagtail.models import Site

from ..models import BootstrapIdentity

register = template.Library()


@register.simple_tag(takes_context=True)
def identity_stylesheet(context) -> str:
    """URL of the site's colours, versioned by the colours themselves."""
    request = context.get("request")
    site = Site.find_for_request(request) if request is not None else None
    # No site for this host: the default colours, as identity_css serves them.
    identity = BootstrapIdentity.for_request(request) if site is not None else BootstrapIdentity()
    colours = f"{identity.primary_colour}{identity.secondary_colour}"
    version = hashlib.sha256(colours.encode()).hexdigest()[:12]
    return f"{reverse('theme_bootstrap:identity_css')}?v={version}"
