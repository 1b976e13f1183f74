"""Workflow in the back office: the work queue, case pages, the designer, bindings, rights."""

from __future__ import annotations

from django.contrib.auth.models import Permission
from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import Menu, MenuItem, SubmenuMenuItem
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets.button import ListingButton

from lutetia.accounts.viewsets import WorkgroupScopedViewSet

from . import admin_views, designer
from .models import Workflow

design_urls = [
    path("<int:pk>/", designer.OverviewView.as_view(), name="overview"),
    path("<int:pk>/state/add/", designer.StateView.as_view(), name="state_add"),
    path("<int:pk>/state/<slug:key>/", designer.StateView.as_view(), name="state"),
    path("<int:pk>/action/add/", designer.ActionView.as_view(), name="action_add"),
    path("<int:pk>/action/<slug:key>/", designer.ActionView.as_view(), name="action"),
    path("<int:pk>/<str:kind>/<slug:key>/delete/", designer.delete_part, name="delete"),
    path("<int:pk>/<str:owner>/<slug:key>/task/add/", designer.TaskView.as_view(), name="task_add"),
    path(
        "<int:pk>/<str:owner>/<slug:key>/task/<int:index>/",
        designer.TaskView.as_view(),
        name="task",
    ),
    path(
        "<int:pk>/<str:owner>/<slug:key>/task/<int:index>/<str:command>/",
        designer.task_command,
        name="task_command",
    ),
    path("<int:pk>/json/", designer.DefinitionView.as_view(), name="json"),
    path("<int:pk>/publish/", designer.publish, name="publish"),
    path("<int:pk>/export/", designer.export, name="export"),
    path("<int:pk>/versions/", designer.VersionsView.as_view(), name="versions"),
    path("<int:pk>/test-run/", designer.TestRunView.as_view(), name="test_run"),
    path("import/", designer.ImportView.as_view(), name="import"),
    path("bindings/", designer.BindingsView.as_view(), name="bindings"),
]


class WorkflowIndexView(ModelViewSet.index_view_class):
    def get_list_more_buttons(self, instance):
        buttons = list(super().get_list_more_buttons(instance))
        buttons.insert(
            0,
            ListingButton(
                _("Design"),
                url=reverse("workflow_design:overview", args=[instance.pk]),
                icon_name="tasks",
                priority=5,
            ),
        )
        return buttons


class WorkflowViewSet(WorkgroupScopedViewSet, ModelViewSet):
    """Name, description, workgroup, enabled; the designer does the rest."""

    model = Workflow
    icon = "tasks"
    add_to_admin_menu = False
    copy_view_enabled = False
    index_view_class = WorkflowIndexView
    form_fields = ["name", "description", "workgroup", "enabled"]
    list_display = ["name", "enabled", "updated_at"]
    list_filter = ["enabled", "workgroup"]
    search_fields = ["name", "description"]
    search_backend_name = None


workflow_viewset = WorkflowViewSet("workflow_workflows")


@hooks.register("register_admin_viewset")
def register_viewset():
    return workflow_viewset


@hooks.register("register_admin_urls")
def register_admin_urls():
    return [
        path(
            "workflow/design/",
            include((design_urls, "workflow_design"), namespace="workflow_design"),
        ),
        path("workflow/queue/", admin_views.QueueView.as_view(), name="workflow_queue"),
        path("workflow/cases/<int:pk>/", admin_views.CaseView.as_view(), name="workflow_case"),
        path(
            "workflow/cases/<int:pk>/documents/<int:document_pk>/",
            admin_views.document,
            name="workflow_case_document",
        ),
        path(
            "workflow/resource/<str:resource_type>/<str:resource_id>/",
            admin_views.case_redirect,
            name="workflow_case_for",
        ),
    ]


class ProcessorMenuItem(MenuItem):
    def is_shown(self, request):
        return admin_views.can_process(request.user)


class DesignerMenuItem(MenuItem):
    def is_shown(self, request):
        return designer.can_design(request.user)


@hooks.register("register_admin_menu_item")
def register_menu():
    """Workflows > Work queue, Workflows, Which workflow processes what, Import."""
    items = [
        ProcessorMenuItem(_("Work queue"), reverse("workflow_queue"), icon_name="tasks", order=100),
        DesignerMenuItem(
            _("Workflows"), reverse("workflow_workflows:index"), icon_name="cogs", order=200
        ),
        DesignerMenuItem(
            _("Which workflow processes what"),
            reverse("workflow_design:bindings"),
            icon_name="link",
            order=300,
        ),
        DesignerMenuItem(
            _("Import a workflow"), reverse("workflow_design:import"), icon_name="upload", order=400
        ),
    ]
    return SubmenuMenuItem(
        _("Processing"), Menu(items=items), icon_name="tasks", name="workflow", order=240
    )


@hooks.register("register_permissions")
def register_permissions():
    """Rights a role can be given: process resources; design workflows."""
    return Permission.objects.filter(
        content_type__app_label="workflow",
        codename__in=["process_case", "add_workflow", "change_workflow", "delete_workflow"],
    )
