"""The back office's sign-in goes through allauth; agents without a second factor are sent to set
one up when the setting requires it.

A signed-in person's language and time zone are applied by ``lutetia.site.middleware``."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.messages.storage import default_storage
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from . import services

ADMIN_PREFIX = "/admin/"
#: Back-office addresses an agent without a second factor may still open.
ALLOWED_WITHOUT_MFA = ("/admin/logout/",)
#: Wagtail's own sign-in and password-reset pages, and allauth's pages that replace them.
WAGTAIL_ENTRANCES = {
    "/admin/login/": "account_login",
    "/admin/password_reset/": "account_reset_password",
}


class AgentMFAMiddleware:
    """The back office is entered through allauth only, and with a second factor when required.

    - Wagtail's own sign-in page (/admin/login/) and password reset (/admin/password_reset/...)
      redirect to allauth's: signing in there would skip the second factor, the throttles and
      the lock-out, and its reset form would tell which addresses have an account.
    - With ``LUTETIA_MFA_REQUIRED_FOR_AGENTS``, an agent (see ``services.is_agent``) who has not
      activated an authenticator app and asks for a page under /admin/ is redirected to the
      activation page, with a message saying why. The activation page lives under /account/,
      so there is no loop; once the app is active, /admin/ opens and every later sign-in asks
      for its code (allauth's MFA stage).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        for prefix, url_name in WAGTAIL_ENTRANCES.items():
            if request.path_info.startswith(prefix):
                target = reverse(url_name)
                next_url = request.GET.get("next")
                if next_url and url_name == "account_login":
                    target = f"{target}?{urlencode({'next': next_url})}"
                return redirect(target)
        if (
            settings.LUTETIA_MFA_REQUIRED_FOR_AGENTS
            and request.path_info.startswith(ADMIN_PREFIX)
            and not request.path_info.startswith(ALLOWED_WITHOUT_MFA)
            and services.is_agent(request.user)
            and not services.has_authenticator_app(request.user)
        ):
            return self.refuse(request)
        return self.get_response(request)

    def refuse(self, request):
        # This middleware may run before MessageMiddleware: then the message goes into a
        # storage of its own, written into the redirect.
        storage = getattr(request, "_messages", None)
        own_storage = storage is None
        if own_storage:
            storage = default_storage(request)
        storage.add(
            messages.WARNING,
            _(
                "The back office requires two-factor authentication. Activate an "
                "authenticator app on your telephone to continue: you will then be asked "
                "for its code each time you sign in."
            ),
        )
        response = redirect(reverse("mfa_activate_totp"))
        if own_storage:
            storage.update(response)
        return response
