"""Forms in the back office: the "Forms" menu; the builder's and the responses' own hooks live
in builder_hooks.py and response_hooks.py (imported here: Wagtail only reads wagtail_hooks)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import Menu, MenuItem, SubmenuMenuItem

from . import builder_hooks, response_hooks  # noqa: F401


class PermittedItem(MenuItem):
    """A menu item shown to users holding one of ``permissions``."""

    def __init__(self, *args, permissions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.permissions = permissions

    def is_shown(self, request):
        return any(request.user.has_perm(permission) for permission in self.permissions)


#: (label, URL name, icon, permissions: any of them shows the item)
MENU = (
    (_("Responses"), "forms_admin:index", "form", ("forms.process_response",)),
    (_("Forms"), "forms_forms:index", "doc-full", ("forms.change_form", "forms.add_form")),
    (
        _("Categories"),
        "forms_categories:index",
        "folder-open-inverse",
        ("forms.change_category", "forms.add_category"),
    ),
)


@hooks.register("register_admin_menu_item")
def forms_menu():
    items = [
        PermittedItem(label, reverse(name), icon_name=icon, order=100 * (i + 1), permissions=perms)
        for i, (label, name, icon, perms) in enumerate(MENU)
    ]
    return SubmenuMenuItem(_("Forms"), Menu(items=items), icon_name="form", order=310)
