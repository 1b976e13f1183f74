"""Workflow's front-office URLs, under /services/workflow/."""

from django.urls import path

from . import hooks, views

app_name = "workflow"
urlpatterns = [
    path("answer/<str:token>/", views.answer, name="answer"),
    path("", views.mine, name="mine"),
    path("cases/<int:pk>/action/", views.citizen_action, name="citizen_action"),
    path("cases/<int:pk>/documents/<int:document_pk>/", views.document, name="document"),
    path("hooks/<int:pk>/<slug:action>/", hooks.hook, name="hook"),
]
