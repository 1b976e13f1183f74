"""Contact's front-office URLs; Lutetia mounts them under /services/contact/."""

from django.urls import path

from . import views

app_name = "contact"
urlpatterns = [
    path("", views.index, name="index"),
    path("sent/", views.sent, name="sent"),
    path("messages/", views.mine, name="mine"),
    path("messages/<int:pk>/", views.detail, name="detail"),
]
