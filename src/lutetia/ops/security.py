"""Security headers Django does not send itself: Content-Security-Policy, Permissions-Policy.

Django's ``SecurityMiddleware`` already sends ``X-Content-Type-Options``, ``Referrer-Policy``,
``Cross-Origin-Opener-Policy`` and, in production mode, HSTS. This adds:

- a Content-Security-Policy with no ``unsafe-inline`` and no ``unsafe-eval`` for scripts, on
  every response. The front office allows styles from our own origin only; the back office
  (Wagtail's admin sets ``style=`` attributes) also allows inline styles, never inline scripts:
  the few inline scripts Wagtail ships are replaced by data blocks read by a static script
  (``lutetia_ui/admin/csp-init.js``, see ``lutetia.ui``'s template overrides). No nonce: the
  anonymous page cache replays responses, and a replayed nonce protects nothing.
- ``form-action`` lists the OpenID Connect providers' origins, which the sign-in form redirects
  to (browsers apply form-action to the redirects after a form post).
- a Permissions-Policy turning off powerful features nobody needs (camera, microphone, ...).
"""

from __future__ import annotations

from django.conf import settings

ADMIN_PREFIX = "/admin/"


def content_security_policy(*, back_office: bool, form_action: list[str]) -> str:
    """The policy, as one header value."""
    directives = {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"] if back_office else ["'self'"],
        "img-src": ["'self'", "data:", "blob:"] if back_office else ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "frame-src": ["'self'"],
        "frame-ancestors": ["'self'"],
        "form-action": ["'self'", *form_action],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
        "manifest-src": ["'self'"],
        "worker-src": ["'self'", "blob:"] if back_office else ["'self'"],
    }
    return "; ".join(f"{name} {' '.join(values)}" for name, values in directives.items())


class SecurityHeadersMiddleware:
    """Adds the Content-Security-Policy and Permissions-Policy to every response."""

    def __init__(self, get_response):
        self.get_response = get_response
        form_action = list(getattr(settings, "LUTETIA_CSP_FORM_ACTION", []))
        self.front_policy = content_security_policy(back_office=False, form_action=form_action)
        self.back_policy = content_security_policy(back_office=True, form_action=form_action)
        self.permissions_policy = getattr(settings, "PERMISSIONS_POLICY", "")

    def __call__(self, request):
        response = self.get_response(request)
        back_office = request.path_info.startswith(ADMIN_PREFIX)
        response.headers.setdefault(
            "Content-Security-Policy", self.back_policy if back_office else self.front_policy
        )
        if self.permissions_policy:
            response.headers.setdefault("Permissions-Policy", self.permissions_policy)
        return response
