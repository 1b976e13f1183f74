"""Appointments' front-office URLs, under /services/appointments/."""

from django.urls import path

from . import views

app_name = "appointments"
urlpatterns = [
    path("", views.index, name="index"),
    path("mine/", views.mine, name="mine"),
    path("m/<str:secret>/", views.manage, name="manage"),
    path("m/<str:secret>/cancel/", views.cancel, name="cancel"),
    path("m/<str:secret>/move/", views.move, name="move"),
    path("offer/<str:secret>/", views.offer, name="offer"),
    path("a/<uuid:uid>/", views.appointment, name="appointment"),
    path("a/<uuid:uid>/calendar.ics", views.calendar_file, name="ics"),
    path("a/<uuid:uid>/cancel/", views.cancel, name="own_cancel"),
    path("a/<uuid:uid>/move/", views.move, name="own_move"),
    path("h/<uuid:uid>/", views.details, name="details"),
    path("h/<uuid:uid>/summary/", views.summary, name="summary"),
    path("h/<uuid:uid>/release/", views.release, name="release"),
    path("<slug:slug>/", views.service, name="service"),
    path("<slug:slug>/waiting/", views.waiting_list, name="waiting"),
    path("<slug:slug>/<uuid:agenda>/", views.calendar, name="calendar"),
]
