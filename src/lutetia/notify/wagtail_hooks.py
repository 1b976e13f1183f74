"""Back-office wiring of notifications: Settings → Outbox, read-only, behind a right."""

from __future__ import annotations

from wagtail import hooks
from wagtail.permissions import register_permission_policy

from .models import OutboxMessage
from .viewsets import OutboxPermissionPolicy, outbox_viewset

register_permission_policy(OutboxMessage, OutboxPermissionPolicy(OutboxMessage))


@hooks.register("register_admin_viewset")
def register_viewset():
    """Mount the outbox at /admin/outbox/ with its Settings menu item and its rights."""
    return outbox_viewset
