"""Back-office wiring of the plugin framework: the "Plugins" screen under Settings."""

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from . import views
from .overview import can_manage_plugins

app_name = "lutetia_plugins"
urlpatterns = [
    path("", views.PluginIndexView.as_view(), name="index"),
    path("<str:label>/toggle/", views.toggle, name="toggle"),
]


class PluginsMenuItem(MenuItem):
    """Shown only to those who may switch plugins on and off."""

    def is_shown(self, request) -> bool:
        """Superusers and holders of ``lutetia_plugins.change_pluginactivation``."""
        return can_manage_plugins(request.user)


@hooks.register("register_admin_urls")
def register_admin_urls():
    """Mount the screen at /admin/plugins/ (Wagtail requires an admin login in front of it)."""
    return [path("plugins/", include((urlpatterns, app_name), namespace=app_name))]


@hooks.register("register_settings_menu_item")
def register_plugins_menu_item():
    """Settings, then Plugins."""
    return PluginsMenuItem(
        _("Plugins"), reverse("lutetia_plugins:index"), name="plugins", icon_name="cogs", order=650
    )
