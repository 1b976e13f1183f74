"""Configuring appointments in the back office (see admin_config.py): its URLs, under
/admin/appointments/setup/ in the namespace "appointments_config", its menu items (wagtail_hooks
builds the "Appointments" menu from them) and the right roles are given."""

from __future__ import annotations

from django.contrib.auth.models import Permission
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from . import admin_config as views

PERMISSION = views.PERMISSION

urlpatterns = [
    path("", views.ServicesView.as_view(), name="index"),
    path("services/add/", views.ServiceEditView.as_view(), name="service_add"),
    path("services/<int:pk>/", views.ServiceView.as_view(), name="service"),
    path("services/<int:pk>/edit/", views.ServiceEditView.as_view(), name="service_edit"),
    path("services/<int:pk>/questions/", views.QuestionsView.as_view(), name="questions"),
    path("services/<int:pk>/questions/add/", views.QuestionEditView.as_view(), name="question_add"),
    path(
        "services/<int:pk>/questions/json/",
        views.QuestionsJsonView.as_view(),
        name="questions_json",
    ),
    path(
        "services/<int:pk>/questions/<slug:key>/edit/",
        views.QuestionEditView.as_view(),
        name="question",
    ),
    path(
        "services/<int:pk>/questions/<slug:key>/<str:command>/",
        views.QuestionCommandView.as_view(),  # POST only
        name="question_command",
    ),
    path("services/<int:pk>/duplicate/", views.DuplicateView.as_view(), name="duplicate"),
    path("services/<int:pk>/toggle/", views.ToggleView.as_view(), name="toggle"),
    path("services/<int:pk>/delete/", views.ServiceDeleteView.as_view(), name="service_delete"),
    path("services/<int:pk>/agendas/add/", views.AgendaAddView.as_view(), name="agenda_add"),
    path("categories/", views.CategoriesView.as_view(), name="categories"),
    path("categories/add/", views.CategoryEditView.as_view(), name="category_add"),
    path("categories/<int:pk>/", views.CategoryEditView.as_view(), name="category"),
    path(
        "categories/<int:pk>/delete/",
        views.CategoryDeleteView.as_view(),
        name="category_delete",
    ),
    path("locations/", views.LocationsView.as_view(), name="locations"),
    path("locations/add/", views.LocationEditView.as_view(), name="location_add"),
    path("locations/<int:pk>/", views.LocationEditView.as_view(), name="location"),
    path(
        "locations/<int:pk>/delete/",
        views.LocationDeleteView.as_view(),
        name="location_delete",
    ),
    path("agendas/<int:pk>/", views.AgendaView.as_view(), name="agenda"),
    path("agendas/<int:pk>/edit/", views.AgendaEditView.as_view(), name="agenda_edit"),
    path("agendas/<int:pk>/delete/", views.AgendaDeleteView.as_view(), name="agenda_delete"),
    path("agendas/<int:pk>/resources/add/", views.ResourceEditView.as_view(), name="resource_add"),
    path(
        "agendas/<int:pk>/resources/<int:resource>/",
        views.ResourceEditView.as_view(),
        name="resource",
    ),
    path(
        "agendas/<int:pk>/resources/<int:resource>/delete/",
        views.ResourceDeleteView.as_view(),
        name="resource_delete",
    ),
    path("agendas/<int:pk>/absences/add/", views.AbsenceAddView.as_view(), name="absence_add"),
    path(
        "agendas/<int:pk>/absences/<int:absence>/delete/",
        views.AbsenceDeleteView.as_view(),
        name="absence_delete",
    ),
    path("agendas/<int:pk>/weeks/add/", views.WeekEditView.as_view(), name="week_add"),
    path("agendas/<int:pk>/weeks/<int:rule>/", views.WeekEditView.as_view(), name="week"),
    path("agendas/<int:pk>/days/add/", views.SpecificDayEditView.as_view(), name="day_add"),
    path("agendas/<int:pk>/days/<int:rule>/", views.SpecificDayEditView.as_view(), name="day"),
    path("agendas/<int:pk>/closing/add/", views.ClosingAddView.as_view(), name="closing_add"),
    path(
        "agendas/<int:pk>/closing/import/",
        views.ClosingImportView.as_view(),
        name="closing_import",
    ),
    path(
        "agendas/<int:pk>/<str:kind>/<int:rule>/delete/",
        views.RuleDeleteView.as_view(),
        name="rule_delete",
    ),
    path("agendas/<int:pk>/slots/", views.SlotsView.as_view(), name="slots"),
    path("agendas/<int:pk>/slots/bulk/", views.BulkSlotsView.as_view(), name="slots_bulk"),
    path("agendas/<int:pk>/slots/desk/", views.DeskView.as_view(), name="desk"),
]

#: (label, URL name, icon, permissions: any of them shows the item)
MENU: tuple = (
    (_("Services and agendas"), "appointments_config:index", "cog", (PERMISSION,)),
    (_("Locations"), "appointments_config:locations", "site", (PERMISSION,)),
    (_("Categories"), "appointments_config:categories", "folder-open-inverse", (PERMISSION,)),
)


@hooks.register("register_admin_urls")
def register_admin_urls():
    return [
        path(
            "appointments/setup/",
            include((urlpatterns, "appointments_config"), namespace="appointments_config"),
        )
    ]


@hooks.register("register_permissions")
def register_permissions():
    """The right a role can be given: configure services and agendas."""
    return Permission.objects.filter(
        content_type__app_label="appointments", codename="configure_agendas"
    )
