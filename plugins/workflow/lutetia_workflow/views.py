"""Workflow's front office: the citizen answers a request by its secret link, or does a citizen
action on their own case. Thin views over `engine` and `citizen`."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from lutetia.accounts.ownership import get_owned_or_404

from . import citizen, engine
from .admin_views import document_response, int_or_none
from .models import Case


class AnswerForm(forms.Form):
    answer = forms.CharField(
        label=gettext_lazy("Your answer"),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=5000,
    )


@never_cache
def answer(request, token: str):
    """The page of a request to the citizen: its message, the answer form, the deadline."""
    try:
        pending = citizen.open_request(token)
    except citizen.RequestClosed as exc:
        return render(
            request, "lutetia_workflow/answer_closed.html", {"reason": str(exc)}, status=410
        )
    except citizen.UnknownRequest:
        raise Http404 from None
    form = AnswerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            citizen.answer(pending, form.cleaned_data["answer"], user=request.user)
        except citizen.RequestClosed as exc:
            return render(
                request, "lutetia_workflow/answer_closed.html", {"reason": str(exc)}, status=410
            )
        return render(request, "lutetia_workflow/answer_done.html", {"request_": pending})
    return render(
        request,
        "lutetia_workflow/answer.html",
        {"request_": pending, "form": form},
        status=400 if form.errors else 200,
    )


@require_POST
def citizen_action(request, pk: int):
    """A citizen action ("cancel my request") from their case's page; back where they came."""
    case = get_owned_or_404(Case.objects.select_related("version", "site"), request.user, pk=pk)
    back = citizen.back_url(case, request.POST.get("next", ""))
    try:
        engine.perform(
            case,
            request.POST.get("action", ""),
            request.user,
            trigger="citizen",
            revision=int_or_none(request.POST.get("revision")),
        )
    except engine.WorkflowError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Done: your request was updated."))
    return redirect(back)


@login_required
def document(request, pk: int, document_pk: int):
    """A document of the citizen's own case that the workflow made visible to them."""
    case = get_owned_or_404(Case.objects.all(), request.user, pk=pk)
    doc = case.documents.filter(pk=document_pk, public=True).first()
    if doc is None:
        raise Http404
    return document_response(doc)


@login_required
def mine(request):
    """Every request of the citizen that a workflow processes, with where it stands."""
    cases = (
        Case.objects.filter(owner=request.user)
        .select_related("version", "site")
        .order_by("-created_at")[:200]
    )
    columns = [
        {"label": _("Reference")},
        {"label": _("Subject")},
        {"label": _("Status")},
        {"label": _("Since")},
    ]
    rows = []
    for case in cases:
        url = citizen.front_url(case)
        rows.append(
            [
                format_html('<a href="{}">{}</a>', url, case.reference) if url else case.reference,
                case.title,
                case.current_state.label_for_citizen,
                date_format(localtime(case.entered_at), "DATETIME_FORMAT"),
            ]
        )
    return render(request, "lutetia_workflow/mine.html", {"columns": columns, "rows": rows})
