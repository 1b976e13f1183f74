from django.urls import path

from . import views

urlpatterns = [path("identity.css", views.identity_css, name="identity_css")]
