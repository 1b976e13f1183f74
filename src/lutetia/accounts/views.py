"""The account pages allauth does not provide (profile, deleting the account), and its sign-in
page with the answers Lutetia adds: 429 during a lock-out, a clear refusal of the back office."""

from __future__ import annotations

from allauth.account import views as allauth_views
from allauth.account.decorators import reauthentication_required
from allauth.account.utils import get_next_redirect_url
from allauth.socialaccount.adapter import get_adapter as get_social_adapter
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.forms.forms import NON_FIELD_ERRORS
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET
from wagtail.models import Site

from . import services
from .forms import DeleteAccountForm, ProfileForm
from .signals import pages_for

ADMIN_PREFIX = "/admin/"


class LoginView(allauth_views.LoginView):
    """allauth's sign-in, answering 429 during a lock-out and refusing /admin/ clearly.

    - After repeated failures allauth refuses every attempt on the account, right or wrong,
      with a message in the form: the answer is then 429 (Too Many Requests), as for its
      other rate limits.
    - Wagtail sends a signed-in citizen who opens /admin/ here (``?next=/admin/``); allauth
      would send them straight back, forever. They get a page saying the back office is not
      for their account (status 403) instead.
    """

    def dispatch(self, request, *args, **kwargs):
        if request.method == "GET" and request.user.is_authenticated:
            next_url = get_next_redirect_url(request) or ""
            if next_url.startswith(ADMIN_PREFIX) and not services.is_agent(request.user):
                return render(request, "account/no_admin_access.html", status=403)
        return super().dispatch(request, *args, **kwargs)

    def form_invalid(self, form):
        response = super().form_invalid(form)
        if _locked_out(form):
            response.status_code = 429
        return response

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["locked_out"] = _locked_out(context["form"])
        context["lockout_minutes"] = services.lockout_minutes()
        return context


def _locked_out(form) -> bool:
    return form.is_bound and form.has_error(NON_FIELD_ERRORS, "too_many_login_attempts")


login = LoginView.as_view()


class ConfirmEmailView(allauth_views.ConfirmEmailView):
    """allauth's e-mail confirmation, answering 400 to an expired, used or unknown link.

    allauth shows its "expired or invalid" page with 200 on GET, and a bare 404 on POST: both
    become that page, with 400 (Bad Request), and nothing changes.
    """

    def get(self, *args, **kwargs):
        response = super().get(*args, **kwargs)
        if self.object is None:
            response.status_code = 400
        return response

    def post(self, *args, **kwargs):
        try:
            return super().post(*args, **kwargs)
        except Http404:
            self.object = None
            response = self.render_to_response(self.get_context_data())
            response.status_code = 400
            return response


confirm_email = ConfirmEmailView.as_view()


class PasswordResetFromKeyView(allauth_views.PasswordResetFromKeyView):
    """allauth's "choose a new password" page, answering 400 to a used or invalid link."""

    def render_to_response(self, context, **kwargs):
        if context.get("token_fail"):
            kwargs["status"] = 400
        return super().render_to_response(context, **kwargs)


password_reset_from_key = PasswordResetFromKeyView.as_view()


@never_cache
@login_required
def profile(request):
    """My account: names, language, time zone; links to e-mail, password, MFA, deletion."""
    user = request.user
    if request.method == "POST":
        form = ProfileForm(request.POST)
        if form.is_valid():
            services.update_profile(user, **form.cleaned_data)
            messages.success(request, _("Your details were saved."))
            # The page comes back in the language just chosen.
            language = form.cleaned_data["language"] or translation.get_language()
            with translation.override(language):
                return redirect(reverse("account_profile"))
    else:
        form = ProfileForm(
            initial={
                "first_name": user.first_name,
                "last_name": user.last_name,
                "language": user.language,
                "time_zone": user.time_zone,
            }
        )
    context = {
        "form": form,
        "citizen_pages": pages_for(Site.find_for_request(request), user, request),
        "has_authenticator_app": services.has_authenticator_app(user),
        "has_providers": bool(get_social_adapter().list_providers(request)),
        "is_agent": services.is_agent(user),
        "can_delete": services.can_delete_own_account(user),
    }
    return render(request, "account/profile.html", context)


@never_cache
@login_required
@sensitive_post_parameters("password")
def delete_account(request):
    """Erase the account, after the password: one transaction, then signed out."""
    user = request.user
    if not services.can_delete_own_account(user):
        return render(request, "account/delete.html", {"refused": True}, status=403)
    if not user.has_usable_password():
        # No password to ask (an account opened through an identity provider): the person
        # proves who they are through allauth's reauthentication (the provider, a code...).
        return _delete_after_reauthentication(request)
    form = DeleteAccountForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        return _erase_and_sign_out(request)
    return render(request, "account/delete.html", {"form": form})


@reauthentication_required
def _delete_after_reauthentication(request):
    if request.method == "POST":
        return _erase_and_sign_out(request)
    return render(request, "account/delete.html", {"form": None})


def _erase_and_sign_out(request):
    user = request.user
    with transaction.atomic():
        # Signed out first: receivers of ``user_logged_out`` (the access log) still see the
        # account as it was.
        logout(request)
        services.delete_account(user)
    return redirect("account_deleted")


@require_GET
def account_deleted(request):
    """The confirmation after deleting an account (the person is signed out by then)."""
    return render(request, "account/deleted.html")
