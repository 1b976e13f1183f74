"""What the core records by itself. Wired in ``AuditConfig.ready()``.

- auth (category "auth"): sign-in, sign-out, failed sign-in (Django's signals, which allauth's
  forms go through too), and allauth's account events: sign-up, password set / changed /
  reset, e-mail address added / removed / confirmed / changed, second factor added / removed /
  reset / failed, identity provider account connected / disconnected.
- admin (category "admin"): every Wagtail log entry (``wagtail.create``, ``wagtail.edit``,
  ``wagtail.delete``, ``wagtail.publish``, ``wagtail.unpublish``, ``wagtail.move``, ... for
  pages, snippets, users, groups, and every ``ModelViewSet``), since the back office writes
  one for each change it makes; plus the rights given or taken away outside the back office's
  forms (a user's groups and permissions, a group's permissions), which Wagtail does not log.

Failed sign-in: the identifier typed (an e-mail address) is kept, as an investigator needs it
to see an attack on one account; the password never reaches this module (Django masks it
before sending the signal), and only the identifier is read from the credentials.
"""

from __future__ import annotations

from allauth.account import signals as account_signals
from allauth.mfa import signals as mfa_signals
from allauth.socialaccount import signals as social_signals
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.contrib.contenttypes.models import ContentType
from django.db.models.signals import m2m_changed, post_save
from django.dispatch import receiver
from wagtail.models import ModelLogEntry, PageLogEntry

from .models import Category, Outcome
from .services import Target, record

#: The credentials' keys that may hold the identifier typed (never the password's).
IDENTIFIER_KEYS = ("email", "username", "login")


# --- sign-in, sign-out ---------------------------------------------------------------------


@receiver(user_logged_in, dispatch_uid="lutetia-audit-login")
def record_sign_in(sender, request, user, **kwargs):
    """``auth.login``: the session is the new one, so later entries of the visit share it."""
    record(user, "auth.login", user, category=Category.AUTH, request=request)


@receiver(user_logged_out, dispatch_uid="lutetia-audit-logout")
def record_sign_out(sender, request, user, **kwargs):
    """``auth.logout`` (``user`` is None when the session had expired already)."""
    record(user, "auth.logout", user, category=Category.AUTH, request=request)


@receiver(user_login_failed, dispatch_uid="lutetia-audit-login-failed")
def record_failed_sign_in(sender, credentials, request=None, **kwargs):
    """``auth.login_failed``, denied, with the identifier typed and the account it names."""
    identifier = next((str(credentials[k]) for k in IDENTIFIER_KEYS if credentials.get(k)), "")
    target = None
    if identifier:
        User = get_user_model()
        account = User._default_manager.filter(
            **{f"{User.USERNAME_FIELD}__iexact": identifier}
        ).first()
        target = account if account is not None else Target(User._meta.label_lower)
    record(
        None,
        "auth.login_failed",
        target,
        outcome=Outcome.DENIED,
        details={"login": identifier},
        category=Category.AUTH,
        request=request,
    )


# --- allauth: account security ------------------------------------------------------------


def _account_event(action: str, details_of=None):
    def handler(sender, request=None, user=None, **kwargs):
        details = details_of(kwargs) if details_of else None
        actor = user if user is not None else getattr(request, "user", None)
        record(actor, action, user, details=details, category=Category.AUTH, request=request)

    handler.__doc__ = f"``{action}``."
    return handler


def _email(kwargs) -> dict:
    address = kwargs.get("email_address")
    return {"email": getattr(address, "email", "")}


def _email_change(kwargs) -> dict:
    before, after = kwargs.get("from_email_address"), kwargs.get("to_email_address")
    return {"from": getattr(before, "email", ""), "to": getattr(after, "email", "")}


def _authenticator(kwargs) -> dict:
    authenticator = kwargs.get("authenticator")
    return {"type": getattr(authenticator, "type", "")}


def _social(kwargs) -> dict:
    account = kwargs.get("socialaccount") or getattr(kwargs.get("sociallogin"), "account", None)
    return {"provider": getattr(account, "provider", "")}


ACCOUNT_EVENTS = [
    (account_signals.user_signed_up, "auth.signed_up", None),
    (account_signals.password_set, "auth.password_set", None),
    (account_signals.password_changed, "auth.password_changed", None),
    (account_signals.password_reset, "auth.password_reset", None),
    (account_signals.email_added, "auth.email_added", _email),
    (account_signals.email_removed, "auth.email_removed", _email),
    (account_signals.email_changed, "auth.email_changed", _email_change),
    (mfa_signals.authenticator_added, "auth.mfa_added", _authenticator),
    (mfa_signals.authenticator_removed, "auth.mfa_removed", _authenticator),
    (mfa_signals.authenticator_reset, "auth.mfa_reset", _authenticator),
    (social_signals.social_account_added, "auth.social_account_added", _social),
    (social_signals.social_account_removed, "auth.social_account_removed", _social),
]

for _signal, _action, _details in ACCOUNT_EVENTS:
    # weak=False: nothing else holds the closure.
    _signal.connect(
        _account_event(_action, _details), weak=False, dispatch_uid=f"lutetia-audit-{_action}"
    )


@receiver(account_signals.email_confirmed, dispatch_uid="lutetia-audit-email-confirmed")
def record_email_confirmed(sender, request=None, email_address=None, **kwargs):
    """``auth.email_confirmed`` (the signal names the address, not the user)."""
    user = getattr(email_address, "user", None)
    record(
        user,
        "auth.email_confirmed",
        user,
        details={"email": getattr(email_address, "email", "")},
        category=Category.AUTH,
        request=request,
    )


@receiver(mfa_signals.authentication_failed, dispatch_uid="lutetia-audit-mfa-failed")
def record_mfa_failure(sender, request=None, user=None, authenticator=None, **kwargs):
    """``auth.mfa_failed``, denied: a wrong second-factor code."""
    record(
        None,
        "auth.mfa_failed",
        user,
        outcome=Outcome.DENIED,
        details={"type": getattr(authenticator, "type", "")},
        category=Category.AUTH,
        request=request,
    )


# --- back office: Wagtail's log entries -----------------------------------------------------


@receiver(post_save, sender=ModelLogEntry, dispatch_uid="lutetia-audit-wagtail-model-log")
@receiver(post_save, sender=PageLogEntry, dispatch_uid="lutetia-audit-wagtail-page-log")
def record_wagtail_log_entry(sender, instance, created, raw=False, **kwargs):
    """One entry per Wagtail log entry: its action, object, label and user."""
    if not created or raw:
        return
    if sender is PageLogEntry:
        # Pages of every type are one kind of target, as in Wagtail's own reports.
        target = Target("wagtailcore.page", str(instance.page_id), instance.label)
    else:
        content_type = ContentType.objects.get_for_id(instance.content_type_id)
        target = Target(
            f"{content_type.app_label}.{content_type.model}", instance.object_id, instance.label
        )
    details = {"wagtail_log_id": instance.pk}
    if instance.data:
        details["data"] = instance.data
    if instance.revision_id:
        details["revision"] = instance.revision_id
    record(
        instance.user if instance.user_id else None,
        instance.action,
        target,
        details=details,
        category=Category.ADMIN,
    )


# --- rights changed outside Wagtail's forms ------------------------------------------------


def _names(model, pks) -> list[str]:
    if not pks:
        return []
    if model is Group:
        return sorted(Group.objects.filter(pk__in=pks).values_list("name", flat=True))
    if model._meta.model_name == "permission":
        rows = model.objects.filter(pk__in=pks).values_list("content_type__app_label", "codename")
        return sorted(f"{app}.{codename}" for app, codename in rows)
    return sorted(str(pk) for pk in pks)


def _rights_changed(audit_action: str):
    def handler(sender, instance, action: str = "", reverse=False, model=None, pk_set=None, **kw):
        if kw.get("raw") or action not in {"post_add", "post_remove", "pre_clear"}:
            return
        if action == "pre_clear":
            # Which ones go is only known before they are gone.
            field = sender._meta.get_field(_related_field(sender, instance))
            pk_set = set(
                sender.objects.filter(**{field.name: instance.pk}).values_list(
                    _other_field(sender, instance), flat=True
                )
            )
            if not pk_set:
                return
        change = "added" if action == "post_add" else "removed"
        record(
            None,
            audit_action,
            instance,
            details={change: _names(model, pk_set), "reverse": reverse},
            category=Category.ADMIN,
        )

    handler.__doc__ = f"``{audit_action}``: what was given or taken away."
    return handler


def _related_field(through, instance) -> str:
    for field in through._meta.get_fields():
        if getattr(field, "related_model", None) is type(instance) and field.many_to_one:
            return field.name
    raise LookupError(through)


def _other_field(through, instance) -> str:
    own = _related_field(through, instance)
    for field in through._meta.get_fields():
        if field.many_to_one and field.name != own:
            return f"{field.name}_id"
    raise LookupError(through)


_User = get_user_model()
_RIGHTS = [
    (_User.groups.through, "admin.user_groups_changed"),
    (_User.user_permissions.through, "admin.user_permissions_changed"),
    (Group.permissions.through, "admin.group_permissions_changed"),
]
for _through, _rights_action in _RIGHTS:
    m2m_changed.connect(
        _rights_changed(_rights_action),
        sender=_through,
        weak=False,
        dispatch_uid=f"lutetia-audit-{_rights_action}",
    )
