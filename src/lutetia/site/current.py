"""What every request reads of its site, kept in the cache.

Every key carries the **generation**: a number kept in the database and changed on every
publish, unpublish, move or deletion of a page and on every change of a site, its settings,
its menus or its plugins' state (`lutetia.site.cache`). So every server process stops using
what it kept at once, whatever its cache backend. It is read once per request
(`CurrentSiteMiddleware`), again after the request changed it, and on every call outside a
request (a task, a command). A new generation is a random number, never the previous one plus
one: what a transaction kept before it rolled back lies under a number that no later change
gives again.

- The request's **site**: `find_site`, given to Wagtail's ``Site.find_for_request`` by
  `CurrentSiteMiddleware`.
- **Site settings** of the models derived from `CachedSiteSetting`: their ``for_site``.
- What a plugin reads on every page and moves the generation for when it changes (`kept`,
  `new_generation`): appointments' agendas with their service and location.
"""

from __future__ import annotations

import contextvars
import secrets

from django.core.cache import cache
from django.http.request import split_domain_port
from wagtail.contrib.settings.models import BaseSiteSetting
from wagtail.models import Site

#: What was kept under a generation is dropped after this long, used or not.
KEEP_SECONDS = 3600

# The generation read by the current request, if read: None outside a request.
_scope: contextvars.ContextVar[dict | None] = contextvars.ContextVar(
    "lutetia_site_scope", default=None
)


def current_generation() -> int:
    """The number every cached key carries."""
    scope = _scope.get()
    if scope is not None and "generation" in scope:
        return scope["generation"]
    from django.db import connection

    from .models import PageCacheGeneration

    # Plain SQL on the hot path: building the ORM query cost more than running it.
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT generation FROM {PageCacheGeneration._meta.db_table} WHERE id = 1")  # noqa: S608
        row = cursor.fetchone()
    generation = row[0] if row else 0
    if scope is not None:
        scope["generation"] = generation
    return generation


def new_generation() -> None:
    """Forget everything kept (pages, sites, settings) by moving to a new generation."""
    from .models import PageCacheGeneration

    generation = secrets.randbits(62)
    if not PageCacheGeneration.objects.filter(pk=1).update(generation=generation):
        PageCacheGeneration.objects.update_or_create(pk=1, defaults={"generation": generation})
    scope = _scope.get()
    if scope is not None:
        scope.pop("generation", None)


# A kept None (None cannot be told from a miss).
_NONE = "-"


def kept(what: str, compute, seconds: int = KEEP_SECONDS, *, keep_none: bool = True):
    """``compute()``, kept in the cache under the current generation as ``what`` (a key's
    end: what it depends on) for at most ``seconds``. ``keep_none=False``: a None is computed
    again each time (``what`` comes from a URL: a visitor's made-up keys fill no cache)."""
    key = f"lutetia:{current_generation()}:{what}"
    found = cache.get(key)
    if found is None:
        found = compute()
        if found is not None or keep_none:
            cache.set(key, _NONE if found is None else found, seconds)
    return None if found == _NONE else found


def find_site(request) -> Site | None:
    """Wagtail's ``Site._find_for_request``, kept in the cache per host and port."""
    hostname = split_domain_port(request._get_raw_host())[0]
    return kept(f"site:{hostname}:{request.get_port()}", lambda: Site._find_for_request(request))


class CurrentSiteMiddleware:
    """The generation read at most once per request; the request's site found from the cache
    (`find_site`) for everything that asks Wagtail's ``Site.find_for_request``, once the view
    is known: probes (``/healthz``) never need it. Place it after ``WhiteNoiseMiddleware``
    (static files need neither) and before any middleware whose ``process_view`` asks for the
    site."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _scope.set({})
        try:
            return self.get_response(request)
        finally:
            _scope.reset(token)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not getattr(view_func, "lutetia_no_site", False) and not hasattr(
            request, "_wagtail_site"
        ):
            request._wagtail_site = find_site(request)


class CachedSiteSetting(BaseSiteSetting):
    """A Wagtail site setting whose ``for_site`` reads the cache first: the header, the footer,
    the theme and the time zone are read on every page. Saving a setting changes the
    generation, so no process reads the old one again."""

    class Meta:
        abstract = True

    @classmethod
    def for_site(cls, site):
        if site is None:
            return super().for_site(site)
        return kept(
            f"setting:{cls._meta.label_lower}:{site.pk}",
            lambda: super(CachedSiteSetting, cls).for_site(site),
        )
