"""The form builder in the back office (see admin_builder.py): the forms' and categories'
viewsets, and the builder's pages under /admin/forms/builder/.

Imported by wagtail_hooks.py, which holds the "Forms" menu.
"""

from __future__ import annotations

from django.db import transaction
from django.shortcuts import redirect
from django.urls import include, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.admin import messages
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets.button import HeaderButton, ListingButton

from lutetia.accounts.viewsets import WorkgroupScopedViewSet
from lutetia.resources import remove_scope

from . import admin_builder as builder
from . import resources
from .builder_forms import FormSettingsForm
from .models import Category, Form

# Keys of steps and questions never hold "-": "add-step" and "add-question" never clash
# with them.
builder_urls = [
    path("<int:pk>/", builder.OverviewView.as_view(), name="overview"),
    path("<int:pk>/add-step/", builder.StepView.as_view(), name="step_add"),
    path("<int:pk>/step/<slug:key>/", builder.StepView.as_view(), name="step"),
    path(
        "<int:pk>/step/<slug:step>/add-question/",
        builder.QuestionView.as_view(),
        name="question_add",
    ),
    path("<int:pk>/step/<slug:key>/<str:command>/", builder.step_command, name="step_command"),
    path("<int:pk>/question/<slug:key>/", builder.QuestionView.as_view(), name="question"),
    path(
        "<int:pk>/question/<slug:key>/<str:command>/",
        builder.question_command,
        name="question_command",
    ),
    path(
        "<int:pk>/group/<slug:parent>/add-question/",
        builder.QuestionView.as_view(),
        name="child_add",
    ),
    path(
        "<int:pk>/group/<slug:parent>/question/<slug:key>/",
        builder.QuestionView.as_view(),
        name="child",
    ),
    path(
        "<int:pk>/group/<slug:parent>/question/<slug:key>/<str:command>/",
        builder.question_command,
        name="child_command",
    ),
    path("<int:pk>/json/", builder.DefinitionView.as_view(), name="json"),
    path("<int:pk>/preview/", builder.PreviewView.as_view(), name="preview"),
    path("<int:pk>/report/", builder.ReportView.as_view(), name="report"),
    path("<int:pk>/publish/", builder.publish, name="publish"),
    path("<int:pk>/versions/", builder.VersionsView.as_view(), name="versions"),
    path("<int:pk>/export/", builder.export, name="export"),
    path("<int:pk>/duplicate/", builder.DuplicateView.as_view(), name="duplicate"),
    path("import/", builder.ImportView.as_view(), name="import"),
]


# --- forms -------------------------------------------------------------------------------------


class FormIndexView(ModelViewSet.index_view_class):
    """The list of forms, each with its "Build" button; "Import a form" above."""

    def get_list_more_buttons(self, instance):
        buttons = list(super().get_list_more_buttons(instance))
        buttons.insert(
            0,
            ListingButton(
                gettext_lazy("Build"),
                url=reverse("forms_builder:overview", args=[instance.pk]),
                icon_name="form",
                priority=5,
            ),
        )
        if builder.can_create(self.request.user):
            buttons.append(
                ListingButton(
                    gettext_lazy("Duplicate"),
                    url=reverse("forms_builder:duplicate", args=[instance.pk]),
                    icon_name="copy",
                    priority=40,
                )
            )
        return buttons

    @property
    def header_buttons(self):
        buttons = list(super().header_buttons)
        if builder.can_create(self.request.user):
            buttons.append(
                HeaderButton(
                    gettext_lazy("Import a form"),
                    url=reverse("forms_builder:import"),
                    icon_name="upload",
                )
            )
        return buttons


class FormCreateView(ModelViewSet.add_view_class):
    """A new form belongs to the site being administered (the request's, else the default
    one); it starts offline, with a draft of one empty step; then the builder opens."""

    def get_initial_form_instance(self):
        return Form(site=builder.current_site(self.request))

    def get_success_url(self):
        return reverse("forms_builder:overview", args=[self.object.pk])


class FormDeleteView(ModelViewSet.delete_view_class):
    """A form with responses is not deleted here: its responses are citizens' demands, kept
    and removed by their own rules (retention). Take the form offline instead."""

    def form_valid(self, form):
        if self.object.responses.exists():
            messages.error(
                self.request,
                _(
                    "“%(title)s” has responses: it cannot be deleted. Take it offline instead; "
                    "its responses are removed by the retention rules."
                )
                % {"title": self.object},
            )
            return redirect(self.index_url_name)
        with transaction.atomic():  # a workflow bound to the form lets go of it
            scope = resources.form_scope(self.object.pk)
            remove_scope(resources.TYPE, scope, actor=self.request.user)
            return super().form_valid(form)


class FormViewSet(WorkgroupScopedViewSet, ModelViewSet):
    """A form's settings; the builder (the "Build" button) does its steps and questions."""

    model = Form
    icon = "doc-full"
    add_to_admin_menu = False
    copy_view_enabled = False
    index_view_class = FormIndexView
    add_view_class = FormCreateView
    delete_view_class = FormDeleteView
    list_display = ["title", "slug", "category", "enabled", "workgroup", "updated_at"]
    list_filter = ["enabled", "category", "workgroup", "login_required"]
    search_fields = ["title", "slug", "description"]
    search_backend_name = None

    def get_form_class(self, for_update=False):
        return FormSettingsForm


form_viewset = FormViewSet("forms_forms")


# --- categories --------------------------------------------------------------------------------


class CategoryViewSet(ModelViewSet):
    """Headings of the list of forms, per site."""

    model = Category
    icon = "folder-open-inverse"
    add_to_admin_menu = False
    copy_view_enabled = False
    form_fields = ["name", "order", "site"]
    list_display = ["name", "order", "site"]
    list_filter = ["site"]
    search_fields = ["name"]
    search_backend_name = None


category_viewset = CategoryViewSet("forms_categories")


@hooks.register("register_admin_viewset")
def register_form_viewset():
    return form_viewset


@hooks.register("register_admin_viewset")
def register_category_viewset():
    return category_viewset


@hooks.register("register_admin_urls")
def register_admin_urls():
    return [
        path(
            "forms/builder/",
            include((builder_urls, "forms_builder"), namespace="forms_builder"),
        )
    ]
