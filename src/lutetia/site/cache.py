"""A whole-page cache for anonymous visitors, emptied whenever published content changes.

Pages say they may be cached (`CacheablePageMixin`); `serve` (Wagtail's page view, wrapped)
stores their response for anonymous GETs without a query string and serves it before the
page tree is touched. The key carries the generation (`lutetia.site.current`), changed on every
publish, unpublish, move or deletion of a page and on every change of a site, its settings, its
menus or plugin state, so every server process stops serving the old page at once.
"""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from wagtail import views as wagtail_views
from wagtail.contrib.settings.models import BaseSiteSetting
from wagtail.models import Page, Site
from wagtail.signals import page_published, page_slug_changed, page_unpublished, post_page_move

from lutetia.plugins.signals import plugin_state_changed

from .current import current_generation, new_generation

KEY = "lutetia:page:{generation}:{host}:{path}"


def invalidate(**kwargs) -> None:
    """Forget every cached page, site and setting."""
    new_generation()


for signal in (
    page_published,
    page_unpublished,
    post_page_move,
    page_slug_changed,
    plugin_state_changed,
):
    signal.connect(invalidate, dispatch_uid=f"lutetia-page-cache-{id(signal)}")


@receiver(post_delete, dispatch_uid="lutetia-page-cache-delete")
@receiver(post_save, dispatch_uid="lutetia-page-cache-save")
def invalidate_on_model_change(sender, **kwargs) -> None:
    if kwargs.get("created") and issubclass(sender, BaseSiteSetting):
        # `for_site()` creates a site's settings, with their defaults, on the first page ever
        # shown: nothing served changes, and forgetting every page there would be wasted.
        return
    if (
        issubclass(sender, BaseSiteSetting | Site)
        or (issubclass(sender, Page) and kwargs.get("signal") is post_delete)
        or sender._meta.label in {"lutetia_site.MenuItem", "lutetia_site.FooterLink"}
    ):
        invalidate()


def serve(request, path=""):
    """Wagtail's page view, answered from the cache for anonymous visitors when possible.

    It sits at the view (not in the middleware) so that only page requests read the cache
    generation: probes, static files and plugin services never touch it.
    """
    seconds = settings.LUTETIA_PAGE_CACHE_SECONDS
    if not seconds or not _eligible(request):
        return wagtail_views.serve(request, path)
    key = KEY.format(generation=current_generation(), host=request.get_host(), path=request.path)
    cached = cache.get(key)
    if cached is not None:
        cached["X-Lutetia-Cache"] = "hit"
        return cached
    response = wagtail_views.serve(request, path)

    def store(rendered):
        if (
            getattr(request, "lutetia_page_cacheable", False)
            and rendered.status_code == 200
            and not rendered.cookies
            # A template that asked for a CSRF token makes a per-visitor page.
            and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
            and not rendered.has_header("Cache-Control")
        ):
            cache.set(key, rendered, seconds)
            rendered["X-Lutetia-Cache"] = "miss"

    if hasattr(response, "add_post_render_callback") and not response.is_rendered:
        response.add_post_render_callback(store)
    else:
        store(response)
    return response


def _eligible(request) -> bool:
    return (
        request.method in ("GET", "HEAD")
        and not request.META.get("QUERY_STRING")
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and "messages" not in request.COOKIES
    )
