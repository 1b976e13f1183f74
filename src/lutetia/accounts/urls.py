"""/account/: allauth's sign-in, sign-up, e-mail, password, MFA and providers, plus our pages."""

from django.urls import include, path, re_path

from . import views

urlpatterns = [
    path("", views.profile, name="account_profile"),
    # Before allauth's own "login/": the same view, with Lutetia's answers (see LoginView).
    path("login/", views.login, name="account_login"),
    # allauth's patterns, with the status codes Lutetia answers for bad links (see views).
    re_path(
        r"^confirm-email/(?P<key>[-:\w]+)/$", views.confirm_email, name="account_confirm_email"
    ),
    re_path(
        r"^password/reset/key/(?P<uidb36>[0-9A-Za-z]+)-(?P<key>.+)/$",
        views.password_reset_from_key,
        name="account_reset_password_from_key",
    ),
    path("delete/", views.delete_account, name="account_delete"),
    path("deleted/", views.account_deleted, name="account_deleted"),
    path("", include("allauth.urls")),
]
