"""The ``wagtail.users`` app, with the access log's user viewset (see `lutetia.audit.users`).

In INSTALLED_APPS, ``"lutetia.audit.wagtail_users.AuditedWagtailUsersConfig"`` replaces
``"wagtail.users"``: same app (name, label, models, templates), one setting changed. Kept in
its own module so that loading the app config imports no model.
"""

from wagtail.users.apps import WagtailUsersAppConfig


class AuditedWagtailUsersConfig(WagtailUsersAppConfig):
    """``wagtail.users`` whose user edit page records who opened it."""

    user_viewset = "lutetia.audit.users.AuditedUserViewSet"
