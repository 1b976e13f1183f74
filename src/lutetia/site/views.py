"""Front-office views that are not pages: search, sitemap, robots.txt, error pages, the
language form."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from django.conf import settings
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import get_language
from django.views import i18n as i18n_views
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET
from wagtail.contrib.sitemaps.views import sitemap as wagtail_sitemap
from wagtail.models import Locale, Page, Site

from lutetia.accounts import services as accounts

from . import languages
from .forms import SearchForm

SEARCH_MAX_LENGTH = 200
RESULTS_PER_PAGE = 10


@require_GET
def search(request):
    """Full-text search over the live, public pages of the current site and language."""
    raw = request.GET.get("q", "").strip()
    query = raw
    if len(raw) > SEARCH_MAX_LENGTH:
        # Cut at the last whole word, or the half word left would match nothing.
        query = raw[: SEARCH_MAX_LENGTH + 1].rsplit(None, 1)[0][:SEARCH_MAX_LENGTH].strip()
    site = Site.find_for_request(request)
    results = None
    # Words only, in lower case: quotes, stars, brackets and AND/OR/NOT are the search
    # engine's own syntax, and a visitor's stray quote must not become a server error.
    words = " ".join(re.findall(r"\w+", query)).lower()
    if query and not words:
        results = Paginator(Page.objects.none(), RESULTS_PER_PAGE).get_page(1)
    elif words and site is not None:
        pages = (
            Page.objects.live()
            .public()
            .descendant_of(site.root_page.localized, inclusive=True)
            .specific()
        )
        locale = Locale.objects.filter(language_code=get_language()).first()
        if locale is not None:
            pages = pages.filter(locale=locale)
        found = pages.search(words, operator="and")
        results = Paginator(found, RESULTS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "lutetia_site/search.html",
        {
            "query": query,
            "form": SearchForm(query, max_length=SEARCH_MAX_LENGTH),
            "results": results,
            "max_length": SEARCH_MAX_LENGTH,
            "truncated": len(raw) > SEARCH_MAX_LENGTH,
            "submitted": "q" in request.GET,
        },
    )


def set_language(request):
    """Django's ``set_language`` (``POST language``, ``next``): sets the language cookie and
    sends back to ``next`` in the new language; for a signed-in person the account keeps the
    choice too. An unsupported code changes nothing (back to ``next`` as it was)."""
    next_url = request.POST.get("next", request.GET.get("next")) or ""
    # ``next`` is read in its own language, whatever the cookie said, or Django would take
    # ``/en/account/`` for a French page called "en/account".
    language = languages.language_of_path(urlsplit(next_url).path) or translation.get_language()
    with translation.override(language):
        response = i18n_views.set_language(request)
    if request.method == "POST" and request.user.is_authenticated:
        accounts.remember_language(request.user, request.POST.get("language", ""))
    return response


def sitemap(request):
    """sitemap.xml: every live, public page of the site, in every language, absolute URLs."""
    from .sitemaps import PagesSitemap

    return wagtail_sitemap(request, sitemaps={"pages": PagesSitemap})


@require_GET
@cache_control(max_age=3600, public=True)
def robots_txt(request):
    """Keeps robots out of the back office, accounts and search results; points at the sitemap."""
    lines = ["User-agent: *", "Disallow: /admin/", "Disallow: /account/", "Disallow: /search/"]
    # Search results in the other languages (/en/search/, …): endless, worthless to index.
    lines += [
        f"Disallow: /{code}/search/"
        for code, _name in settings.LANGUAGES
        if code != settings.LANGUAGE_CODE
    ]
    lines.append(f"Sitemap: {request.build_absolute_uri('/sitemap.xml')}")
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


def page_not_found(request, exception=None):
    """The themed 404 page: the site's header, menu and footer, a way home and the search."""
    return render(request, "404.html", status=404)


def csrf_failure(request, reason=""):
    """A form sent without its CSRF token, or with a forged one: a 403 that says what to do.

    Nothing the form asked for was done; the refusal goes to the access log (``CSRF_FAILURE_VIEW``).
    """
    from lutetia import audit

    audit.record(
        None,
        "auth.csrf_failed",
        outcome="denied",
        details={"path": request.path[:200], "reason": reason[:200]},
        request=request,
    )
    return render(request, "403_csrf.html", status=403)


def server_error(request):
    """A 500 page that needs neither the database nor the request context: no traceback shown."""
    # A failure may come from the database: render without touching it.
    from django.template import loader

    template = loader.get_template("500.html")
    return HttpResponse(
        template.render(
            {"LANGUAGE_CODE": getattr(request, "LANGUAGE_CODE", settings.LANGUAGE_CODE)}
        ),
        status=500,
    )


@require_GET
@cache_control(max_age=60 * 60 * 24 * 30, public=True)
def content_image(request, path):
    """An image file of the site's content, from MEDIA_ROOT/images or /original_images only."""
    from django.views.static import serve

    return serve(request, path, document_root=settings.MEDIA_ROOT)
