"""A whole-page cache for anonymous visitors, emptied whenever published content changes.

Pages say they may be cached (`CacheablePageMixin`); this middleware stores their response
for anonymous GETs without a query string and serves it before sessions, locale and the page
tree are touched. The key carries a generation number kept in the database, bumped on every
publish, unpublish, move or deletion of a page and on every change of site settings or
plugin state, so every server process stops serving the old page at once.
"""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.db.models import F
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from wagtail.contrib.settings.models import BaseSiteSetting
from wagtail.models import Page, Site
from wagtail.signals import page_published, page_slug_changed, page_unpublished, post_page_move

from lutetia.plugins.signals import plugin_state_changed

KEY = "lutetia:page:{generation}:{host}:{path}"


def current_generation() -> int:
    from .models import PageCacheGeneration

    value = PageCacheGeneration.objects.filter(pk=1).values_list("generation", flat=True).first()
    return value or 0


def invalidate(**kwargs) -> None:
    """Forget every cached page (by moving to the next generation)."""
    from .models import PageCacheGeneration

    if not PageCacheGeneration.objects.filter(pk=1).update(generation=F("generation") + 1):
        PageCacheGeneration.objects.get_or_create(pk=1, defaults={"generation": 1})


for signal in (page_published, page_unpublished, post_page_move, page_slug_changed, plugin_state_changed):
    signal.connect(invalidate, dispatch_uid=f"lutetia-page-cache-{id(signal)}")


@receiver(post_delete, dispatch_uid="lutetia-page-cache-delete")
@receiver(post_save, dispatch_uid="lutetia-page-cache-save")
def invalidate_on_model_change(sender, **kwargs) -> None:
    if issubclass(sender, BaseSiteSetting | Site) or (
        issubclass(sender, Page) and kwargs.get("signal") is post_delete
    ) or sender._meta.label in {"lutetia_site.MenuItem", "lutetia_site.FooterLink"}:
        invalidate()


class AnonymousPageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        seconds = settings.LUTETIA_PAGE_CACHE_SECONDS
        if not seconds or not self._eligible(request):
            return self.get_response(request)
        key = KEY.format(generation=current_generation(), host=request.get_host(), path=request.path)
        cached = cache.get(key)
        if cached is not None:
            response = cached
            response["X-Lutetia-Cache"] = "hit"
            return response
        response = self.get_response(request)
        if (
            getattr(request, "lutetia_page_cacheable", False)
            and response.status_code == 200
            and not response.cookies
            and not response.streaming
            and not response.has_header("Cache-Control")
        ):
            cache.set(key, response, seconds)
            response["X-Lutetia-Cache"] = "miss"
        return response

    @staticmethod
    def _eligible(request) -> bool:
        return (
            request.method in ("GET", "HEAD")
            and not request.META.get("QUERY_STRING")
            and settings.SESSION_COOKIE_NAME not in request.COOKIES
            and "messages" not in request.COOKIES
        )
