"""What accounts do when others act: addresses given by a trusted path count as verified.

See ``services`` for the rule. Wired in ``AccountsConfig.ready()``.
"""

from __future__ import annotations

from django.conf import settings
from django.db.models.signals import post_save
from django.dispatch import receiver
from wagtail import hooks

from . import services


@receiver(post_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="lutetia-superuser-verified")
def verify_a_new_superusers_address(sender, instance, created, raw=False, **kwargs):
    """``createsuperuser`` (and a superuser created in the back office): the person running it
    typed their own address on the server; sign-up and identity providers never create one."""
    if created and not raw and instance.is_superuser:
        services.mark_email_verified(instance)


@hooks.register("after_create_user")
def verify_the_address_of_a_user_created_by_an_administrator(request, user):
    """Settings → Users → Add: the administrator vouches for the agent's address."""
    services.mark_email_verified(user)


@hooks.register("after_edit_user")
def verify_the_address_an_administrator_gave(request, user):
    """An administrator changed someone's address: it becomes their sign-in address.

    Only a new address: one the person typed and never confirmed stays unconfirmed.
    """
    from allauth.account.models import EmailAddress

    if not EmailAddress.objects.filter(user=user, email__iexact=user.email).exists():
        services.mark_email_verified(user)
