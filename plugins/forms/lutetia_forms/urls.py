"""Forms' front-office URLs, under /services/forms/."""

from django.urls import path

from . import views

app_name = "forms"
urlpatterns = [
    path("", views.index, name="index"),
    path("mine/", views.mine, name="mine"),
    path("resume/<str:secret>/", views.resume, name="resume"),
    path("correct/<str:secret>/", views.correct_link, name="correct_link"),
    path("r/<uuid:uid>/correct/", views.correct, name="correct"),
    path("r/<uuid:uid>/correct/<slug:key>/", views.correct_step, name="correct_step"),
    path("r/<uuid:uid>/", views.response_page, name="response"),
    path("r/<uuid:uid>/summary/", views.summary, name="summary"),
    path("r/<uuid:uid>/saved/", views.saved, name="saved"),
    path("r/<uuid:uid>/discard/", views.discard, name="discard"),
    path("r/<uuid:uid>/done/", views.done, name="done"),
    path("r/<uuid:uid>/receipt/", views.receipt, name="receipt"),
    path("r/<uuid:uid>/files/<uuid:file_uid>/", views.download, name="download"),
    path("r/<uuid:uid>/step/<slug:key>/", views.step, name="step"),
    path("r/<uuid:uid>/step/<slug:key>/refresh/", views.refresh, name="refresh"),
    path("<slug:slug>/", views.detail, name="detail"),
]
