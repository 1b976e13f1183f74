"""Back-office wiring of the access log: Settings → Access log, read-only, behind a right."""

from __future__ import annotations

from wagtail import hooks
from wagtail.permissions import register_permission_policy

from .models import AuditEntry
from .viewsets import AuditEntryPermissionPolicy, audit_entry_viewset

register_permission_policy(AuditEntry, AuditEntryPermissionPolicy(AuditEntry))


@hooks.register("register_admin_viewset")
def register_viewset():
    """Mount the viewer at /admin/access-log/ with its Settings menu item and its right."""
    return audit_entry_viewset
