"""Back office: Settings → Workgroups, and the rights that go with them."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.viewsets.model import ModelViewSet

from .models import Workgroup


class WorkgroupForm(WagtailAdminModelForm):
    """Members are chosen among agents, by name, with checkboxes (a few dozen per city)."""

    members = forms.ModelMultipleChoiceField(
        label=_("Members"),
        queryset=get_user_model().objects.filter(is_staff=True).order_by("last_name", "email"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Agents of this workgroup see and process its objects."),
    )

    class Meta:
        model = Workgroup
        fields = ["name", "code", "description", "members"]


class WorkgroupViewSet(ModelViewSet):
    model = Workgroup
    icon = "group"
    menu_label = _("Workgroups")
    add_to_settings_menu = True
    menu_order = 610
    copy_view_enabled = False
    inspect_view_enabled = True
    list_display = ["name", "code", "description"]
    search_fields = ["name", "code", "description"]
    search_backend_name = None
    inspect_view_fields = ["name", "code", "description", "members"]

    def get_form_class(self, for_update=False):
        """Members as checkboxes of agents."""
        return WorkgroupForm


workgroup_viewset = WorkgroupViewSet("workgroups")


@hooks.register("register_admin_viewset")
def register_workgroup_viewset():
    """Settings → Workgroups, at /admin/workgroups/ (model permissions apply)."""
    return workgroup_viewset


@hooks.register("register_permissions")
def register_workgroup_permissions():
    """Roles can be given the rights on workgroups, and the right to see all of them."""
    return Permission.objects.filter(
        content_type__app_label="lutetia_accounts",
        codename__in=[
            "add_workgroup",
            "change_workgroup",
            "delete_workgroup",
            "view_workgroup",
            "see_all_workgroups",
        ],
    )
