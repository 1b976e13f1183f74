"""/account/notifications/ (mounted by lutetia.urls, in the language prefixes)."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.inbox, name="account_notifications"),
]
