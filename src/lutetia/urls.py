"""Routing: probes, back office, plugin services (/services/<plugin>/), then the page tree."""

from django.conf.urls.i18n import i18n_patterns
from django.urls import include, path, re_path
from wagtail import views as wagtail_views
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from lutetia.ops import views as ops_views
from lutetia.plugins import plugin_configs
from lutetia.site import cache as page_cache
from lutetia.site import views as site_views

handler404 = "lutetia.site.views.page_not_found"
handler500 = "lutetia.site.views.server_error"

urlpatterns = [
    path("healthz", ops_views.healthz, name="healthz"),
    path("readyz", ops_views.readyz, name="readyz"),
    path("robots.txt", site_views.robots_txt, name="robots_txt"),
    path("sitemap.xml", site_views.sitemap, name="sitemap"),
    path("admin/", include(wagtailadmin_urls)),
    path("api/v1/", include("lutetia.api.urls")),
    path("documents/", include(wagtaildocs_urls)),
    # Images of the site's content (originals and renditions) are public by nature; nothing
    # else under MEDIA_ROOT is served: citizens' uploads only ever go through checked views.
    re_path(
        r"^media/(?P<path>(?:images|original_images)/[^/]+)$",
        site_views.content_image,
        name="content_image",
    ),
    # Django's language form, which also keeps a signed-in person's choice on their account.
    path("i18n/setlang/", site_views.set_language, name="set_language"),
]

for plugin in plugin_configs():
    if plugin.urls:
        urlpatterns.append(
            path(
                f"services/{plugin.get_url_prefix()}/",
                include((plugin.urls, plugin.label), namespace=plugin.label),
            )
        )

urlpatterns += i18n_patterns(
    path("account/notifications/", include("lutetia.notify.urls")),
    path("account/", include("lutetia.accounts.urls")),
    path("search/", site_views.search, name="search"),
    # Wagtail's own routes (wagtail.urls), its page view wrapped by the anonymous page cache.
    path(
        "_util/authenticate_with_password/<int:page_view_restriction_id>/<int:page_id>/",
        wagtail_views.authenticate_with_password,
        name="wagtailcore_authenticate_with_password",
    ),
    re_path(r"^((?:[\w\-]+/)*)$", page_cache.serve, name="wagtail_serve"),
    prefix_default_language=False,
)

# The identity provider calls back at one address, whatever the citizen's language: the
# callback URL registered with it must not change when they switch languages.
urlpatterns += [
    path("account/", include("allauth.socialaccount.providers.openid_connect.urls")),
]
