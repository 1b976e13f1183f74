"""A back-office right guarding a plugin's screens: who holds it, and the 403 page the others get.

Wagtail sends a user without a right back to the dashboard with a 200; for an export or a
download link that is a lie, so plugins answer a 403 page instead, and record the refusal in the
access log::

    GUARD = RightGuard(
        "forms.process_response",
        action="forms.processing_denied",
        target=Response,
        title=gettext_lazy("Form responses"),
        icon="form",
        message=gettext_lazy("You may not process form responses: ask an administrator for the right."),
    )

    @GUARD.required
    def export(request): ...

    class ResponsesView(GUARD.Mixin, TemplateView): ...
"""

from __future__ import annotations

import functools

from django.http import HttpResponse
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from lutetia import audit


class DeniedView(WagtailAdminTemplateMixin, TemplateView):
    """The page of a refused right, with a 403 (its title, icon and message given)."""

    template_name = "lutetia_accounts/admin/denied.html"
    message = ""

    def get(self, request, *args, **kwargs):
        context = self.get_context_data(message=self.message)
        return self.render_to_response(context, status=403)

    post = get


class RightGuard:
    """One permission (``app_label.codename``) and what refusing it looks like."""

    def __init__(self, permission: str, *, action: str, target, title, icon: str, message):
        self.permission = permission
        self.action = action
        self.target = target
        self.denied = DeniedView.as_view(page_title=title, header_icon=icon, message=message)
        guard = self

        class Mixin:
            """For class-based views: the right checked before anything else."""

            def dispatch(self, request, *args, **kwargs):
                if not guard.allows(request.user):
                    return guard.refuse(request)
                return super().dispatch(request, *args, **kwargs)

        self.Mixin = Mixin

    def allows(self, user) -> bool:
        """Active users holding the right (site administrators do)."""
        return bool(user.is_authenticated and user.is_active and user.has_perm(self.permission))

    def refuse(self, request) -> HttpResponse:
        """The 403 page, recorded in the access log."""
        audit.record(
            request.user,
            self.action,
            self.target,
            outcome="denied",
            details={"path": request.path},
            request=request,
        )
        return self.denied(request)

    def required(self, view):
        """For function views: only users holding the right reach ``view``."""

        @functools.wraps(view)
        def checked(request, *args, **kwargs):
            if not self.allows(request.user):
                return self.refuse(request)
            return view(request, *args, **kwargs)

        return checked
