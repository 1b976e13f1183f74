"""Forms' use cases: publishing a form, filling it (drafts, steps, files, resume links),
submitting it, and the periodic clean-up (expired drafts, orphan files, retention).

Each use case is one transaction; views parse and authorise, then call one function here.
Nothing here reads a request.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.utils.translation import override

from lutetia import audit, files, notify, resources

from . import definition as fd
from . import runtime
from .models import Form, FormVersion, ReferenceCounter, Response, Upload
from .questions import FillContext, question_types

logger = logging.getLogger(__name__)

_PARSED: dict[tuple[int, Any], fd.Definition] = {}
_PARSED_MAX = 512


class Refused(Exception):
    """A use case refused, with the message the citizen or the agent reads."""

    def __init__(self, message: str, code: str = "refused"):
        super().__init__(message)
        self.message = message
        self.code = code


class PublishRefused(Refused):
    pass


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def definition_of(version: FormVersion) -> fd.Definition:
    """The parsed definition of a published version (cached per process: versions never
    change)."""
    key = (version.pk, version.published_at)
    parsed = _PARSED.get(key)
    if parsed is None:
        parsed = fd.parse(version.definition)
        if len(_PARSED) >= _PARSED_MAX:
            _PARSED.clear()
        _PARSED[key] = parsed
    return parsed


# --- building ---------------------------------------------------------------------------------


def publish(form: Form, user=None) -> FormVersion:
    """Check the draft and publish it as the next version. New responses start on it; drafts
    and responses under way keep theirs. Refused when the report finds an error."""
    from .validation import errors, report

    try:
        parsed = fd.parse(form.draft)
    except fd.DefinitionError as exc:
        raise PublishRefused(str(exc)) from exc
    problems = errors(report(parsed))
    if problems:
        raise PublishRefused(
            _("Fix the errors of the draft before publishing it: %(errors)s")
            % {"errors": " ".join(problem.message for problem in problems)}
        )
    with transaction.atomic():
        form = Form.objects.select_for_update().get(pk=form.pk)
        latest = form.latest_version()
        if latest is not None and latest.definition == form.draft:
            raise PublishRefused(
                _("The draft is the same as the published version: nothing to publish.")
            )
        version = FormVersion.objects.create(
            form=form,
            number=(latest.number if latest else 0) + 1,
            definition=form.draft,
            published_by=user if getattr(user, "is_authenticated", False) else None,
        )
        audit.record(user, "forms.published", form, details={"version": version.number})
    return version


# --- may this citizen fill it? -------------------------------------------------------------------


def unavailable(form: Form, user=None, now: datetime | None = None) -> str:
    """Why the form cannot be filled now ("" when it can)."""
    now = now or timezone.now()
    if not form.enabled or form.latest_version() is None:
        return _("This form is not online.")
    if form.opens_at and now < form.opens_at:
        return _("This form opens on %(date)s.") % {
            "date": date_format(localtime(form.opens_at), "DATETIME_FORMAT")
        }
    if form.closes_at and now >= form.closes_at:
        return _("This form closed on %(date)s.") % {
            "date": date_format(localtime(form.closes_at), "DATETIME_FORMAT")
        }
    if form.max_responses and submitted_count(form) >= form.max_responses:
        return _("This form has received all the responses it accepts.")
    if form.one_per_citizen and user is not None and user.is_authenticated:
        if Response.objects.filter(form=form, single_owner=user).exists():
            return _("You have already submitted this form.")
    return ""


def needs_sign_in(form: Form) -> bool:
    return form.login_required or form.one_per_citizen


def submitted_count(form: Form) -> int:
    return Response.objects.filter(form=form, status=Response.Status.SUBMITTED).count()


# --- drafts -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Access:
    """A draft and the secret that opens it in this browser (kept in the session)."""

    response: Response
    secret: str


def start(
    form: Form, *, site, user=None, language: str = "", start_values: dict | None = None, now=None
) -> Access:
    """A new draft on the form's latest version, for the signed-in citizen or this browser."""
    now = now or timezone.now()
    version = form.latest_version()
    definition = definition_of(version)
    answers = {}
    for question in definition.questions:
        if (
            question.type == "hidden"
            and question.config.get("from_link")
            and start_values
            and question.key in start_values
        ):
            answers[question.key] = str(start_values[question.key])[:200]
    secret = secrets.token_urlsafe(24)
    with transaction.atomic():
        response = Response.objects.create(
            site=site,
            form=form,
            version=version,
            owner=user if getattr(user, "is_authenticated", False) else None,
            email=(user.email if getattr(user, "is_authenticated", False) else ""),
            language=language,
            answers=answers,
            current_step=definition.steps[0].key,
            access_hash=hash_secret(secret),
            created_at=now,
            updated_at=now,
            expires_at=now + timedelta(days=form.draft_days),
        )
    return Access(response, secret)


def may_open(response: Response, user, secrets_held: list[str] | tuple = ()) -> bool:
    """The owner (signed in), or the browser that holds the draft's secret."""
    if response.owner_id:
        return bool(user is not None and user.is_authenticated and user.pk == response.owner_id)
    return bool(response.access_hash) and any(
        hash_secret(secret) == response.access_hash for secret in secrets_held
    )


def fill_context(response: Response, user=None, *, agent: bool = False) -> FillContext:
    """What question types need while this response is filled."""

    def attach(question, uploaded):
        return attach_file(response, question, uploaded).as_answer()

    def is_taken(question, value):
        return (
            Response.objects.filter(form_id=response.form_id, status=Response.Status.SUBMITTED)
            .exclude(pk=response.pk)
            .filter(**{f"answers__{question.key}": value})
            .exists()
        )

    return FillContext(
        site=response.site,
        user=user,
        response=response,
        agent=agent,
        attach=attach,
        is_taken=is_taken,
    )


def attach_file(response: Response, question, uploaded) -> Upload:
    """Check a file against the question's limits (content, extension, size, dimensions, virus)
    and keep it in private storage, attached to the draft. ValidationError when refused."""
    config = question.config
    checked = files.check_upload(
        uploaded,
        allowed=config.get("types") or (),
        max_size=int(float(config.get("max_size_mb") or 10) * 1024 * 1024),
        max_width=config.get("max_width") or None,
        max_height=config.get("max_height") or None,
        scan=True,
    )
    name = files.store(uploaded, checked, prefix=f"forms/{response.form_id}")
    try:
        return Upload.objects.create(
            response=response,
            question=question.key,
            name=checked.name,
            content_type=checked.content_type,
            size=checked.size,
            sha256=checked.sha256,
            width=checked.width,
            height=checked.height,
            storage_name=name,
        )
    except Exception:
        files.delete(name)
        raise


def save_step(
    response: Response,
    step_key: str,
    outcome: runtime.StepOutcome,
    *,
    going_to: str,
    valid: bool,
    now=None,
) -> Response:
    """Keep the step's answers on the draft and where the citizen is going."""
    now = now or timezone.now()
    definition = definition_of(response.version)
    with transaction.atomic():
        locked = Response.objects.select_for_update().get(pk=response.pk)
        if not locked.is_draft:
            raise Refused(_("This response was already submitted."), code="submitted")
        locked.answers = outcome.answers
        visited = [key for key in locked.visited if key != step_key]
        if valid:
            visited.append(step_key)
        on_path = runtime.path(definition, locked.answers)
        locked.visited = [key for key in visited if key in on_path]
        locked.current_step = going_to
        locked.updated_at = now
        locked.expires_at = now + timedelta(days=response.form.draft_days)
        locked.expiry_warned = False
        locked.save(
            update_fields=[
                "answers",
                "visited",
                "current_step",
                "updated_at",
                "expires_at",
                "expiry_warned",
            ]
        )
    return locked


def reachable(response: Response, step_key: str) -> bool:
    """A citizen may open a step they validated, or the first one on their path they have not:
    never one further on (a typed or crafted address)."""
    definition = definition_of(response.version)
    keys = runtime.path(definition, response.answers)
    if step_key == runtime.SUMMARY:
        return all(key in response.visited for key in keys)
    if step_key not in keys:
        return False
    for key in keys:
        if key == step_key:
            return True
        if key not in response.visited:
            return False
    return False


def first_open_step(response: Response) -> str:
    definition = definition_of(response.version)
    for key in runtime.path(definition, response.answers):
        if key not in response.visited:
            return key
    return runtime.SUMMARY


# --- resume links -----------------------------------------------------------------------------

RESUME_INTERVAL = 120  # seconds between two resume e-mails for one draft


def send_resume_link(response: Response, email: str, url_for, *, language: str = "") -> None:
    """E-mail a link that reopens the draft on another device (one use). ``url_for(secret)``
    builds the absolute link. Refused when one was sent less than two minutes ago."""
    if not cache.add(f"forms:resume:{response.pk}", 1, RESUME_INTERVAL):
        raise Refused(
            _("A link was sent less than two minutes ago: check your mailbox."), code="throttled"
        )
    secret = secrets.token_urlsafe(32)
    with transaction.atomic():
        Response.objects.filter(pk=response.pk).update(resume_hash=hash_secret(secret), email=email)
        expires = localtime(response.expires_at) if response.expires_at else None
        with override(language or None):
            body = _(
                "Hello,\n\nYou saved a draft of the form “%(form)s”. Follow this link to go on "
                "where you stopped (it works once):\n\n%(url)s\n\n"
            ) % {"form": response.form.title, "url": url_for(secret)}
            if expires:
                body += _("The draft is kept until %(date)s.") % {
                    "date": date_format(expires, "DATETIME_FORMAT")
                }
            notify.email(
                email,
                _("Your draft: %(form)s") % {"form": response.form.title},
                body,
                site=response.site,
                source=f"forms:draft:{response.pk}",
            )
        audit.record(None, "forms.resume_link_sent", response, origin="front")


def _linked(secret: str) -> Response | None:
    """The response a one-use link names, locked (call it in a transaction)."""
    return (
        Response.objects.select_for_update()
        .filter(resume_hash=hash_secret(secret))
        .exclude(resume_hash="")
        .first()
    )


def _hand_over(response: Response, user, owner_message: str) -> Access:
    """The link worked: it stops working, and this browser gets the response's new secret
    (someone who finds the link afterwards gets nothing). A response of an account needs
    that account signed in."""
    if response.owner_id and (user is None or user.pk != response.owner_id):
        raise Refused(owner_message, code="owner")
    fresh = secrets.token_urlsafe(24)
    response.resume_hash = ""
    response.access_hash = hash_secret(fresh)
    response.save(update_fields=["resume_hash", "access_hash"])
    return Access(response, fresh)


def resume(secret: str, user=None) -> Access:
    """The draft a resume link opens, with a new browser secret; the link then stops working
    (a link forwarded or seen by someone else cannot be used after its owner)."""
    with transaction.atomic():
        response = _linked(secret)
        if response is None:
            raise Refused(
                _(
                    "This link was already used or is no longer valid. Ask for a new one from the draft's page, or start again."
                ),
                code="used",
            )
        if not response.is_draft:
            raise Refused(_("This response was already submitted."), code="submitted")
        access = _hand_over(
            response, user, _("Sign in with the account that started this draft to go on.")
        )
        audit.record(user, "forms.draft_resumed", response, origin="front")
    return access


def discard(response: Response, user=None) -> None:
    """The citizen deletes their draft (and its files)."""
    with transaction.atomic():
        names = list(response.uploads.values_list("storage_name", flat=True))
        Response.objects.filter(pk=response.pk, status=Response.Status.DRAFT).delete()
        transaction.on_commit(lambda: [files.delete(name) for name in names])


# --- submission -------------------------------------------------------------------------------


def refuse_gaps(definition: fd.Definition, answers: dict[str, Any]) -> None:
    """Refused, naming the first mandatory answer missing along the path (a step skipped by a
    crafted address, an answer dropped by a crafted POST)."""
    gaps = runtime.missing(definition, answers)
    if gaps:
        step, question = gaps[0]
        raise Refused(
            _("The answer to “%(question)s” (step “%(step)s”) is missing.")
            % {"question": question.label, "step": step.title or step.key},
            code="missing",
        )


def next_reference(site, prefix: str, now: datetime) -> str:
    """PREFIX-YEAR-NUMBER, numbered per site, prefix and year, in the caller's transaction (the
    counter row stays locked until it commits: two submissions never get the same number)."""
    year = localtime(now).year
    counter, _created = ReferenceCounter.objects.get_or_create(site=site, prefix=prefix, year=year)
    ReferenceCounter.objects.filter(pk=counter.pk).update(last=F("last") + 1)
    counter.refresh_from_db(fields=["last"])
    return f"{prefix}-{year}-{counter.last:06d}"


def search_text_of(response: Response) -> str:
    definition = definition_of(response.version)
    parts = [response.reference, response.email]
    if response.owner_id and response.owner:
        parts.append(response.owner.get_full_name())
    for question in definition.questions:
        kind = question_types.get(question.type)
        if kind is not None and kind.input and question.key in response.answers:
            parts.append(kind.search_text(question, response.answers[question.key]))
    return " ".join(part for part in parts if part).casefold()[:20000]


def submit(response: Response, *, user=None, accepted_terms: bool = False, now=None) -> Response:
    """Submit a draft: checked again in full, numbered, its workflow started, the citizen's
    confirmation queued with the PDF receipt — all in one transaction, or nothing."""
    now = now or timezone.now()
    try:
        with transaction.atomic():
            return _submit(response, user=user, accepted_terms=accepted_terms, now=now)
    except IntegrityError as exc:
        if (
            "one_per_citizen" in str(exc)
            or Response.objects.filter(form=response.form, single_owner=user).exists()
        ):
            raise Refused(
                _("You have already submitted this form."), code="one_per_citizen"
            ) from exc
        raise


def _submit(response: Response, *, user, accepted_terms: bool, now) -> Response:
    form = Form.objects.select_for_update().get(pk=response.form_id)
    response = Response.objects.select_for_update().get(pk=response.pk)
    if not response.is_draft:
        raise Refused(_("This response was already submitted."), code="submitted")
    reason = unavailable(form, user, now)
    if reason:
        raise Refused(reason, code="unavailable")
    if needs_sign_in(form) and response.owner_id is None:
        raise Refused(_("Sign in to submit this form."), code="sign_in")
    if form.terms and not accepted_terms:
        raise Refused(_("Accept the terms to submit the form."), code="terms")
    definition = definition_of(response.version)
    refuse_gaps(definition, response.answers)
    if not reachable(response, runtime.SUMMARY):
        raise Refused(_("Go through every step of the form before submitting it."), code="steps")
    context = fill_context(response, user)
    for question in definition.questions:
        value = response.answers.get(question.key)
        if question.unique and value not in (None, "", []) and context.is_taken(question, value):
            raise Refused(
                _("The answer to “%(question)s” was already given in another response.")
                % {"question": question.label},
                code="unique",
            )
    response.status = Response.Status.SUBMITTED
    response.submitted_at = now
    response.updated_at = now
    response.expires_at = None
    response.reference = next_reference(response.site, form.reference_prefix, now)
    response.workgroup_id = form.workgroup_id
    response.single_owner_id = response.owner_id if form.one_per_citizen else None
    response.answers = runtime.kept_answers(definition, response.answers)
    response.email = contact_address(response, definition)
    response.search_text = search_text_of(response)
    response.resume_hash = ""
    response.save()
    _drop_unused_uploads(response)
    audit.record(
        user,
        "forms.submitted",
        response,
        origin="front",
        details={"form": form.pk, "version": response.version.number},
    )
    resources.created(response, actor=user if getattr(user, "is_authenticated", False) else None)
    _confirm(response)
    return response


def contact_address(response: Response, definition: fd.Definition) -> str:
    """Where the citizen is written to: their account's address, else the first e-mail address
    they answered, else the one they gave for a resume link."""
    if response.owner_id and response.owner.email:
        return response.owner.email
    for question in definition.questions:
        if question.type == "email" and response.answers.get(question.key):
            return response.answers[question.key]
    return response.email


def _drop_unused_uploads(response: Response) -> None:
    """Files sent then removed or replaced before submission are not kept."""
    used = used_upload_ids(response)
    unused = response.uploads.exclude(uid__in=used)
    names = list(unused.values_list("storage_name", flat=True))
    unused.delete()
    transaction.on_commit(lambda: [files.delete(name) for name in names])


def used_upload_ids(response: Response) -> set[str]:
    definition = definition_of(response.version)
    ids: set[str] = set()
    for question in definition.questions:
        kind = question_types.get(question.type)
        if kind is not None:
            ids.update(item["id"] for item in kind.files(response.answers.get(question.key)))
    return ids


def receipt_text(response: Response) -> str:
    lines = [
        _("Reference: %(reference)s") % {"reference": response.reference},
        _("Submitted on %(date)s")
        % {"date": date_format(localtime(response.submitted_at), "DATETIME_FORMAT")},
        "",
    ]
    for part in runtime.summary(definition_of(response.version), response.answers):
        lines.append((part.step.title or "").upper())
        for line in part.lines:
            lines.append(f"{line.label}: {line.value}")
        lines.append("")
    return "\n".join(lines)


def receipt_pdf(response: Response) -> bytes:
    from lutetia import pdf

    return pdf.render(response.form.title, receipt_text(response), created=response.submitted_at)


def _confirm(response: Response) -> None:
    """The confirmation e-mail with the PDF receipt, queued in the submission's transaction."""
    address = response.email
    if not address:
        return
    with override(response.language or None):
        body = _(
            "Hello,\n\nWe received your form “%(form)s”. Its reference is %(reference)s.\n\n"
        ) % {
            "form": response.form.title,
            "reference": response.reference,
        }
        if response.form.confirmation_message:
            body += response.form.confirmation_message + "\n\n"
        body += _("Your answers are in the attached receipt.")
        notify.email(
            address,
            _("%(form)s: we received your form (%(reference)s)")
            % {"form": response.form.title, "reference": response.reference},
            body,
            site=response.site,
            user=response.owner,
            attachments=[(f"{response.reference}.pdf", receipt_pdf(response), "application/pdf")],
            source=f"forms:response:{response.pk}",
        )


# --- corrections asked by a workflow --------------------------------------------------------


def reopen(response: Response, *, message: str, until: datetime) -> str:
    """Let the citizen correct their submitted answers until ``until`` (the workflow's "ask the
    citizen" task calls it through the resource protocol); returns the one-use link's path."""
    secret = secrets.token_urlsafe(32)
    Response.objects.filter(pk=response.pk).update(
        correction_until=until,
        correction_message=message[:2000],
        pending_answers=None,
        resume_hash=hash_secret(secret),
    )
    response.correction_until, response.correction_message = until, message[:2000]
    from django.urls import reverse

    return reverse("forms:correct_link", args=[secret])


def open_correction(secret: str, user=None) -> Access:
    """The response a correction link opens, in this browser (the link then stops working)."""
    with transaction.atomic():
        response = _linked(secret)
        if response is None or response.is_draft or not response.correction_open():
            raise Refused(_("This link was already used or is no longer valid."), code="used")
        return _hand_over(
            response, user, _("Sign in with the account that sent this form to correct it.")
        )


def correcting(response: Response) -> dict[str, Any]:
    """The answers being corrected: the pending ones, else the submitted ones."""
    return response.pending_answers if response.pending_answers is not None else response.answers


def save_correction_step(response: Response, outcome: runtime.StepOutcome) -> None:
    with transaction.atomic():
        locked = Response.objects.select_for_update().get(pk=response.pk)
        if not locked.correction_open():
            raise Refused(_("The time to correct this form is over."), code="closed")
        locked.pending_answers = outcome.answers
        locked.save(update_fields=["pending_answers"])
    response.pending_answers = outcome.answers


def send_corrections(response: Response, user=None, now=None) -> Response:
    """The corrected answers replace the submitted ones, checked in full like a submission;
    the workflow is told the resource changed (an automatic action may follow)."""
    now = now or timezone.now()
    with transaction.atomic():
        response = Response.objects.select_for_update().get(pk=response.pk)
        if not response.correction_open(now):
            raise Refused(_("The time to correct this form is over."), code="closed")
        if response.pending_answers is None:
            raise Refused(_("You changed nothing yet."), code="unchanged")
        definition = definition_of(response.version)
        pending = runtime.kept_answers(definition, response.pending_answers)
        refuse_gaps(definition, pending)
        changed = sorted(
            key
            for key in set(pending) | set(response.answers)
            if pending.get(key) != response.answers.get(key)
        )
        response.answers = pending
        response.pending_answers = None
        response.correction_until = None
        response.correction_message = ""
        response.updated_at = now
        response.search_text = search_text_of(response)
        response.save()
        _drop_unused_uploads(response)
        audit.record(
            user, "forms.corrected", response, origin="front", details={"changed": changed[:50]}
        )
        resources.changed(
            response,
            actor=user if getattr(user, "is_authenticated", False) else None,
            fields=changed,
        )
    return response


# --- clean-up and retention ------------------------------------------------------------------


def warn_expiring_drafts(url_for, now=None, days: int = 3) -> int:
    """E-mail the citizens whose draft is deleted in ``days`` days (once per draft); anonymous
    drafts get a fresh resume link. ``url_for(response, secret)`` builds it."""
    now = now or timezone.now()
    warned = 0
    due = (
        Response.objects.filter(
            status=Response.Status.DRAFT,
            expiry_warned=False,
            expires_at__lte=now + timedelta(days=days),
        )
        .exclude(email="")
        .select_related("form", "site")
    )
    for response in due.iterator():
        with transaction.atomic():
            secret = secrets.token_urlsafe(32)
            updated = Response.objects.filter(pk=response.pk, expiry_warned=False).update(
                expiry_warned=True, resume_hash=hash_secret(secret)
            )
            if not updated:
                continue
            with override(response.language or None):
                notify.email(
                    response.email,
                    _("Your draft will be deleted: %(form)s") % {"form": response.form.title},
                    _(
                        "Hello,\n\nYour draft of the form “%(form)s” will be deleted on %(date)s. "
                        "To finish it, follow this link (it works once):\n\n%(url)s\n"
                    )
                    % {
                        "form": response.form.title,
                        "date": date_format(localtime(response.expires_at), "DATETIME_FORMAT"),
                        "url": url_for(response, secret),
                    },
                    site=response.site,
                    source=f"forms:draft:{response.pk}",
                )
            warned += 1
    return warned


def purge_expired_drafts(now=None) -> int:
    """Delete the drafts past their expiry, with their files."""
    now = now or timezone.now()
    expired = Response.objects.filter(status=Response.Status.DRAFT, expires_at__lt=now)
    count = 0
    for response in expired.iterator():
        with transaction.atomic():
            names = list(
                Upload.objects.filter(response=response).values_list("storage_name", flat=True)
            )
            deleted, _by_model = Response.objects.filter(
                pk=response.pk, status=Response.Status.DRAFT, expires_at__lt=now
            ).delete()
            if deleted:
                count += 1
                transaction.on_commit(lambda names=names: [files.delete(name) for name in names])
    return count


def purge_orphan_uploads(now=None, grace: timedelta = timedelta(days=1)) -> int:
    """Delete files no answer refers to any more (replaced or removed in a draft), once they
    are a day old (a step being submitted may be about to refer to them)."""
    now = now or timezone.now()
    count = 0
    candidates = Upload.objects.filter(created_at__lt=now - grace).select_related(
        "response", "response__version"
    )
    by_response: dict[int, set[str]] = {}
    for upload in candidates.iterator():
        used = by_response.get(upload.response_id)
        if used is None:
            used = by_response[upload.response_id] = used_upload_ids(upload.response)
        if str(upload.uid) in used:
            continue
        with transaction.atomic():
            if Upload.objects.filter(pk=upload.pk).delete()[0]:
                count += 1
                transaction.on_commit(lambda name=upload.storage_name: files.delete(name))
    return count


def anonymise(response: Response, *, actor=None, reason: str = "") -> Response:
    """Erase the personal data of a submitted response (answers marked anonymisable, their
    files, the citizen's account link and address); the rest stays for statistics."""
    definition = definition_of(response.version)
    with transaction.atomic():
        response = Response.objects.select_for_update().get(pk=response.pk)
        answers = dict(response.answers)
        for question in definition.questions:
            if question.anonymise and question.key in answers:
                kind = question_types.get(question.type)
                replacement = kind.anonymised(question, answers[question.key]) if kind else None
                if replacement is None:
                    answers.pop(question.key)
                else:
                    answers[question.key] = replacement
        response.answers = answers
        response.owner = None
        response.single_owner = None
        response.email = ""
        response.access_hash = response.resume_hash = ""
        response.anonymised_at = timezone.now()
        response.search_text = response.reference.casefold()
        response.save()
        used = used_upload_ids(response)
        dropped = response.uploads.exclude(uid__in=used)
        names = list(dropped.values_list("storage_name", flat=True))
        dropped.delete()
        transaction.on_commit(lambda: [files.delete(name) for name in names])
        audit.record(
            actor,
            "forms.anonymised",
            response,
            origin="system" if actor is None else None,
            details={"reason": reason},
        )
    return response


def delete_response(response: Response, *, actor=None, reason: str = "") -> None:
    with transaction.atomic():
        names = list(response.uploads.values_list("storage_name", flat=True))
        audit.record(
            actor,
            "forms.deleted",
            response,
            origin="system" if actor is None else None,
            details={"reason": reason, "reference": response.reference},
        )
        Response.objects.filter(pk=response.pk).delete()
        transaction.on_commit(lambda: [files.delete(name) for name in names])


def apply_retention(now=None) -> dict[str, int]:
    """Anonymise or delete the submitted responses past their form's retention period."""
    now = now or timezone.now()
    done = {"anonymised": 0, "deleted": 0}
    for form in Form.objects.exclude(retention_days=None):
        due = Response.objects.filter(
            form=form,
            status=Response.Status.SUBMITTED,
            submitted_at__lt=now - timedelta(days=form.retention_days),
        )
        if form.retention_action == Form.Retention.ANONYMISE:
            due = due.filter(anonymised_at=None)
        for response in due.iterator():
            if form.retention_action == Form.Retention.DELETE:
                delete_response(response, reason="retention")
                done["deleted"] += 1
            else:
                anonymise(response, reason="retention")
                done["anonymised"] += 1
    return done


def set_status(response: Response, *, state: str, label: str, final: bool, assignee=None) -> None:
    """The workflow's copy on the response, for the back-office lists' filters and columns."""
    fields = {"state": state, "state_label": label[:200], "closed": final, "assignee": assignee}
    if final and not response.closed:
        fields["closed_at"] = timezone.now()
    elif not final:
        fields["closed_at"] = None
    Response.objects.filter(pk=response.pk).update(**fields)
    for name, value in fields.items():
        setattr(response, name, value)
