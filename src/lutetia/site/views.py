"""Front-office views that are not pages: search, robots.txt, error pages."""

from __future__ import annotations

from django.conf import settings
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET
from wagtail.models import Locale, Page, Site

SEARCH_MAX_LENGTH = 200
RESULTS_PER_PAGE = 10


@require_GET
def search(request):
    """Full-text search over the live, public pages of the current site and language."""
    query = request.GET.get("q", "").strip()[:SEARCH_MAX_LENGTH]
    site = Site.find_for_request(request)
    results = None
    if query and site is not None:
        pages = Page.objects.live().public().descendant_of(site.root_page.localized, inclusive=True).specific()
        locale = Locale.objects.filter(language_code=get_language()).first()
        if locale is not None:
            pages = pages.filter(locale=locale)
        found = pages.search(query, operator="and")
        results = Paginator(found, RESULTS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "lutetia_site/search.html",
        {"query": query, "results": results, "max_length": SEARCH_MAX_LENGTH},
    )


@require_GET
@cache_control(max_age=3600, public=True)
def robots_txt(request):
    lines = ["User-agent: *", "Disallow: /admin/", "Disallow: /search/", "Disallow: /account/"]
    lines.append(f"Sitemap: {request.build_absolute_uri('/sitemap.xml')}")
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    # A failure may come from the database: render without touching it.
    from django.template import loader

    template = loader.get_template("500.html")
    return HttpResponse(
        template.render({"LANGUAGE_CODE": getattr(request, "LANGUAGE_CODE", settings.LANGUAGE_CODE)}),
        status=500,
    )
