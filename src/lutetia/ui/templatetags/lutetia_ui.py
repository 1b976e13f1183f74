"""Template tags of the base layout: what it hands the header, breadcrumb and footer components."""

from django import template
from django.conf import settings
from django.urls import reverse, translate_url
from django.utils.translation import get_language, override
from django.utils.translation import gettext as _

register = template.Library()


def _translations(page, request) -> dict[str, str]:
    """Language code → URL of each live translation of ``page`` (itself included)."""
    if page is None or not hasattr(page, "get_translations"):
        return {}
    found = {}
    for translation in page.get_translations(inclusive=True).live().select_related("locale"):
        url = translation.get_url(request)
        if url:
            found[translation.locale.language_code] = url
    return found


def _home_url(code: str) -> str:
    with override(code):
        return reverse("wagtail_serve", args=[""])


@register.simple_tag(takes_context=True)
def language_links(context):
    """One link per language to this page's translation (or this address in that language).

    A page without a translation in some language links to the home page in that language:
    an address translated blindly would answer 404. Plain links, not a form: no CSRF cookie,
    so pages stay cacheable, and no JavaScript.
    """
    request = context.get("request")
    page = context.get("page")
    current = get_language()
    translations = _translations(page, request)
    links = []
    for code, name in settings.LANGUAGES:
        if code in translations:
            url = translations[code]
        elif page is not None:
            url = _home_url(code)
        elif request is not None:
            url = translate_url(request.path, code)
        else:
            url = _home_url(code)
        links.append({"code": code, "name": name, "url": url, "current": code == current})
    return links


@register.simple_tag(takes_context=True)
def alternates(context):
    """(language code, absolute URL) of every live translation of the page, itself included.

    Absolute URLs are built from the request, so they carry the host the visitor used.
    """
    request = context.get("request")
    translations = _translations(context.get("page"), request)
    if len(translations) < 2 or request is None:
        return []
    return [(code, request.build_absolute_uri(url)) for code, url in translations.items()]


@register.simple_tag(takes_context=True)
def breadcrumb(context):
    """The live ancestors of the page shown, from the site's home page (in its language) down.

    Empty on a home page. Pages above the site's root (the tree's root, other sites) never show.
    """
    page = context.get("page")
    if page is None or not hasattr(page, "get_ancestors"):
        return []
    ancestors = list(page.get_ancestors().filter(depth__gt=1).live().specific())
    # The site's home is the shallowest ancestor that is a translation of the site's root.
    request = context.get("request")
    from wagtail.models import Site

    site = Site.find_for_request(request) if request is not None else None
    if site is not None:
        root_key = site.root_page.translation_key
        for index, ancestor in enumerate(ancestors):
            if ancestor.translation_key == root_key:
                ancestors = ancestors[index:]
                break
    return [(ancestor.title, ancestor.get_url(request)) for ancestor in ancestors]


@register.simple_tag(takes_context=True)
def breadcrumb_links(context):
    """`breadcrumb` as the breadcrumb component's links ({label, url})."""
    return [{"label": title, "url": url} for title, url in breadcrumb(context)]


@register.simple_tag
def skip_links():
    """The skip links every page starts with: to the content and to the footer."""
    return [
        {"label": _("Skip to content"), "url": "#content"},
        {"label": _("Skip to the footer"), "url": "#footer"},
    ]


@register.simple_tag(takes_context=True)
def account_links(context):
    """The header's account links: My account when signed in, Sign in otherwise."""
    request = context.get("request")
    user = context.get("user")
    path = request.path if request is not None else ""
    if user is not None and user.is_authenticated:
        url, label = reverse("account_profile"), _("My account")
    else:
        url, label = reverse("account_login"), _("Sign in")
    return [{"label": label, "url": url, "current": url == path}]


@register.simple_tag(takes_context=True)
def current_links(context, links):
    """``links`` ({label, url}) with ``current`` set on the one of the page shown."""
    request = context.get("request")
    path = request.path if request is not None else None
    return [{**link, "current": link.get("url") == path} for link in links or ()]


#: django.contrib.messages' levels as the alert component's.
MESSAGE_LEVELS = {"debug": "info", "info": "info", "success": "success", "warning": "warning"}


@register.filter
def alert_level(message) -> str:
    """The alert level of a django.contrib.messages message."""
    return MESSAGE_LEVELS.get(message.level_tag, "error")
