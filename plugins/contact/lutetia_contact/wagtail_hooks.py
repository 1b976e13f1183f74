"""Contact's back office: the messages citizens sent, listed, filtered, inspected, exported.

Topics are edited per site under Settings → Contact form (`ContactSettings`).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.views.generic import EditView, IndexView, InspectView
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from lutetia import resources
from lutetia.accounts.viewsets import WorkgroupScopedViewSet
from lutetia.audit.views import RecordsPersonalDataExport, RecordsPersonalDataView

from . import services
from .models import ContactMessage


class ContactMessagePermissionPolicy(ModelPermissionPolicy):
    """Messages come from citizens only: nobody, not even a superuser, adds one by hand."""

    def user_has_permission(self, user, action):
        """Django's model permissions, except ``add`` which nobody has."""
        if action == "add":
            return False
        return super().user_has_permission(user, action)


register_permission_policy(ContactMessage, ContactMessagePermissionPolicy(ContactMessage))


class ContactMessageEditView(EditView):
    """Agents change a message's status; who did it, and when, is recorded with it."""

    def save_instance(self):
        """Record the agent and the time, then save as Wagtail does (with its log entry)."""
        services.record_status(self.form.instance, self.request.user)
        return super().save_instance()


class ContactMessageIndexView(RecordsPersonalDataExport, IndexView):
    """The list; each CSV or XLSX export of citizens' messages goes to the access log."""


class ContactMessageInspectView(RecordsPersonalDataView, InspectView):
    """A message in full: a citizen's personal data, so each view goes to the access log.

    Below the message, what other plugins contribute (a workflow's actions and history).
    """

    template_name = "lutetia_contact/admin/inspect.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["panels"] = resources.panels(
            resources.admin_panels, self.object, user=self.request.user, request=self.request
        )
        return context


#: What an agent sees of a message, in the inspect view and in exports alike.
MESSAGE_FIELDS = [
    "reference",
    "created_at",
    "site",
    "subject",
    "workgroup",
    "name",
    "email",
    "message",
    "status",
    "handled_by",
    "answered_at",
]


class ContactMessageViewSet(WorkgroupScopedViewSet, ModelViewSet):
    """Listing with filters and CSV/XLSX export, inspect view, status edit; no add or copy.

    Agents see the messages of their workgroups (and those of topics without one).
    """

    model = ContactMessage
    icon = "mail"
    menu_label = _("Contact messages")
    menu_order = 250
    add_to_admin_menu = True
    copy_view_enabled = False
    inspect_view_enabled = True
    index_view_class = ContactMessageIndexView
    inspect_view_class = ContactMessageInspectView
    edit_view_class = ContactMessageEditView
    form_fields = ["status"]
    list_display = ["reference", "subject", "name", "email", "status", "created_at", "site"]
    list_filter = ["topic", "workgroup", "status", "created_at", "site"]
    list_export = MESSAGE_FIELDS
    export_filename = "contact-messages"
    search_fields = ["name", "email", "subject", "message"]
    # Messages are not in the search index: search the database directly.
    search_backend_name = None
    inspect_view_fields = MESSAGE_FIELDS


contact_message_viewset = ContactMessageViewSet("contact_messages")


@hooks.register("register_admin_viewset")
def register_viewset():
    """Mount the messages at /admin/contact_messages/, with their menu item."""
    return contact_message_viewset
