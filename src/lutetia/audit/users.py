"""Settings → Users, with each opening of a user's edit page recorded as a personal data view.

Wagtail builds its user screens from the ``user_viewset`` named by the ``wagtail.users`` app
config; `lutetia.audit.wagtail_users.AuditedWagtailUsersConfig` names this one. Installed by
listing that config instead of ``"wagtail.users"`` in INSTALLED_APPS.
"""

from __future__ import annotations

from wagtail.users.views.users import EditView, UserViewSet

from .views import RecordsPersonalDataView


class AuditedUserEditView(RecordsPersonalDataView, EditView):
    """Wagtail's user edit page; showing it records ``personal_data.view`` of the user."""


class AuditedUserViewSet(UserViewSet):
    """Wagtail's user screens, with the audited edit page."""

    edit_view_class = AuditedUserEditView
