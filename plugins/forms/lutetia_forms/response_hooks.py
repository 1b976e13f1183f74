"""Processing responses in the back office (see admin_responses.py): its URLs, under
/admin/forms/responses/ in the namespace "forms_admin", and the right roles are given.

The "Forms" menu (wagtail_hooks.py) links to ``forms_admin:index``; the resource protocol
gives ``forms_admin:response`` as a response's back-office address.
"""

from __future__ import annotations

from django.contrib.auth.models import Permission
from django.urls import include, path
from wagtail import hooks

from . import admin_responses as views

urlpatterns = [
    path("", views.ResponsesView.as_view(), name="index"),
    path("form/<int:pk>/", views.ResponsesView.as_view(), name="form"),
    path("<int:pk>/", views.ResponseView.as_view(), name="response"),
    path("<int:pk>/files/<uuid:uid>/", views.download, name="file"),
    path("<int:pk>/pdf/", views.response_pdf, name="pdf"),
    # Across forms, or one form's (reverse with or without the form's pk).
    path("export/", views.export, name="export"),
    path("form/<int:pk>/export/", views.export, name="export"),
    path("stats/", views.StatsView.as_view(), name="stats"),
    path("form/<int:pk>/stats/", views.StatsView.as_view(), name="stats"),
]


@hooks.register("register_admin_urls")
def register_admin_urls():
    return [
        path(
            "forms/responses/",
            include((urlpatterns, "forms_admin"), namespace="forms_admin"),
        )
    ]


@hooks.register("register_permissions")
def register_permissions():
    """The right a role can be given: process form responses."""
    return Permission.objects.filter(content_type__app_label="forms", codename="process_response")
