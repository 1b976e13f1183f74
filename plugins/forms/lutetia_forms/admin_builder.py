"""The form builder in the back office: an administrator builds a form's draft step by step,
previews it as a citizen would, reads the validation report, publishes it, exports it.

Each screen edits one part (a step, a question) through a form of builder_forms.py; the change is
applied to the draft as it is in the database (locked), the whole new draft is parsed, and only
then kept, with an audit entry: a malformed change is refused with the parser's message and
nothing is saved. What is well-formed but wrong (a condition on a later question) is the
validation report's, and stops publishing, not saving: a draft may be unfinished.

Rights: ``forms.change_form`` to build, ``forms.add_form`` to import or duplicate, and the
form's workgroup: another workgroup's form answers 404, as if it did not exist.
"""

from __future__ import annotations

import copy
import uuid
from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views import View
from wagtail.admin import messages
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.models import Site

from lutetia import audit
from lutetia.accounts import workgroups

from . import definition as fd
from . import exchange, render_step, runtime, services, validation
from .builder_forms import (
    OPERATOR_LABELS,
    DefinitionForm,
    ImportForm,
    QuestionForm,
    StepForm,
    check_drawable,
    value_text,
)
from .models import Form, Response
from .questions import FillContext, question_types
from .questions.builtin import choices_of

CHANGE_PERMISSION = "forms.change_form"
ADD_PERMISSION = "forms.add_form"
TEMPLATES = "lutetia_forms/admin/builder/"
#: Types a repeatable group cannot hold (see RepeatableGroup.check).
NOT_IN_GROUPS = ("group", "table", "file", "computed")


def can_build(user) -> bool:
    return bool(user.is_active and user.is_staff and user.has_perm(CHANGE_PERMISSION))


def can_create(user) -> bool:
    return bool(user.is_active and user.is_staff and user.has_perm(ADD_PERMISSION))


def form_or_404(user, pk, *, permission: Callable = can_build) -> Form:
    """The form, when ``user`` has the right and the form's workgroup is theirs (else 404)."""
    if not permission(user):
        raise PermissionDenied
    return workgroups.get_object_or_404(
        Form.objects.select_related("site", "category"), user, pk=pk
    )


def current_site(request) -> Site:
    """The site being administered: the request's, else the default one."""
    site = Site.find_for_request(request) or Site.objects.filter(is_default_site=True).first()
    if site is None:
        raise Http404
    return site


# --- changing the draft -------------------------------------------------------------------------


def change_draft(form: Form, change: Callable[[dict], dict], user=None) -> Form:
    """Apply ``change`` to the form's draft as stored (the row locked, so that two
    administrators editing two parts both keep theirs), parse the result whole, keep it.

    `fd.DefinitionError` (malformed) or `Http404` (the part is gone) leave the draft as it was.
    """
    with transaction.atomic():
        locked = Form.objects.select_for_update().get(pk=form.pk)
        draft = change(copy.deepcopy(locked.draft or fd.empty()))
        check_drawable(fd.parse(draft))
        locked.draft = draft
        locked.save(update_fields=["draft", "updated_at"])
        audit.record(user, "forms.draft_changed", locked, category="admin")
    return locked


def _steps(draft: dict) -> list[dict]:
    steps = draft.get("steps")
    if not isinstance(steps, list):
        raise Http404
    return steps


def find_step(draft: dict, key: str) -> tuple[int, dict]:
    for index, step in enumerate(_steps(draft)):
        if isinstance(step, dict) and step.get("key") == key:
            return index, step
    raise Http404


def find_questions(draft: dict, key: str, parent: str | None = None) -> tuple[list, int]:
    """The list holding question ``key`` (a step's questions, or a group's) and its place."""
    if parent is not None:
        group, _index = _find_in_steps(draft, parent)
        holder = _group_questions(group)
    else:
        holder = None
        for step in _steps(draft):
            questions = step.get("questions") if isinstance(step, dict) else None
            if isinstance(questions, list) and any(
                isinstance(q, dict) and q.get("key") == key for q in questions
            ):
                holder = questions
                break
        if holder is None:
            raise Http404
    for index, question in enumerate(holder):
        if isinstance(question, dict) and question.get("key") == key:
            return holder, index
    raise Http404


def _find_in_steps(draft: dict, key: str) -> tuple[dict, int]:
    holder, index = find_questions(draft, key)
    return holder[index], index


def _group_questions(group: dict) -> list:
    if group.get("type") != "group":
        raise Http404
    config = group.setdefault("config", {})
    if not isinstance(config, dict):
        raise Http404
    return config.setdefault("questions", [])


def _moved(items: list, index: int, delta: int) -> None:
    target = index + delta
    if 0 <= target < len(items):
        items[index], items[target] = items[target], items[index]


def _rename_in_condition(condition: Any, old: str, new: str) -> Any:
    if not isinstance(condition, dict):
        return condition
    for group in ("all", "any"):
        if isinstance(condition.get(group), list):
            return {group: [_rename_in_condition(part, old, new) for part in condition[group]]}
    if "not" in condition:
        return {"not": _rename_in_condition(condition["not"], old, new)}
    if condition.get("question") == old:
        return {**condition, "question": new}
    return condition


def rename_question(draft: dict, old: str, new: str) -> None:
    """A renamed question: the conditions that tested it test it under its new key."""
    for step in _steps(draft):
        for question in step.get("questions") or []:
            if isinstance(question, dict) and question.get("when"):
                question["when"] = _rename_in_condition(question["when"], old, new)
        for transition in step.get("transitions") or []:
            if isinstance(transition, dict) and transition.get("when"):
                transition["when"] = _rename_in_condition(transition["when"], old, new)


def put_step(draft: dict, step: dict, key: str | None = None) -> dict:
    """Add the step at the end, or replace step ``key`` (transitions follow a renamed key)."""
    steps = _steps(draft)
    if key is None:
        steps.append(step)
        return draft
    index, _old = find_step(draft, key)
    steps[index] = step
    if step["key"] != key:
        for other in steps:
            for transition in other.get("transitions") or []:
                if isinstance(transition, dict) and transition.get("to") == key:
                    transition["to"] = step["key"]
    return draft


def delete_step(draft: dict, key: str) -> dict:
    index, _step = find_step(draft, key)
    leading = [
        other.get("title") or other.get("key")
        for other in _steps(draft)
        if any(isinstance(t, dict) and t.get("to") == key for t in other.get("transitions") or [])
    ]
    if leading:
        raise fd.DefinitionError(
            _("Transitions of these steps lead to it: %(steps)s. Change them first.")
            % {"steps": ", ".join(f"“{title}”" for title in leading)}
        )
    del _steps(draft)[index]
    return draft


def move_step(draft: dict, key: str, delta: int) -> dict:
    index, _step = find_step(draft, key)
    _moved(_steps(draft), index, delta)
    return draft


def put_question(
    draft: dict,
    question: dict,
    *,
    step: str | None = None,
    key: str | None = None,
    parent: str | None = None,
) -> dict:
    """Add ``question`` at the end of ``step`` (or of group ``parent``), or replace question
    ``key`` where it is."""
    if key is None:
        if parent is not None:
            group, _index = _find_in_steps(draft, parent)
            _group_questions(group).append(question)
        else:
            _index, found = find_step(draft, step)
            found.setdefault("questions", []).append(question)
        return draft
    holder, index = find_questions(draft, key, parent)
    holder[index] = question
    if parent is None and question["key"] != key:
        rename_question(draft, key, question["key"])
    return draft


def delete_question(draft: dict, key: str, parent: str | None = None) -> dict:
    holder, index = find_questions(draft, key, parent)
    del holder[index]
    return draft


def move_question(draft: dict, key: str, delta: int, parent: str | None = None) -> dict:
    holder, index = find_questions(draft, key, parent)
    _moved(holder, index, delta)
    return draft


# --- conditions and questions in words, for the overview ------------------------------------------


def _answer_words(value: Any, question: fd.Question | None) -> str:
    if isinstance(value, list):
        return ", ".join(_answer_words(item, question) for item in value)
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if question is not None and question.type in ("choice", "choices"):
        return f"“{dict(choices_of(question)).get(str(value), value)}”"
    return f"“{value_text(value)}”"


def describe(condition: dict | None, definition: fd.Definition) -> str:
    """A condition as a sentence: “Age” is at least “18” and “Company” is yes."""
    if not condition:
        return ""
    for group, word in (("all", _("and")), ("any", _("or"))):
        if group in condition:
            parts = [describe(part, definition) for part in condition[group]]
            return f" {word} ".join(f"({part})" if " " in part else part for part in parts)
    if "not" in condition:
        return _("not (%(condition)s)") % {"condition": describe(condition["not"], definition)}
    question = definition.question(condition["question"])
    name = f"“{question.label or question.key}”" if question else f"“{condition['question']}”"
    words = f"{name} {OPERATOR_LABELS[condition['op']]}"
    if "value" in condition:
        words += f" {_answer_words(condition['value'], question)}"
    return words


def _type_label(type_id: str) -> str:
    kind = question_types.get(type_id)
    return str(kind.label) if kind else _("unknown type “%(type)s”") % {"type": type_id}


def question_rows(questions, definition: fd.Definition) -> list[dict]:
    return [
        {
            "question": question,
            "type_label": _type_label(question.type),
            "condition": describe(question.when, definition),
            "children": question_rows(question.children, definition),
            "is_group": question.type == "group",
        }
        for question in questions
    ]


def step_rows(definition: fd.Definition) -> list[dict]:
    rows = []
    for index, step in enumerate(definition.steps):
        transitions = [
            {
                "to": (definition.step(t.to).title or t.to) if definition.step(t.to) else t.to,
                "condition": describe(t.when, definition),
            }
            for t in step.transitions
        ]
        following = definition.steps[index + 1] if index + 1 < len(definition.steps) else None
        rows.append(
            {
                "step": step,
                "questions": question_rows(step.questions, definition),
                "transitions": transitions,
                "otherwise": (following.title or following.key) if following else "",
                "first": index == 0,
                "last": index == len(definition.steps) - 1,
            }
        )
    return rows


def problems_of(draft: dict) -> list[validation.Problem]:
    """The validation report of a stored draft; a draft the parser or the question types
    refuse (stored before a check existed, or by other means) is one error, not a crash."""
    try:
        parsed = fd.parse(draft)
        check_drawable(parsed)
    except fd.DefinitionError as exc:
        return [validation.Problem(validation.ERROR, _("definition"), str(exc))]
    return validation.report(parsed)


def unpublished(form: Form) -> bool:
    latest = form.latest_version()
    return latest is None or latest.definition != form.draft


# --- views ------------------------------------------------------------------------------------


class BuilderMixin(WagtailAdminTemplateMixin):
    """Resolves the form (rights and workgroup) before anything, and saves draft changes."""

    header_icon = "form"
    #: what the view needs besides the form's workgroup
    permission = staticmethod(can_build)

    def dispatch(self, request, pk=None, *args, **kwargs):
        self.form = form_or_404(request.user, pk, permission=self.permission)
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        items = [
            *self.breadcrumbs_items,
            {"url": reverse("forms_forms:index"), "label": _("Forms")},
            {
                "url": reverse("forms_builder:overview", args=[self.form.pk]),
                "label": str(self.form),
            },
        ]
        return [*items, {"url": "", "label": self.get_page_title()}]

    def get_context_data(self, **kwargs):
        return super().get_context_data(form_=self.form, **kwargs)

    def save(self, change: Callable[[dict], dict]) -> bool:
        """Apply a change to the draft; False (and the parser's message) when refused."""
        try:
            self.form = change_draft(self.form, change, self.request.user)
        except fd.DefinitionError as exc:
            messages.error(self.request, str(exc))
            return False
        messages.success(self.request, _("The draft is saved. Publish it when it is ready."))
        return True

    def back(self):
        return redirect("forms_builder:overview", self.form.pk)


class OverviewView(BuilderMixin, View):
    """The draft: its steps in order with their questions and transitions, the checks, the
    buttons to change each part, publish, preview, export."""

    template_name = TEMPLATES + "overview.html"

    def get_page_title(self):
        return _("Build")

    def get_page_subtitle(self):
        return str(self.form)

    def get(self, request):
        try:
            parsed = fd.parse(self.form.draft)
        except fd.DefinitionError as exc:
            parsed = None
            messages.error(request, str(exc))
        problems = problems_of(self.form.draft)
        context = self.get_context_data(
            steps=step_rows(parsed) if parsed is not None else [],
            errors=len(validation.errors(problems)),
            warnings=len(problems) - len(validation.errors(problems)),
            unpublished=unpublished(self.form),
            latest=self.form.latest_version(),
            type_choices=question_types.choices(),
            child_type_choices=[
                (key, label) for key, label in question_types.choices() if key not in NOT_IN_GROUPS
            ],
            can_create=can_create(request.user),
        )
        return self.render_to_response(context)


class StepView(BuilderMixin, View):
    """Add a step, or change one: title, key, transitions."""

    template_name = TEMPLATES + "step.html"

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.key = kwargs.get("key")

    def get_page_title(self):
        return _("Edit the step") if self.key else _("Add a step")

    def current(self) -> dict | None:
        return find_step(self.form.draft, self.key)[1] if self.key else None

    def get(self, request, key=None, step_form=None, status=200):
        step_form = step_form or StepForm(draft=self.form.draft, step=self.current())
        return self.render_to_response(self.get_context_data(step_form=step_form), status=status)

    def post(self, request, key=None):
        step_form = StepForm(request.POST, draft=self.form.draft, step=self.current())
        if step_form.is_valid():
            step = step_form.as_step()
            if self.save(lambda draft: put_step(draft, step, self.key)):
                return self.back()
        return self.get(request, step_form=step_form, status=400)


class QuestionView(BuilderMixin, View):
    """Add a question to a step or to a repeatable group (``?type=<id>``), or change one."""

    template_name = TEMPLATES + "question.html"

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.step_key = kwargs.get("step")
        self.key = kwargs.get("key")
        self.parent = kwargs.get("parent")

    def get_page_title(self):
        if self.key:
            return _("Edit the question")
        return _("Add a question: %(type)s") % {"type": self.kind.label}

    def existing(self) -> dict | None:
        if self.key is None:
            return None
        holder, index = find_questions(self.form.draft, self.key, self.parent)
        return holder[index]

    def siblings(self) -> list[dict]:
        if self.parent is None:
            return []
        group, _index = _find_in_steps(self.form.draft, self.parent)
        return list(_group_questions(copy.deepcopy(group)))

    def question_form(self, data=None) -> QuestionForm:
        question = self.existing()
        if self.key is None and self.parent is None:
            find_step(self.form.draft, self.step_key)  # 404 for a step that is not there
        type_id = (question or {}).get("type") or self.request.GET.get("type", "")
        self.kind = question_types.get(type_id)
        if self.kind is None:
            raise Http404
        if self.parent is not None and type_id in NOT_IN_GROUPS:
            raise Http404
        return QuestionForm(
            data,
            kind=self.kind,
            draft=self.form.draft,
            siblings=self.siblings(),
            question=question,
            nested=self.parent is not None,
        )

    def get(self, request, question_form=None, status=200, **kwargs):
        question_form = question_form or self.question_form()
        context = self.get_context_data(
            question_form=question_form,
            kind=self.kind,
            parent=self.parent,
        )
        return self.render_to_response(context, status=status)

    def post(self, request, **kwargs):
        question_form = self.question_form(request.POST)
        if question_form.is_valid():
            question = question_form.as_question()
            change = lambda draft: put_question(  # noqa: E731
                draft, question, step=self.step_key, key=self.key, parent=self.parent
            )
            if self.save(change):
                self.warn_about(question)
                return self.back()
        return self.get(request, question_form=question_form, status=400)

    def warn_about(self, question: dict) -> None:
        """The type's own doubts (no choice yet…): said now, they stop publishing later."""
        try:
            alone = fd.parse({"steps": [{"key": "check", "questions": [question]}]})
        except fd.DefinitionError:
            return
        for problem in self.kind.check(alone.steps[0].questions[0]):
            messages.warning(self.request, problem)


def _post_only(view):
    """A command (delete, move): POST only, with the rights and the workgroup checked."""

    def wrapped(request, pk, *args, **kwargs):
        if request.method != "POST":
            return HttpResponse(status=405)
        form = form_or_404(request.user, pk)
        return view(request, form, *args, **kwargs)

    wrapped.__doc__ = view.__doc__
    return wrapped


def _command(request, form, change: Callable[[dict], dict], done: str = "") -> HttpResponse:
    try:
        change_draft(form, change, request.user)
    except fd.DefinitionError as exc:
        messages.error(request, str(exc))
    else:
        if done:
            messages.success(request, done)
    return redirect("forms_builder:overview", form.pk)


MOVES = {"up": -1, "down": 1}


@_post_only
def step_command(request, form, key, command):
    """Delete a step, or move it up or down."""
    if command == "delete":
        return _command(request, form, lambda d: delete_step(d, key), _("Deleted from the draft."))
    if command not in MOVES:
        raise Http404
    return _command(request, form, lambda d: move_step(d, key, MOVES[command]))


@_post_only
def question_command(request, form, key, command, parent=None):
    """Delete a question, or move it up or down in its step (or its group)."""
    if command == "delete":
        return _command(
            request,
            form,
            lambda d: delete_question(d, key, parent),
            _("Deleted from the draft."),
        )
    if command not in MOVES:
        raise Http404
    return _command(request, form, lambda d: move_question(d, key, MOVES[command], parent))


class DefinitionView(BuilderMixin, View):
    """The whole draft as JSON, for those who prefer it (checked the same way)."""

    template_name = TEMPLATES + "form.html"

    def get_page_title(self):
        return _("Edit as JSON")

    def get(self, request, json_form=None, status=200):
        json_form = json_form or DefinitionForm(initial={"definition": self.form.draft})
        return self.render_to_response(self.get_context_data(edit_form=json_form), status=status)

    def post(self, request):
        json_form = DefinitionForm(request.POST)
        if json_form.is_valid():
            new = json_form.cleaned_data["definition"]
            if self.save(lambda _draft: new):
                return self.back()
        return self.get(request, json_form=json_form, status=400)


class ReportView(BuilderMixin, View):
    """What is wrong or doubtful in the draft: errors stop publishing, warnings do not."""

    template_name = TEMPLATES + "report.html"

    def get_page_title(self):
        return _("Validation report")

    def get(self, request):
        problems = problems_of(self.form.draft)
        context = self.get_context_data(problems=problems, errors=validation.errors(problems))
        return self.render_to_response(context)


@_post_only
def publish(request, form):
    """Publish the draft as the next version."""
    try:
        version = services.publish(form, request.user)
    except services.PublishRefused as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _(
                "Version %(number)s is published: new responses start on it; drafts and "
                "responses under way keep their version."
            )
            % {"number": version.number},
        )
    return redirect("forms_builder:overview", form.pk)


class VersionsView(BuilderMixin, View):
    """The published versions, and how many responses each one holds."""

    template_name = TEMPLATES + "versions.html"

    def get_page_title(self):
        return _("Published versions")

    def get(self, request):
        versions = (
            self.form.versions.select_related("published_by")
            .annotate(
                drafts=Count("responses", filter=Q(responses__status=Response.Status.DRAFT)),
                submitted=Count("responses", filter=Q(responses__status=Response.Status.SUBMITTED)),
            )
            .order_by("-number")
        )
        return self.render_to_response(self.get_context_data(versions=versions))


def export(request, pk):
    """The form as a JSON file: its draft, or ``?version=<number>``."""
    form = form_or_404(request.user, pk)
    version = None
    if request.GET.get("version"):
        try:
            version = form.versions.get(number=int(request.GET["version"]))
        except (ValueError, form.versions.model.DoesNotExist):
            raise Http404 from None
    document = exchange.export(form, version)
    response = HttpResponse(exchange.dumps(document), content_type="application/json")
    name = slugify(form.slug or form.title) or str(form.pk)
    suffix = f"-v{version.number}" if version else ""
    response["Content-Disposition"] = f'attachment; filename="form-{name}{suffix}.json"'
    return response


class ImportView(WagtailAdminTemplateMixin, View):
    """A form from a file another site exported: created disabled, never published."""

    template_name = TEMPLATES + "form.html"
    header_icon = "upload"

    def dispatch(self, request, *args, **kwargs):
        if not can_create(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return _("Import a form")

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse("forms_forms:index"), "label": _("Forms")},
            {"url": "", "label": self.get_page_title()},
        ]

    def get(self, request, import_form=None, status=200):
        import_form = import_form or ImportForm(user=request.user)
        context = self.get_context_data(edit_form=import_form, multipart=True, form_=None)
        return self.render_to_response(context, status=status)

    def post(self, request):
        import_form = ImportForm(request.POST, request.FILES, user=request.user)
        if import_form.is_valid():
            upload = import_form.cleaned_data["file"]
            try:
                form = exchange.import_form(
                    upload.read(exchange.MAX_BYTES + 1),
                    site=current_site(request),
                    user=request.user,
                    workgroup=import_form.cleaned_data.get("workgroup"),
                )
            except exchange.ImportRefused as exc:
                import_form.add_error("file", str(exc))
            else:
                messages.success(
                    request,
                    _("“%(title)s” is imported, offline: check it, publish it, then put it online.")
                    % {"title": form.title},
                )
                return redirect("forms_builder:overview", form.pk)
        return self.get(request, import_form=import_form, status=400)


class DuplicateView(BuilderMixin, View):
    """A copy of the form's settings and draft, offline, to start a similar procedure."""

    template_name = TEMPLATES + "duplicate.html"
    permission = staticmethod(lambda user: can_build(user) and can_create(user))

    def get_page_title(self):
        return _("Duplicate")

    def get(self, request):
        return self.render_to_response(self.get_context_data())

    def post(self, request):
        try:
            copied = exchange.duplicate(self.form, request.user)
        except exchange.ImportRefused as exc:
            messages.error(request, str(exc))
            return self.back()
        messages.success(
            request,
            _("“%(title)s” is created, offline, with its own address “%(slug)s”.")
            % {"title": copied.title, "slug": copied.slug},
        )
        return redirect("forms_builder:overview", copied.pk)


# --- preview ----------------------------------------------------------------------------------

PREVIEW_SESSION = "lutetia_forms.preview"


def _preview_attach(question, uploaded) -> dict:
    """A file in a preview: named in the answers, kept nowhere."""
    return {
        "id": str(uuid.uuid4()),
        "name": str(uploaded.name)[:150],
        "size": uploaded.size,
        "type": getattr(uploaded, "content_type", "") or "",
    }


class PreviewView(BuilderMixin, View):
    """The draft as a citizen walks it: each step's questions, the conditions evaluated on
    "next", the summary at the end. The answers live in the session only; nothing is written
    to the database."""

    template_name = TEMPLATES + "preview.html"

    def get_page_title(self):
        return _("Preview")

    def dispatch(self, request, pk=None, *args, **kwargs):
        self.form = form_or_404(request.user, pk)
        try:
            self.definition = fd.parse(self.form.draft)
            check_drawable(self.definition)
        except fd.DefinitionError as exc:
            messages.error(request, str(exc))
            return redirect("forms_builder:overview", self.form.pk)
        return super(BuilderMixin, self).dispatch(request, *args, **kwargs)

    # --- the answers, in the session ---

    def state(self) -> dict:
        held = self.request.session.get(PREVIEW_SESSION) or {}
        state = held.get(str(self.form.pk)) or {}
        answers = state.get("answers") if isinstance(state.get("answers"), dict) else {}
        step = state.get("step") or self.definition.steps[0].key
        if step != runtime.SUMMARY and self.definition.step(step) is None:
            step = self.definition.steps[0].key
        return {"answers": answers, "step": step}

    def keep(self, answers: dict, step: str) -> None:
        held = dict(self.request.session.get(PREVIEW_SESSION) or {})
        held[str(self.form.pk)] = {"answers": answers, "step": step}
        self.request.session[PREVIEW_SESSION] = held

    def forget(self) -> None:
        held = dict(self.request.session.get(PREVIEW_SESSION) or {})
        held.pop(str(self.form.pk), None)
        self.request.session[PREVIEW_SESSION] = held

    def fill_context(self) -> FillContext:
        return FillContext(site=self.form.site, user=self.request.user, attach=_preview_attach)

    # --- pages ---

    def get(self, request):
        if "restart" in request.GET:
            self.forget()
            return redirect("forms_builder:preview", self.form.pk)
        state = self.state()
        if state["step"] == runtime.SUMMARY:
            return self.render_summary(state["answers"])
        step = self.definition.step(state["step"])
        step_form = runtime.build_form(step, state["answers"], self.fill_context())
        return self.render_step(step, step_form, state["answers"])

    def post(self, request):
        action = request.POST.get("_action", "next")
        if action == "restart":
            self.forget()
            return redirect("forms_builder:preview", self.form.pk)
        state = self.state()
        answers = state["answers"]
        if state["step"] == runtime.SUMMARY:
            if action == "back":
                self.keep(answers, runtime.previous_step(self.definition, runtime.SUMMARY, answers))
            return redirect("forms_builder:preview", self.form.pk)
        step = self.definition.step(state["step"])
        outcome = runtime.check_step(
            self.definition,
            step,
            answers,
            self.fill_context(),
            data=request.POST,
            files=request.FILES,
            action=action,
            shown_before=request.POST.getlist("_shown") if "_shown" in request.POST else None,
            lenient=action != "next",
        )
        if not outcome.valid:
            status = 200 if outcome.revealed else 400
            return self.render_step(step, outcome.form, answers, outcome=outcome, status=status)
        if action.startswith(("add:", "remove:")):
            step_form = runtime.build_form(
                step, outcome.answers, self.fill_context(), counts=outcome.counts
            )
            self.keep(outcome.answers, step.key)
            return self.render_step(step, step_form, outcome.answers, outcome=outcome)
        if action == "back":
            going = runtime.previous_step(self.definition, step.key, outcome.answers) or step.key
        else:
            going = runtime.next_step(self.definition, step, outcome.answers)
        self.keep(outcome.answers, going)
        return redirect("forms_builder:preview", self.form.pk)

    def render_step(self, step, step_form, answers, *, outcome=None, status=200):
        keys = runtime.path(self.definition, answers)
        number = keys.index(step.key) + 1 if step.key in keys else 1
        context = self.get_context_data(
            step=step,
            form=step_form,
            items=render_step.items(
                step_form, step, step_form.questions, outcome.counts if outcome else {}
            ),
            steps=[self.definition.step(key).title or key for key in keys] + [_("Summary")],
            number=number,
            first=number == 1,
            revealed=outcome.revealed if outcome else [],
        )
        return self.render_to_response(context, status=status)

    def render_summary(self, answers):
        keys = runtime.path(self.definition, answers)
        context = self.get_context_data(
            at_summary=True,
            summary=runtime.summary(self.definition, answers),
            steps=[self.definition.step(key).title or key for key in keys] + [_("Summary")],
            number=len(keys) + 1,
            missing=runtime.missing(self.definition, answers),
        )
        return self.render_to_response(context)
