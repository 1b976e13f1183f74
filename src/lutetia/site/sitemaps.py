"""The sitemap of a site: its pages in every language (Wagtail's own lists only the root's tree)."""

from __future__ import annotations

from wagtail.contrib.sitemaps import Sitemap
from wagtail.models import Page


class PagesSitemap(Sitemap):
    """Live, public pages under the site's root page and under each of its translations."""

    def items(self):
        root = self.get_wagtail_site().root_page
        pages = Page.objects.none()
        for home in root.get_translations(inclusive=True):
            pages |= Page.objects.descendant_of(home, inclusive=True)
        return pages.live().public().order_by("path").defer_streamfields().specific()
