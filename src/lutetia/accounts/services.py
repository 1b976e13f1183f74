"""Accounts: creating people who can sign in, their preferences, erasing an account.

Views and management commands call these; none of them reads ``request``.

Who has a verified e-mail address? django-allauth refuses a sign-in (it sends a verification
link instead) until the address has a verified ``EmailAddress`` row. The rule here: an address
typed by the person themselves (sign-up, change of address, OpenID Connect without a provider's
guarantee) is verified by following the link; an address given by a trusted path is verified at
once: ``create_user(..., verified=True)`` (the demo, the test personas, scripts), an account
created as superuser (``createsuperuser``), an account an administrator creates or edits in the
back office (see ``receivers``).
"""

from __future__ import annotations

import uuid
import zoneinfo
from functools import cache

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import ProtectedError, RestrictedError

#: Back-office access: what Wagtail checks, and what makes a user an agent for Lutetia.
ADMIN_ACCESS_PERMISSION = "wagtailadmin.access_admin"


def create_user(email: str, password: str | None = None, *, verified: bool = True, **fields):
    """Create a user who can sign in with ``email`` and ``password`` (no password: unusable).

    ``verified=True`` (the default) records the address as verified, so the person signs in
    at once: use it only for addresses given by a trusted path (demo, personas, an import by
    the city). ``fields`` are the model's (``first_name``, ``is_staff``, ``language``...).
    """
    with transaction.atomic():
        user = get_user_model().objects.create_user(email=email, password=password, **fields)
        if verified:
            mark_email_verified(user)
    return user


def mark_email_verified(user) -> None:
    """Record ``user.email`` as the user's verified, primary address (idempotent).

    Any other address of the user stops being primary; nothing is sent.
    """
    from allauth.account.models import EmailAddress

    with transaction.atomic():
        address = EmailAddress.objects.filter(user=user, email__iexact=user.email).first()
        EmailAddress.objects.filter(user=user, primary=True).exclude(
            pk=getattr(address, "pk", None)
        ).update(primary=False)
        if address is None:
            EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
        elif not (address.verified and address.primary):
            address.verified = address.primary = True
            address.save(update_fields=["verified", "primary"])


def account_of_verified_email(email: str):
    """The active account that has verified ``email`` (any case), or None: none has, or
    several have. For linking to a citizen's account what an agent records for them (an
    appointment booked on the phone): what is sent to that address is theirs already."""
    from allauth.account.models import EmailAddress

    email = (email or "").strip()
    if not email:
        return None
    owners = list(
        EmailAddress.objects.filter(email__iexact=email, verified=True, user__is_active=True)
        .values_list("user_id", flat=True)
        .distinct()[:2]
    )
    if len(owners) != 1:
        return None
    return get_user_model().objects.get(pk=owners[0])


def is_agent(user) -> bool:
    """Whether ``user`` reaches the back office: flagged agent, superuser, or given the right."""
    return bool(
        user is not None
        and user.is_authenticated
        and user.is_active
        and (user.is_staff or user.has_perm(ADMIN_ACCESS_PERMISSION))
    )


def has_authenticator_app(user) -> bool:
    """Whether ``user`` has activated an authenticator app (TOTP) as second factor."""
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def lockout_minutes() -> int | None:
    """How long sign-in to one account stays paused after repeated failures (allauth's
    ``login_failed`` rate per key, e.g. "5/15m/key"), in minutes; None when not limited."""
    from allauth.account import app_settings

    units = {"s": 1, "m": 60, "h": 3600, "d": 86400}
    for rate in (app_settings.RATE_LIMITS.get("login_failed") or "").split(","):
        parts = rate.strip().split("/")
        if len(parts) == 3 and parts[2] == "key" and parts[1] and parts[1][-1] in units:
            number = float(parts[1][:-1] or 1)
            return max(1, round(number * units[parts[1][-1]] / 60))
    return None


@cache
def time_zone_choices() -> list[tuple[str, str]]:
    """Every IANA time zone a person may choose, sorted ("Europe/Paris", ...)."""
    names = sorted(
        name
        for name in zoneinfo.available_timezones()
        if "/" in name and not name.startswith(("Etc/", "SystemV/", "US/", "posix/", "right/"))
    )
    return [(name, name.replace("_", " ")) for name in names]


def language_codes() -> set[str]:
    return {code for code, _name in settings.LANGUAGES}


def update_profile(user, *, first_name: str, last_name: str, language: str, time_zone: str):
    """Save the person's names and preferences (blank language or time zone: the site's)."""
    if language and language not in language_codes():
        raise ValueError(f"unknown language {language!r}")
    if time_zone and time_zone not in dict(time_zone_choices()):
        raise ValueError(f"unknown time zone {time_zone!r}")
    user.first_name, user.last_name = first_name.strip(), last_name.strip()
    user.language, user.time_zone = language, time_zone
    user.save(update_fields=["first_name", "last_name", "language", "time_zone"])
    return user


def remember_language(user, language: str) -> bool:
    """Keep ``language`` as the person's preferred one (a switch of language, or Django's
    ``set_language``); an unsupported code is ignored. Returns whether anything changed."""
    if language not in language_codes() or user.language == language:
        return False
    with transaction.atomic():
        get_user_model().objects.filter(pk=user.pk).update(language=language)
        user.language = language
    return True


def preferred_language(user) -> str | None:
    """The language the person chose, when the site still speaks it; None: the site's."""
    language = getattr(user, "language", "")
    return language if language in language_codes() else None


def can_delete_own_account(user) -> bool:
    """Citizens erase their own account; an agent's account is closed by an administrator,
    since the city must know who did what in the back office."""
    return user.is_authenticated and not (user.is_superuser or is_agent(user))


def delete_account(user) -> str:
    """Erase the account at its owner's request (GDPR, right to erasure), in one transaction.

    The row goes, and with it what only describes the person: e-mail addresses and their
    confirmations, second factors, links to OpenID providers, group memberships. Records the
    city keeps point at the user with ``on_delete=SET_NULL`` and stay, anonymous.

    Should a record refuse the deletion (a ``PROTECT`` or ``RESTRICT`` foreign key: something
    the law requires to keep attached to an account), the account is anonymised instead:
    inactive, no name, an address that cannot receive mail, no password, no e-mail addresses,
    no second factor. Returns ``"deleted"`` or ``"anonymised"``.
    """
    with transaction.atomic():
        try:
            with transaction.atomic():
                user.delete()
            return "deleted"
        except (ProtectedError, RestrictedError):
            anonymise(user)
            return "anonymised"


def anonymise(user) -> None:
    """Strip ``user`` of everything that identifies the person, and close the account."""
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator
    from allauth.socialaccount.models import SocialAccount

    with transaction.atomic():
        EmailAddress.objects.filter(user=user).delete()
        Authenticator.objects.filter(user=user).delete()
        SocialAccount.objects.filter(user=user).delete()
        user.groups.clear()
        user.user_permissions.clear()
        user.email = f"deleted-{uuid.uuid4().hex}@invalid"
        user.first_name = user.last_name = user.language = user.time_zone = ""
        user.is_active = user.is_staff = user.is_superuser = False
        user.set_unusable_password()
        user.save()
