from django.urls import path

from . import views

app_name = "dummy"
urlpatterns = [path("", views.hello, name="hello")]
