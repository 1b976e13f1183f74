"""Appointments in the back office: the "Appointments" menu. The agents' screens register their
URLs in agent_hooks.py, the configuration screens in config_hooks.py (imported here: Wagtail
only reads wagtail_hooks); each lists its menu items in ``MENU``."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import Menu, MenuItem, SubmenuMenuItem

from . import agent_hooks, config_hooks


class PermittedItem(MenuItem):
    """A menu item shown to users holding one of ``permissions``."""

    def __init__(self, *args, permissions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.permissions = permissions

    def is_shown(self, request):
        return any(request.user.has_perm(permission) for permission in self.permissions)


@hooks.register("register_admin_menu_item")
def appointments_menu():
    entries = [*agent_hooks.MENU, *config_hooks.MENU]
    items = [
        PermittedItem(label, reverse(name), icon_name=icon, order=100 * (i + 1), permissions=perms)
        for i, (label, name, icon, perms) in enumerate(entries)
    ]
    return SubmenuMenuItem(_("Appointments"), Menu(items=items), icon_name="date", order=320)
