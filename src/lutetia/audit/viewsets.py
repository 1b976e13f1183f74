"""The back-office viewer of the access log: Settings → Access log.

A Wagtail ``ModelViewSet``: list with filters (actor, action, target, dates, outcome, origin,
category), inspect view, CSV/XLSX export. Read-only for everyone, superusers included (the
permission policy refuses add, change and delete); reading needs
``lutetia_audit.view_auditentry`` (superusers have it; give it to a role for investigators).
Every visit, page of results, entry opened and download is itself recorded.
"""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies import ModelPermissionPolicy

from .chain import FIELDS
from .models import AuditEntry, Category, Origin, Outcome
from .views import AuditIndexView, AuditInspectView

VIEW_PERMISSION = "lutetia_audit.view_auditentry"

#: Characters that make a spreadsheet read a cell as a formula (CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class AuditEntryPermissionPolicy(ModelPermissionPolicy):
    """Nobody adds, changes or deletes an entry through the back office; viewing is a right."""

    def user_has_permission(self, user, action):
        """Django's ``view`` permission; never add, change or delete."""
        if action in {"add", "change", "delete"}:
            return False
        return super().user_has_permission(user, action)


class AuditEntryFilterSet(WagtailFilterSet):
    """What an investigator narrows the log by."""

    actor = django_filters.CharFilter(
        label=_("Actor"), method="filter_actor", help_text=_("E-mail address or user id.")
    )
    action = django_filters.CharFilter(
        label=_("Action"),
        lookup_expr="istartswith",
        help_text=_("The start of an action's name, e.g. auth. or wagtail.publish"),
    )
    target_type = django_filters.CharFilter(
        label=_("Target type"),
        lookup_expr="iexact",
        help_text=_("app.model, e.g. lutetia_contact.contactmessage"),
    )
    target_id = django_filters.CharFilter(label=_("Target id"), lookup_expr="exact")
    timestamp = django_filters.DateFromToRangeFilter(label=_("Date"), widget=DateRangePickerWidget)
    outcome = django_filters.ChoiceFilter(label=_("Outcome"), choices=Outcome.choices)
    origin = django_filters.ChoiceFilter(label=_("Origin"), choices=Origin.choices)
    category = django_filters.ChoiceFilter(label=_("Category"), choices=Category.choices)
    ip = django_filters.CharFilter(label=_("IP address"), lookup_expr="exact")
    request_id = django_filters.CharFilter(label=_("Request id"), lookup_expr="exact")

    class Meta:
        model = AuditEntry
        fields = []

    def filter_actor(self, queryset, name, value):
        """An address (any part of it) or a user's id."""
        value = value.strip()
        if value.isdigit():
            return queryset.filter(actor_id=value)
        return queryset.filter(actor_name__icontains=value)


def _csv_safe(value):
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_START) else text


#: Exported columns: everything an investigator may need to hand over (the hashed fields).
EXPORT_FIELDS = ["id", *FIELDS, "hash"]


class AuditEntryViewSet(ModelViewSet):
    """Settings → Access log."""

    model = AuditEntry
    icon = "history"
    menu_label = _("Access log")
    menu_name = "access-log"
    menu_order = 680
    add_to_settings_menu = True
    index_view_class = AuditIndexView
    inspect_view_class = AuditInspectView
    inspect_view_enabled = True
    copy_view_enabled = False
    # Never shown: the permission policy refuses adding and changing to everyone.
    form_fields = ["action"]
    ordering = ["-id"]
    list_per_page = 50
    list_display = [
        "timestamp",
        "action",
        "actor_display",
        "role",
        "target_display",
        "outcome",
        "origin",
        "ip",
    ]
    filterset_class = AuditEntryFilterSet
    list_export = EXPORT_FIELDS
    export_filename = "access-log"
    # All but the site id, which the site name says better; the hashes last.
    inspect_view_fields = [f for f in FIELDS if f != "site_id"] + ["previous_hash", "hash"]

    def get_permissions_to_register(self):
        """Only the right to read: adding, changing and deleting exist for nobody."""
        from django.contrib.auth.models import Permission

        return Permission.objects.filter(
            content_type__app_label="lutetia_audit", codename="view_auditentry"
        )

    def get_index_view_kwargs(self, **kwargs):
        """Values an attacker typed (user agent, login) cannot become spreadsheet formulas."""
        safe = {field: {"csv": _csv_safe} for field in EXPORT_FIELDS if field != "timestamp"}
        return super().get_index_view_kwargs(custom_field_preprocess=safe, **kwargs)


audit_entry_viewset = AuditEntryViewSet("access_log", url_prefix="access-log")
