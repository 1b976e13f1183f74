"""The agents' screens in the back office (see admin_agents.py): their URLs, under
/admin/appointments/ in the namespace "appointments_admin", their menu items and the right
a role can be given.

The resource protocol gives ``appointments_admin:appointment`` as an appointment's
back-office address; the configuration screens live under /admin/appointments/setup/
(config_hooks.py).
"""

from __future__ import annotations

from django.contrib.auth.models import Permission
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from . import admin_agents as views

PERMISSION = views.PERMISSION

urlpatterns = [
    path("", views.IndexView.as_view(), name="index"),
    path("agenda/<int:pk>/", views.CalendarView.as_view(), name="calendar"),
    path("agenda/<int:pk>/print/", views.print_day, name="print"),
    path("agenda/<int:pk>/book/", views.BookView.as_view(), name="book"),
    path("agenda/<int:pk>/notes/add/", views.NoteView.as_view(), name="note_add"),
    path("notes/<int:note>/", views.NoteView.as_view(), name="note"),
    path("notes/<int:note>/delete/", views.note_delete, name="note_delete"),
    path("<int:pk>/", views.AppointmentView.as_view(), name="appointment"),
    path("<int:pk>/presence/", views.presence, name="presence"),
    path("<int:pk>/cancel/", views.cancel, name="cancel"),
    path("<int:pk>/move/", views.MoveView.as_view(), name="move"),
    path("search/", views.SearchView.as_view(), name="search"),
    path("search/export/", views.export, name="export"),
    path("statistics/", views.StatsView.as_view(), name="stats"),
]

#: (label, URL name, icon, permissions: any of them shows the item)
MENU: tuple = (
    (_("Calendars"), "appointments_admin:index", "calendar", (PERMISSION,)),
    (_("Search appointments"), "appointments_admin:search", "search", (PERMISSION,)),
    (_("Statistics"), "appointments_admin:stats", "table", (PERMISSION,)),
)


@hooks.register("register_admin_urls")
def register_admin_urls():
    return [
        path(
            "appointments/",
            include((urlpatterns, "appointments_admin"), namespace="appointments_admin"),
        )
    ]


@hooks.register("register_permissions")
def register_permissions():
    """The right a role can be given: handle appointments."""
    return Permission.objects.filter(
        content_type__app_label="appointments", codename="manage_appointments"
    )
