"""Forms' front office, under /services/forms/: thin views over runtime.py and services.py.

A draft is reached by its owner (signed in) or by the browser holding its secret (kept in the
session, put there when the draft was started or resumed). Every other visitor gets a 404: the
address of a draft or a response reveals nothing.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.cache import cache
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from wagtail.models import Site

from lutetia import audit, files, resources
from lutetia.ops.clients import client_ip

from . import render_step, runtime, services
from .forms import ResumeEmailForm, SubmitForm
from .links import absolute_resume_url
from .models import Category, Form, Response

SESSION_KEY = "lutetia_forms.access"
#: new drafts one address may start per hour (robots fill databases, citizens do not)
DRAFTS_PER_HOUR = 30


def _site(request):
    site = Site.find_for_request(request)
    if site is None:
        raise Http404
    return site


def _secrets(request) -> list[str]:
    return list((request.session.get(SESSION_KEY) or {}).values())


def _remember(request, access: services.Access) -> None:
    held = dict(request.session.get(SESSION_KEY) or {})
    held[str(access.response.uid)] = access.secret
    request.session[SESSION_KEY] = held


def _response_or_404(request, uid, *, draft: bool | None = None) -> Response:
    site = _site(request)
    response = (
        Response.objects.select_related("form", "version", "site")
        .filter(site=site, uid=uid)
        .first()
    )
    if response is None or not services.may_open(response, request.user, _secrets(request)):
        if response is not None:
            audit.record(None, "forms.access_denied", response, outcome="denied", request=request)
        raise Http404
    if draft is True and not response.is_draft:
        raise Http404
    if draft is False and response.is_draft:
        raise Http404
    return response


# --- the list and a form's front page ----------------------------------------------------------


@never_cache
def index(request):
    """The forms that are online, by category."""
    site = _site(request)
    forms = list(
        Form.objects.filter(site=site, enabled=True, versions__isnull=False)
        .distinct()
        .select_related("category")
    )
    categories = []
    for category in Category.objects.filter(site=site):
        listed = [form for form in forms if form.category_id == category.pk]
        if listed:
            categories.append({"name": category.name, "forms": listed})
    other = [form for form in forms if form.category_id is None]
    if other:
        categories.append({"name": _("Other procedures") if categories else "", "forms": other})
    return render(request, "lutetia_forms/index.html", {"categories": categories})


def _form_or_404(request, slug) -> Form:
    return get_object_or_404(Form, site=_site(request), slug=slug, enabled=True)


@never_cache
def detail(request, slug):
    """What the form is for, whether it can be filled now, and the button to start (POST)."""
    form = _form_or_404(request, slug)
    reason = services.unavailable(form, request.user)
    drafts = []
    if request.user.is_authenticated:
        drafts = list(
            Response.objects.filter(form=form, owner=request.user, status=Response.Status.DRAFT)
        )
    context = {
        "form_": form,
        "reason": reason,
        "drafts": drafts,
        "sign_in": services.needs_sign_in(form) and not request.user.is_authenticated,
    }
    if request.method != "POST":
        return render(request, "lutetia_forms/detail.html", context)
    if reason:
        return render(request, "lutetia_forms/detail.html", context, status=409)
    if context["sign_in"]:
        return redirect_to_login(request.get_full_path())
    if not _count_draft(request):
        context["throttled"] = True
        return render(request, "lutetia_forms/detail.html", context, status=429)
    access = services.start(
        form,
        site=form.site,
        user=request.user,
        language=get_language(),
        start_values=request.GET.dict(),
    )
    _remember(request, access)
    return redirect("forms:step", access.response.uid, access.response.current_step)


def _count_draft(request) -> bool:
    key = f"forms:drafts:{client_ip(request) or 'unknown'}"
    cache.add(key, 0, 3600)
    try:
        return cache.incr(key) <= DRAFTS_PER_HOUR
    except ValueError:
        cache.add(key, 1, 3600)
        return True


# --- steps -----------------------------------------------------------------------------------


@never_cache
def step(request, uid, key):
    """One step of a draft: its questions (GET), or its answers checked (POST)."""
    response = _response_or_404(request, uid, draft=True)
    definition = services.definition_of(response.version)
    current = definition.step(key)
    if current is None or not services.reachable(response, key):
        messages.warning(
            request, _("Answer the steps in order: here is the first one left to answer.")
        )
        return redirect("forms:step", response.uid, services.first_open_step(response))
    context = services.fill_context(response, request.user)
    if request.method != "POST":
        form = runtime.build_form(current, response.answers, context)
        return _render_step(request, response, current, form)

    action = request.POST.get("_action", "next")
    outcome = _check_posted(
        request, definition, current, response.answers, context, lenient=action != "next"
    )
    if not outcome.valid:
        return _render_again(request, response, current, outcome)
    if action == "next":
        going_to = runtime.next_step(definition, current, outcome.answers)
    elif action == "back":
        going_to = runtime.previous_step(definition, key, outcome.answers) or key
    else:
        going_to = key
    try:
        response = services.save_step(
            response, key, outcome, going_to=going_to, valid=action == "next"
        )
    except services.Refused as refused:
        messages.error(request, refused.message)
        return redirect("forms:detail", response.form.slug)
    if action == "save":
        return redirect("forms:saved", response.uid)
    if action.startswith(("add:", "remove:")):
        form = runtime.build_form(current, response.answers, context, counts=outcome.counts)
        return _render_step(request, response, current, form, outcome=outcome)
    if going_to == runtime.SUMMARY:
        return redirect("forms:summary", response.uid)
    return redirect("forms:step", response.uid, going_to)


@never_cache
@require_POST
def refresh(request, uid, key):
    """htmx: the step's questions drawn again for the answers being typed (nothing saved)."""
    response = _response_or_404(request, uid, draft=True)
    definition = services.definition_of(response.version)
    current = definition.step(key)
    if current is None or not services.reachable(response, key):
        raise Http404
    context = services.fill_context(response, request.user)
    merged = runtime.provisional(current, response.answers, request.POST, context)
    shown = runtime.shown_questions(current, merged)
    counts = runtime.posted_counts(current, request.POST, response.answers)
    # Bound to what was posted, so every field comes back as typed (half-typed values, a
    # group's rows); its errors are for "Continue", not for now.
    form = runtime.build_form(
        current, merged, context, data=request.POST, counts=counts, shown=shown
    )
    form.quiet()
    items = render_step.items(form, current, shown, counts)
    return render(request, "lutetia_forms/_questions.html", {"items": items, "form": form})


def _check_posted(request, definition, current, answers, context, *, lenient):
    """The posted step checked against ``answers`` (the runtime decides what shows)."""
    return runtime.check_step(
        definition,
        current,
        answers,
        context,
        data=request.POST,
        files=request.FILES,
        action=request.POST.get("_action", "next"),
        # What the page showed (for "new questions appeared", never for what is checked).
        shown_before=request.POST.getlist("_shown") if "_shown" in request.POST else None,
        lenient=lenient,
    )


def _render_again(request, response, current, outcome, *, correction=False):
    """The step shown again: with its errors (400), or with the questions just revealed."""
    status = 200 if outcome.revealed else 400
    return _render_step(
        request,
        response,
        current,
        outcome.form,
        outcome=outcome,
        status=status,
        correction=correction,
    )


def _render_step(request, response, current, form, *, outcome=None, status=200, correction=False):
    definition = services.definition_of(response.version)
    keys = runtime.path(
        definition, services.correcting(response) if correction else response.answers
    )
    titles = [definition.step(k).title or k for k in keys] + [_("Summary")]
    number = keys.index(current.key) + 1 if current.key in keys else 1
    counts = outcome.counts if outcome else {}
    context = {
        "response": response,
        "form_": response.form,
        "step": current,
        "form": form,
        "items": render_step.items(form, current, form.questions, counts),
        "shown": [question.key for question in form.questions],
        "steps": titles,
        "number": number,
        "first": number == 1,
        "revealed": outcome.revealed if outcome else [],
        "refresh_url": ""
        if correction
        else reverse("forms:refresh", args=[response.uid, current.key]),
        "correction": correction,
    }
    return render(request, "lutetia_forms/step.html", context, status=status)


# --- saving a draft, resuming ---------------------------------------------------------------


@never_cache
def saved(request, uid):
    """The draft is saved: signed-in citizens find it in their account; others may ask for a
    link by e-mail to go on later, on any device."""
    response = _response_or_404(request, uid, draft=True)
    form = ResumeEmailForm(
        request.POST if request.method == "POST" else None, initial={"email": response.email}
    )
    status = 200
    if request.method == "POST" and not response.owner_id:
        if form.is_valid():
            try:
                services.send_resume_link(
                    response,
                    form.cleaned_data["email"],
                    lambda secret: absolute_resume_url(response, secret),
                    language=get_language(),
                )
            except services.Refused as refused:
                form.add_error(None, refused.message)
                status = 429
            else:
                messages.success(
                    request,
                    _("The link was sent to %(email)s.") % {"email": form.cleaned_data["email"]},
                )
                return redirect("forms:saved", response.uid)
        else:
            status = 400
    context = {
        "response": response,
        "form_": response.form,
        "email_form": form,
        "continue_step": response.current_step or services.first_open_step(response),
    }
    return render(request, "lutetia_forms/saved.html", context, status=status)


@never_cache
def resume(request, secret):
    """A resume link: it opens the draft in this browser, once."""
    try:
        access = services.resume(secret, request.user)
    except services.Refused as refused:
        if refused.code == "owner" and not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return render(
            request,
            "lutetia_forms/resume_refused.html",
            {"message": refused.message},
            status=410 if refused.code != "owner" else 403,
        )
    _remember(request, access)
    response = access.response
    return redirect(
        "forms:step", response.uid, response.current_step or services.first_open_step(response)
    )


@never_cache
@require_POST
def discard(request, uid):
    response = _response_or_404(request, uid, draft=True)
    services.discard(response, request.user)
    messages.success(request, _("The draft was deleted."))
    return redirect("forms:mine" if request.user.is_authenticated else "forms:index")


# --- summary and submission -----------------------------------------------------------------


@never_cache
def summary(request, uid):
    """Every answer, with links to change them; the terms and the submit button."""
    response = _response_or_404(request, uid, draft=True)
    if not services.reachable(response, runtime.SUMMARY):
        messages.warning(
            request, _("Answer the steps in order: here is the first one left to answer.")
        )
        return redirect("forms:step", response.uid, services.first_open_step(response))
    form = response.form
    needs_captcha = form.captcha and not request.user.is_authenticated
    submit_form = SubmitForm(
        request.POST if request.method == "POST" else None, terms=form.terms, captcha=needs_captcha
    )
    status = 200
    if request.method == "POST":
        if submit_form.is_valid():
            try:
                response = services.submit(
                    response,
                    user=request.user,
                    accepted_terms=bool(submit_form.cleaned_data.get("accept")),
                )
            except services.Refused as refused:
                submit_form.add_error(None, refused.message)
                status = 409
            else:
                return redirect("forms:done", response.uid)
        else:
            status = 400
    definition = services.definition_of(response.version)
    keys = runtime.path(definition, response.answers)
    context = {
        "response": response,
        "form_": form,
        "summary": runtime.summary(definition, response.answers),
        "submit_form": submit_form,
        "steps": [definition.step(k).title or k for k in keys] + [_("Summary")],
        "number": len(keys) + 1,
        "previous": keys[-1],
    }
    return render(request, "lutetia_forms/summary.html", context, status=status)


@never_cache
def done(request, uid):
    response = _response_or_404(request, uid, draft=False)
    return render(
        request, "lutetia_forms/done.html", {"response": response, "form_": response.form}
    )


# --- corrections a workflow asked for ---------------------------------------------------------


@never_cache
def correct_link(request, secret):
    """The link of a workflow's "ask the citizen": it opens the correction in this browser."""
    try:
        access = services.open_correction(secret, request.user)
    except services.Refused as refused:
        if refused.code == "owner" and not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        status = 403 if refused.code == "owner" else 410
        return render(
            request,
            "lutetia_forms/resume_refused.html",
            {"message": refused.message},
            status=status,
        )
    _remember(request, access)
    return redirect("forms:correct", access.response.uid)


def _correction_or_404(request, uid) -> Response:
    response = _response_or_404(request, uid, draft=False)
    if not response.correction_open():
        raise Http404
    return response


@never_cache
def correct(request, uid):
    """What the town hall asks to correct, the answers with "change" links, and sending them."""
    response = _response_or_404(request, uid, draft=False)
    if not response.correction_open():
        return render(
            request,
            "lutetia_forms/resume_refused.html",
            {"message": _("The time to correct this form is over.")},
            status=410,
        )
    status = 200
    problem = ""
    if request.method == "POST":
        try:
            services.send_corrections(response, request.user)
        except services.Refused as refused:
            problem, status = refused.message, 409
        else:
            messages.success(request, _("Your corrections were sent."))
            return redirect("forms:response", response.uid)
    definition = services.definition_of(response.version)
    answers = services.correcting(response)
    context = {
        "response": response,
        "form_": response.form,
        "summary": runtime.summary(definition, answers),
        "problem": problem,
        "changed": response.pending_answers is not None,
    }
    return render(request, "lutetia_forms/correct.html", context, status=status)


@never_cache
def correct_step(request, uid, key):
    """One step of the response, to correct; the corrections wait until they are all sent."""
    response = _correction_or_404(request, uid)
    definition = services.definition_of(response.version)
    answers = services.correcting(response)
    current = definition.step(key)
    if current is None or key not in runtime.path(definition, answers):
        raise Http404
    context = services.fill_context(response, request.user)
    if request.method != "POST":
        form = runtime.build_form(current, answers, context)
        return _render_step(request, response, current, form, correction=True)
    action = request.POST.get("_action", "next")
    outcome = _check_posted(
        request,
        definition,
        current,
        answers,
        context,
        lenient=action.startswith(("add:", "remove:")),
    )
    if not outcome.valid:
        return _render_again(request, response, current, outcome, correction=True)
    try:
        services.save_correction_step(response, outcome)
    except services.Refused as refused:
        messages.error(request, refused.message)
        return redirect("forms:response", response.uid)
    if action.startswith(("add:", "remove:")):
        form = runtime.build_form(current, outcome.answers, context, counts=outcome.counts)
        return _render_step(request, response, current, form, outcome=outcome, correction=True)
    return redirect("forms:correct", response.uid)


# --- the citizen's responses ------------------------------------------------------------------


@never_cache
def mine(request):
    """My demands: drafts to finish and responses sent, with their status."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    site = _site(request)
    mine_ = (
        Response.objects.filter(site=site, owner=request.user)
        .select_related("form")
        .order_by("-updated_at")
    )
    return render(
        request,
        "lutetia_forms/mine.html",
        {
            "drafts": [r for r in mine_ if r.is_draft],
            "sent": [r for r in mine_ if not r.is_draft],
        },
    )


@never_cache
def response_page(request, uid):
    """A submitted response: status, history, documents, actions (the workflow's panels), the
    answers and the receipt."""
    response = _response_or_404(request, uid, draft=False)
    panels = resources.panels(resources.public_panels, response, user=request.user, request=request)
    definition = services.definition_of(response.version)
    context = {
        "response": response,
        "form_": response.form,
        "panels": panels,
        "summary": runtime.summary(definition, response.answers),
        "files": response.uploads.all(),
    }
    return render(request, "lutetia_forms/response.html", context)


@never_cache
def receipt(request, uid):
    response = _response_or_404(request, uid, draft=False)
    out = HttpResponse(services.receipt_pdf(response), content_type="application/pdf")
    out["Content-Disposition"] = f'attachment; filename="{response.reference}.pdf"'
    out["Cache-Control"] = "private, no-store"
    return out


@never_cache
def download(request, uid, file_uid):
    """One of the response's files, to its citizen only (agents have their own view)."""
    response = _response_or_404(request, uid)
    upload = get_object_or_404(response.uploads, uid=file_uid)
    return files.file_response(
        upload.storage_name, display_name=upload.name, content_type=upload.content_type
    )
