"""Sign-in through OpenID Connect providers: the claims fill the profile.

Which providers exist is configuration (``oidc_providers``, see `lutetia.conf.django`); this
adapter decides what their answers are worth:

- Sign-up: ``given_name``/``family_name`` (or ``name``) fill the first and last names, ``email``
  the e-mail address, ``locale`` the language when it is one the site speaks, ``zoneinfo`` the
  time zone.
- Later sign-ins fill only what is still empty in the profile: the profile belongs to the
  citizen, who may have corrected a name or chosen a language; a provider never overwrites it,
  and never changes the e-mail address used to sign in (that goes through verification).
- An e-mail address counts as verified only when the provider's ``email_verified`` claim is
  true; nothing in the configuration can force it.
- A provider's identity is never linked to an existing local account because the e-mail
  addresses match (``SOCIALACCOUNT_EMAIL_AUTHENTICATION = False``): that would hand the account
  to whoever controls an identity at any configured provider. The citizen signs in with their
  password and connects the provider on the "Accounts connected to sign in" page. When the
  provider vouches for the address (``email_verified``), the page says so plainly: the person
  in front of it owns the address, so telling them it has an account reveals nothing. When it
  does not, allauth's enumeration-safe flow runs (an e-mail to the address's owner).
"""

from __future__ import annotations

import logging
import zoneinfo

from allauth.account.utils import filter_users_by_email, user_field
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.providers.base import AuthProcess
from django.conf import settings
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)

# The profile fields a provider may fill, with the claim each comes from.
PROFILE_CLAIMS = (("first_name", "given_name"), ("last_name", "family_name"))


def claims_of(sociallogin) -> dict:
    """The provider's claims about the person: userinfo, else the ID token's."""
    data = sociallogin.account.extra_data or {}
    return data.get("userinfo") or data.get("id_token") or {}


def language_from_claims(claims: dict) -> str:
    """The site language matching the ``locale`` claim (``fr-FR``, ``en_US``, ``hu``), or ''."""
    locale = str(claims.get("locale") or "")
    language = locale.replace("_", "-").split("-")[0].lower()
    return language if language in dict(settings.LANGUAGES) else ""


def time_zone_from_claims(claims: dict) -> str:
    """The ``zoneinfo`` claim when it names a known time zone, or ''."""
    name = str(claims.get("zoneinfo") or "")
    if not name:
        return ""
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return ""
    return name


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    error_messages = {
        **DefaultSocialAccountAdapter.error_messages,
        "email_taken": _(
            "An account already uses this e-mail address. Sign in to it with your password, "
            "then connect %s from the “Accounts connected to sign in” page."
        ),
        "no_password": _(
            "This is your only way to sign in: choose a password for your account before you "
            "disconnect it."
        ),
        "no_verified_email": _(
            "Confirm your e-mail address before you disconnect this account: without it you "
            "could not recover your password."
        ),
        "disconnect_last": _("You cannot disconnect your only way to sign in."),
        "connected_other": _(
            "This account at the provider is already connected to another person's account."
        ),
    }

    def populate_user(self, request, sociallogin, data):
        """A new citizen's profile, from the claims."""
        user = super().populate_user(request, sociallogin, data)
        # A claim longer than the column would fail the insert on PostgreSQL: cut it.
        for field in ("first_name", "last_name"):
            setattr(user, field, getattr(user, field)[:150])
        claims = claims_of(sociallogin)
        user_field(user, "language", language_from_claims(claims))
        user_field(user, "time_zone", time_zone_from_claims(claims))
        return user

    def pre_social_login(self, request, sociallogin):
        """A returning citizen: fill what their profile still lacks. A new identity whose
        verified address already has an account here: explain, and stop."""
        if not sociallogin.is_existing:
            self._stop_when_the_address_has_an_account(request, sociallogin)
            return
        user = sociallogin.user
        claims = claims_of(sociallogin)
        values = {field: str(claims.get(claim) or "")[:150] for field, claim in PROFILE_CLAIMS}
        values["language"] = language_from_claims(claims)
        values["time_zone"] = time_zone_from_claims(claims)
        changed = [field for field, value in values.items() if value and not getattr(user, field)]
        for field in changed:
            setattr(user, field, values[field])
        if changed:
            user.save(update_fields=changed)

    def _stop_when_the_address_has_an_account(self, request, sociallogin) -> None:
        if sociallogin.state.get("process") == AuthProcess.CONNECT:
            return  # connecting to the signed-in account: allauth checks the owner
        for address in sociallogin.email_addresses:
            if address.verified and filter_users_by_email(address.email):
                response = render(
                    request,
                    "socialaccount/account_exists.html",
                    {"provider": sociallogin.provider, "email": address.email},
                    status=409,
                )
                raise ImmediateHttpResponse(response)

    def is_email_verified(self, provider, email) -> bool:
        """Only the provider's ``email_verified`` claim vouches for an address (allauth reads
        it when it builds the login); no setting marks a whole provider as trusted."""
        return False

    def on_authentication_error(
        self, request, provider, error=None, exception=None, extra_context=None
    ) -> None:
        # The citizen sees a plain page; the operator needs the provider's answer.
        logger.warning(
            "OpenID Connect sign-in through %s failed: %s %s",
            getattr(provider, "sub_id", provider),
            error,
            exception or "",
        )
        super().on_authentication_error(
            request, provider, error=error, exception=exception, extra_context=extra_context
        )
