"""How allauth behaves for Lutetia: where people land after signing in and out, and the
record of refused sign-ins."""

from __future__ import annotations

import re

from allauth.account.adapter import DefaultAccountAdapter
from django.contrib.auth import signals as auth_signals
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from . import services

#: What Django hides from ``user_login_failed`` receivers (as ``django.contrib.auth`` does).
SENSITIVE = re.compile("api|token|key|secret|password|signature", re.IGNORECASE)


class AccountAdapter(DefaultAccountAdapter):
    def get_login_redirect_url(self, request) -> str:
        """Agents land in the back office, citizens on their account page, in their language.

        An address in ``?next=`` (the page that asked for the sign-in) still comes first:
        allauth only asks this when there is none.
        """
        user = request.user
        if services.is_agent(user):
            return reverse("wagtailadmin_home")
        language = services.preferred_language(user)
        with translation.override(language or translation.get_language()):
            return reverse("account_profile")

    def login(self, request, user) -> None:
        """Sign in, then speak the person's language for the rest of the request (allauth's
        "signed in" message); the language cookie follows (``UserLanguageMiddleware``)."""
        super().login(request, user)
        language = services.preferred_language(user)
        if language:
            translation.activate(language)
            request.LANGUAGE_CODE = language

    def get_logout_redirect_url(self, request) -> str:
        """The home page, in the language the person was reading."""
        return reverse("wagtail_serve", args=[""])

    def pre_authenticate(self, request, **credentials) -> None:
        """Refuse the attempt during a lock-out, and say so to ``user_login_failed``.

        allauth refuses before asking the authentication backends, so Django would not send
        ``user_login_failed`` for these attempts: the access log would miss an attack going on
        while an account is locked. Receivers get ``reason="locked_out"``.
        """
        try:
            super().pre_authenticate(request, **credentials)
        except ValidationError:
            auth_signals.user_login_failed.send(
                sender=__name__,
                credentials={
                    key: "********************" if SENSITIVE.search(key) else value
                    for key, value in credentials.items()
                },
                request=request,
                reason="locked_out",
            )
            raise
