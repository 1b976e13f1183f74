"""The back-office view of the outbox: Settings → Outbox.

A Wagtail ``ModelViewSet``: the messages with their status, filters (status, channel, source,
dates), each message inspected, and "Retry now" on a failed one. Nobody adds, edits or deletes
a message here. Seeing the outbox needs ``lutetia_notify.view_outboxmessage``; retrying needs
``lutetia_notify.change_outboxmessage`` (superusers have both). Opening a message is recorded
in the access log: it holds an address and a text meant for one person.
"""

from __future__ import annotations

import django_filters
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from wagtail.admin import messages
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies import ModelPermissionPolicy

from lutetia.audit.views import RecordsPersonalDataView

from . import services
from .models import OutboxMessage, Status
from .registry import channels

VIEW_PERMISSION = "lutetia_notify.view_outboxmessage"
RETRY_PERMISSION = "lutetia_notify.change_outboxmessage"


def can_retry(user) -> bool:
    """Holders of ``lutetia_notify.change_outboxmessage`` (and superusers)."""
    return user.is_active and user.has_perm(RETRY_PERMISSION)


class OutboxPermissionPolicy(ModelPermissionPolicy):
    """The outbox is written by the code only: no adding, editing or deleting by hand."""

    def user_has_permission(self, user, action):
        """Django's ``view`` permission; never add, change (the edit form) or delete."""
        if action in {"add", "change", "delete"}:
            return False
        return super().user_has_permission(user, action)


def channel_choices():
    return channels.choices()


class OutboxFilterSet(WagtailFilterSet):
    status = django_filters.ChoiceFilter(label=gettext_lazy("Status"), choices=Status.choices)
    channel = django_filters.ChoiceFilter(label=gettext_lazy("Channel"), choices=channel_choices)
    source = django_filters.CharFilter(
        label=gettext_lazy("Source"),
        lookup_expr="startswith",
        help_text=gettext_lazy("The start of what sent it, e.g. workflow:case:42"),
    )
    created_at = django_filters.DateFromToRangeFilter(
        label=gettext_lazy("Created"), widget=DateRangePickerWidget
    )

    class Meta:
        model = OutboxMessage
        fields = []


class OutboxInspectView(RecordsPersonalDataView, generic.InspectView):
    """One message in full (but never its ``data``: a webhook's secret lives there), and
    "Retry now" when it failed."""

    template_name = "lutetia_notify/admin/inspect.html"

    def get_context_data(self, **kwargs):
        """Whether to offer "Retry now"."""
        context = super().get_context_data(**kwargs)
        context["can_retry"] = self.object.status == Status.FAILED and can_retry(self.request.user)
        return context


class OutboxViewSet(ModelViewSet):
    """Settings → Outbox."""

    model = OutboxMessage
    icon = "mail"
    menu_label = gettext_lazy("Outbox")
    menu_name = "outbox"
    menu_order = 670
    add_to_settings_menu = True
    inspect_view_class = OutboxInspectView
    inspect_view_enabled = True
    copy_view_enabled = False
    form_fields = ["status"]  # never shown: the permission policy refuses editing
    ordering = ["-created_at", "-id"]
    list_per_page = 50
    list_display = ["__str__", "created_at", "status", "attempts", "next_attempt_at", "source"]
    filterset_class = OutboxFilterSet
    inspect_view_fields = [
        "channel",
        "status",
        "recipient",
        "subject",
        "body",
        "source",
        "site",
        "user",
        "created_at",
        "attempts",
        "next_attempt_at",
        "sent_at",
        "last_error",
    ]

    def get_permissions_to_register(self):
        """The rights to see the outbox and to retry a message."""
        from django.contrib.auth.models import Permission

        return Permission.objects.filter(
            content_type__app_label="lutetia_notify",
            codename__in=["view_outboxmessage", "change_outboxmessage"],
        )

    def get_urlpatterns(self):
        """Wagtail's, plus POST retry/<pk>/."""
        return [
            *super().get_urlpatterns(),
            path("retry/<int:pk>/", self.retry_view, name="retry"),
        ]

    @property
    def retry_view(self):
        return require_POST(self._retry)

    def _retry(self, request, pk: int):
        """Give a failed message a fresh round of attempts, then back to it."""
        if not can_retry(request.user):
            raise PermissionDenied
        message = get_object_or_404(OutboxMessage, pk=pk)
        try:
            services.retry(message.pk)
        except services.NotRetryable:
            messages.error(request, _("Only a failed message can be retried."))
        else:
            messages.success(
                request, _("“%(message)s” will be tried again now.") % {"message": message}
            )
        return redirect(self.get_url_name("inspect"), message.pk)


outbox_viewset = OutboxViewSet("outbox", url_prefix="outbox")
