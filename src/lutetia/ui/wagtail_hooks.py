"""Back office: the script that replaces Wagtail's inline scripts (see ``lutetia.ops.security``),
and Settings → Component gallery."""

from django.templatetags.static import static
from django.urls import include, path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from . import gallery

app_name = "lutetia_ui_gallery"
urlpatterns = [
    path("", gallery.GalleryView.as_view(), name="index"),
    path("<slug:name>/preview/", gallery.preview, name="preview"),
]


class GalleryMenuItem(MenuItem):
    def is_shown(self, request) -> bool:
        """Superusers and those who may choose the theme."""
        return gallery.can_see_gallery(request.user)


@hooks.register("register_admin_urls")
def register_gallery_urls():
    """/admin/ui-gallery/ (Wagtail asks for a back-office login in front of it)."""
    return [path("ui-gallery/", include((urlpatterns, app_name), namespace=app_name))]


@hooks.register("register_settings_menu_item")
def register_gallery_menu_item():
    """Settings → Component gallery."""
    return GalleryMenuItem(
        _("Component gallery"),
        reverse("lutetia_ui_gallery:index"),
        name="component-gallery",
        icon_name="image",
        order=690,
    )


@hooks.register("insert_global_admin_js")
def csp_initialiser():
    """Load ``csp-init.js`` on every back-office page, after Wagtail's own scripts."""
    return format_html('<script src="{}"></script>', static("lutetia_ui/admin/csp-init.js"))
