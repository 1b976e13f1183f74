"""Back office: the script that replaces Wagtail's inline scripts (see ``lutetia.ops.security``)."""

from django.templatetags.static import static
from django.utils.html import format_html
from wagtail import hooks


@hooks.register("insert_global_admin_js")
def csp_initialiser():
    """Load ``csp-init.js`` on every back-office page, after Wagtail's own scripts."""
    return format_html('<script src="{}"></script>', static("lutetia_ui/admin/csp-init.js"))
