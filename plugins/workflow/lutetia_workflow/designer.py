"""Administrators' back office: design a workflow's draft, publish it, move cases between
versions, bind workflows to resources, import and export.

Each screen edits one part (a state, an action, a task) through a Django form; the change goes
through `drafting` and `services.save_draft`, which checks the whole draft before it is stored.
"""

from __future__ import annotations

from django import forms
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from wagtail.admin import messages
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from lutetia.accounts import workgroups
from lutetia.accounts.models import Workgroup
from lutetia.resources import resource_types

from . import definition as wf
from . import diagram, drafting, services, validation
from .configs import _json_value
from .models import Binding, Workflow, WorkflowVersion
from .tasks import task_types

CHANGE_PERMISSION = "workflow.change_workflow"


def can_design(user) -> bool:
    return bool(user.is_active and user.is_staff and user.has_perm(CHANGE_PERMISSION))


def workflow_or_404(user, pk) -> Workflow:
    if not can_design(user):
        raise PermissionDenied
    return workgroups.get_object_or_404(Workflow.objects.all(), user, pk=pk)


# --- forms ---------------------------------------------------------------------------------


class StateForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name (for agents)"), max_length=200)
    key = forms.SlugField(
        label=gettext_lazy("Key"),
        max_length=50,
        required=False,
        help_text=gettext_lazy(
            "Stable identifier used by exports and migrations; from the name if empty."
        ),
    )
    public_label = forms.CharField(
        label=gettext_lazy("What the citizen sees"), max_length=200, required=False
    )
    colour = forms.RegexField(
        label=gettext_lazy("Colour"),
        regex=wf.COLOUR,
        initial="#6a6a6a",
        widget=forms.TextInput(attrs={"type": "color"}),
    )
    initial = forms.BooleanField(label=gettext_lazy("Initial state"), required=False)
    final = forms.BooleanField(label=gettext_lazy("Final state"), required=False)

    def clean(self):
        data = super().clean()
        data["key"] = (data.get("key") or slugify(data.get("name", "")).replace("-", "_"))[:50]
        if not wf.KEY.match(data["key"] or ""):
            self.add_error(
                "key", _("Start with a lower-case letter; use letters, digits, '-' and '_'.")
            )
        return data


class ActionForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name (the button agents see)"), max_length=200)
    key = forms.SlugField(label=gettext_lazy("Key"), max_length=50, required=False)
    sources = forms.MultipleChoiceField(
        label=gettext_lazy("From the states"), widget=forms.CheckboxSelectMultiple
    )
    target = forms.ChoiceField(label=gettext_lazy("To the state"))
    alternative_target = forms.ChoiceField(
        label=gettext_lazy("Alternative state"),
        required=False,
        help_text=gettext_lazy(
            "Where the resource goes when the conditions are not met, or a task fails (if chosen below)."
        ),
    )
    on_failure = forms.ChoiceField(
        label=gettext_lazy("When a task fails"),
        choices=[
            (
                wf.OnFailure.ROLLBACK,
                gettext_lazy("Undo the whole action (the failure is in the history)"),
            ),
            (wf.OnFailure.ALTERNATIVE, gettext_lazy("Go to the alternative state")),
        ],
    )
    trigger = forms.ChoiceField(
        label=gettext_lazy("Started by"),
        choices=[
            (wf.Trigger.MANUAL, gettext_lazy("an agent (a button)")),
            (wf.Trigger.AUTOMATIC, gettext_lazy("itself, as soon as its conditions hold")),
            (wf.Trigger.TIMED, gettext_lazy("time: after a delay in the state")),
            (wf.Trigger.CITIZEN, gettext_lazy("the citizen (a button in their space)")),
            (wf.Trigger.API, gettext_lazy("the API or a webhook")),
        ],
    )
    delay_days = forms.IntegerField(label=gettext_lazy("Delay: days"), min_value=0, required=False)
    delay_hours = forms.IntegerField(
        label=gettext_lazy("Delay: hours"), min_value=0, max_value=23, required=False
    )
    mass = forms.BooleanField(
        label=gettext_lazy("Can be done on many resources at once"), required=False
    )
    public = forms.BooleanField(
        label=gettext_lazy("Shown in the citizen's history"), required=False, initial=True
    )
    roles = forms.MultipleChoiceField(
        label=gettext_lazy("Only for these roles"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    workgroups = forms.MultipleChoiceField(
        label=gettext_lazy("Only for these workgroups"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    conditions = forms.JSONField(
        label=gettext_lazy("Conditions"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy(
            'Empty: none. Examples: {"type": "field", "field": "amount", "op": "gt", "value": "1000"}; '
            '{"all": [...]} for AND, {"any": [...]} for OR.'
        ),
    )

    def __init__(self, *args, states=(), **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(s["key"], s["name"]) for s in states]
        self.fields["sources"].choices = choices
        self.fields["target"].choices = choices
        self.fields["alternative_target"].choices = [("", "—"), *choices]
        self.fields["roles"].choices = [
            (g, g) for g in Group.objects.order_by("name").values_list("name", flat=True)
        ]
        self.fields["workgroups"].choices = list(
            Workgroup.objects.order_by("name").values_list("code", "name")
        )

    def clean(self):
        data = super().clean()
        data["key"] = (data.get("key") or slugify(data.get("name", "")).replace("-", "_"))[:50]
        if not wf.KEY.match(data["key"] or ""):
            self.add_error(
                "key", _("Start with a lower-case letter; use letters, digits, '-' and '_'.")
            )
        return data

    def as_action(self) -> dict:
        data = self.cleaned_data
        minutes = ((data.get("delay_days") or 0) * 24 + (data.get("delay_hours") or 0)) * 60
        return {
            "key": data["key"],
            "name": data["name"],
            "sources": data["sources"],
            "target": data["target"],
            "alternative_target": data.get("alternative_target") or "",
            "on_failure": data["on_failure"],
            "trigger": data["trigger"],
            "delay_minutes": minutes if data["trigger"] == wf.Trigger.TIMED else 0,
            "mass": data["mass"],
            "public": data["public"],
            "roles": data["roles"],
            "workgroups": data["workgroups"],
            "conditions": data.get("conditions") or None,
        }

    @classmethod
    def initial_from(cls, action: dict) -> dict:
        minutes = action.get("delay_minutes", 0)
        return {
            **action,
            "delay_days": minutes // (24 * 60),
            "delay_hours": (minutes // 60) % 24,
            "conditions": action.get("conditions"),
        }


class DefinitionForm(forms.Form):
    definition = forms.JSONField(
        label=gettext_lazy("Definition (JSON)"), widget=forms.Textarea(attrs={"rows": 30})
    )


class ImportForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Workflow file (JSON)"))


# --- views ---------------------------------------------------------------------------------


class DesignerMixin(WagtailAdminTemplateMixin):
    header_icon = "tasks"

    def dispatch(self, request, pk=None, *args, **kwargs):
        self.workflow = workflow_or_404(request.user, pk) if pk is not None else None
        if self.workflow is None and not can_design(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        items = [
            *self.breadcrumbs_items,
            {"url": reverse("workflow_workflows:index"), "label": _("Workflows")},
        ]
        if self.workflow is not None:
            items.append(
                {
                    "url": reverse("workflow_design:overview", args=[self.workflow.pk]),
                    "label": self.workflow.name,
                }
            )
        return [*items, {"url": "", "label": self.get_page_title()}]

    def save(self, draft: dict) -> bool:
        try:
            services.save_draft(self.workflow, draft, self.request.user)
        except wf.DefinitionError as exc:
            messages.error(self.request, str(exc))
            return False
        messages.success(self.request, _("The draft is saved. Publish it when it is ready."))
        return True

    def back(self):
        return redirect("workflow_design:overview", self.workflow.pk)


class OverviewView(DesignerMixin, View):
    """The draft: diagram, problems, states and actions with their tasks, versions."""

    template_name = "lutetia_workflow/admin/design.html"

    def get_page_title(self):
        return _("Design")

    def get(self, request):
        draft = self.workflow.draft
        try:
            parsed = wf.parse(draft, check_types=False)
        except wf.DefinitionError as exc:
            parsed = None
            messages.error(request, str(exc))
        context = self.get_context_data(
            workflow=self.workflow,
            draft=draft,
            diagram=_diagram(parsed, self.workflow.name),
            problems=_problems(parsed, self.workflow),
            versions=self.workflow.versions.order_by("-number"),
            task_choices=task_types.choices(),
            task_labels=dict(task_types.choices()),
            unpublished=_unpublished(self.workflow),
        )
        return self.render_to_response(context)


def _diagram(parsed, title):
    if parsed is None or not parsed.states:
        return ""
    return diagram.svg(parsed, title=title)


def _problems(parsed, workflow):
    if parsed is None:
        return []
    binding = workflow.bindings.first()
    return validation.report(parsed, binding.resource_type if binding else None)


def _unpublished(workflow) -> bool:
    latest = workflow.latest_version()
    try:
        return (
            latest is None
            or latest.definition != wf.parse(workflow.draft, check_types=False).to_json()
        )
    except wf.DefinitionError:
        return True


class StateView(DesignerMixin, View):
    template_name = "lutetia_workflow/admin/form.html"

    def get_page_title(self):
        return _("Edit the state") if self.key else _("Add a state")

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.key = kwargs.get("key")

    def current(self) -> dict:
        for state in self.workflow.draft.get("states", []):
            if state["key"] == self.key:
                return state
        raise Http404

    def get(self, request, key=None, form=None):
        if form is None:
            form = StateForm(initial=self.current() if key else {"colour": "#6a6a6a"})
        return self.render_to_response(self.get_context_data(form=form, workflow=self.workflow))

    def post(self, request, key=None):
        form = StateForm(request.POST)
        if form.is_valid():
            try:
                draft = drafting.put_state(self.workflow.draft, form.cleaned_data, key)
            except wf.DefinitionError as exc:
                messages.error(request, str(exc))
            else:
                if self.save(draft):
                    return self.back()
        return self.get(request, key, form=form)


class ActionView(DesignerMixin, View):
    template_name = "lutetia_workflow/admin/form.html"

    def get_page_title(self):
        return _("Edit the action") if self.key else _("Add an action")

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.key = kwargs.get("key")

    def get(self, request, key=None, form=None):
        states = self.workflow.draft.get("states", [])
        if not states:
            messages.warning(request, _("Add states first: an action goes from states to a state."))
            return self.back()
        if form is None:
            initial = {
                "on_failure": wf.OnFailure.ROLLBACK,
                "trigger": wf.Trigger.MANUAL,
                "public": True,
            }
            if key:
                action = next(
                    (a for a in self.workflow.draft.get("actions", []) if a["key"] == key), None
                )
                if action is None:
                    raise Http404
                initial = ActionForm.initial_from(action)
            form = ActionForm(initial=initial, states=states)
        return self.render_to_response(self.get_context_data(form=form, workflow=self.workflow))

    def post(self, request, key=None):
        form = ActionForm(request.POST, states=self.workflow.draft.get("states", []))
        if form.is_valid():
            try:
                draft = drafting.put_action(self.workflow.draft, form.as_action(), key)
            except wf.DefinitionError as exc:
                messages.error(request, str(exc))
            else:
                if self.save(draft):
                    return self.back()
        return self.get(request, key, form=form)


class TaskView(DesignerMixin, View):
    """Add (``?type=<id>``) or edit a task of a state (on arrival) or of an action."""

    template_name = "lutetia_workflow/admin/form.html"

    def get_page_title(self):
        return str(self.task_type.verbose_name) if self.task_type else _("Task")

    def setup(self, request, *args, owner, key, index=None, **kwargs):
        super().setup(request, *args, **kwargs)
        self.owner, self.key, self.index = owner, key, index
        self.task_type_id = None
        self.task_type = None

    def existing(self) -> dict:
        holder = "states" if self.owner == drafting.STATE else "actions"
        name = "on_arrival" if self.owner == drafting.STATE else "tasks"
        for item in self.workflow.draft.get(holder, []):
            if item["key"] == self.key:
                tasks = item.get(name, [])
                if self.index is None:
                    return {}
                if 0 <= self.index < len(tasks):
                    return tasks[self.index]
        raise Http404

    def form_class(self):
        existing = self.existing()
        self.task_type_id = (
            existing.get("type") or self.request.GET.get("type") or self.request.POST.get("type")
        )
        self.task_type = task_types.get(self.task_type_id or "")
        if self.task_type is None:
            raise Http404
        return self.task_type.form_class, existing.get("config", {})

    def get(self, request, owner=None, key=None, index=None, form=None):
        form_class, config = self.form_class()
        if form is None and form_class is not None:
            form = form_class(initial=config)
        return self.render_to_response(
            self.get_context_data(
                form=form,
                workflow=self.workflow,
                hidden={"type": self.task_type_id},
                description=self.task_type.description,
            )
        )

    def post(self, request, owner=None, key=None, index=None):
        form_class, _config = self.form_class()
        form = form_class(request.POST) if form_class is not None else None
        if form is None or form.is_valid():
            config = (
                {} if form is None else {n: _json_value(v) for n, v in form.cleaned_data.items()}
            )
            try:
                draft = drafting.put_task(
                    self.workflow.draft,
                    self.owner,
                    self.key,
                    {"type": self.task_type_id, "config": config},
                    self.index,
                )
            except wf.DefinitionError as exc:
                messages.error(request, str(exc))
            else:
                if self.save(draft):
                    return self.back()
        return self.get(request, form=form)


class DefinitionView(DesignerMixin, View):
    """The whole draft as JSON, for those who prefer it (checked the same way)."""

    template_name = "lutetia_workflow/admin/form.html"

    def get_page_title(self):
        return _("Edit as JSON")

    def get(self, request, form=None):
        form = form or DefinitionForm(initial={"definition": self.workflow.draft})
        return self.render_to_response(self.get_context_data(form=form, workflow=self.workflow))

    def post(self, request):
        form = DefinitionForm(request.POST)
        if form.is_valid() and self.save(form.cleaned_data["definition"]):
            return self.back()
        return self.get(request, form=form)


def _post_only(view):
    def wrapped(request, pk, *args, **kwargs):
        if request.method != "POST":
            return HttpResponse(status=405)
        workflow = workflow_or_404(request.user, pk)
        return view(request, workflow, *args, **kwargs)

    return wrapped


@_post_only
def delete_part(request, workflow, kind, key):
    try:
        draft = (drafting.delete_state if kind == drafting.STATE else drafting.delete_action)(
            workflow.draft, key
        )
        services.save_draft(workflow, draft, request.user)
    except wf.DefinitionError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Deleted from the draft."))
    return redirect("workflow_design:overview", workflow.pk)


@_post_only
def task_command(request, workflow, owner, key, index, command):
    try:
        if command == "delete":
            draft = drafting.delete_task(workflow.draft, owner, key, index)
        else:
            draft = drafting.move_task(
                workflow.draft, owner, key, index, -1 if command == "up" else 1
            )
        services.save_draft(workflow, draft, request.user)
    except wf.DefinitionError as exc:
        messages.error(request, str(exc))
    return redirect("workflow_design:overview", workflow.pk)


@_post_only
def publish(request, workflow):
    try:
        version = services.publish(workflow, request.user)
    except services.PublishRefused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _(
                "Version %(number)s is published: new resources start on it; those under way "
                "keep their version."
            )
            % {"number": version.number},
        )
    return redirect("workflow_design:overview", workflow.pk)


def export(request, pk):
    workflow = workflow_or_404(request.user, pk)
    from .exchange import dumps
    from .exchange import export as export_workflow

    response = HttpResponse(dumps(export_workflow(workflow)), content_type="application/json")
    response["Content-Disposition"] = (
        f'attachment; filename="workflow-{slugify(workflow.name) or workflow.pk}.json"'
    )
    return response


class ImportView(DesignerMixin, View):
    template_name = "lutetia_workflow/admin/form.html"

    def get_page_title(self):
        return _("Import a workflow")

    def get(self, request, form=None):
        return self.render_to_response(
            self.get_context_data(form=form or ImportForm(), multipart=True, workflow=None)
        )

    def post(self, request):
        from .exchange import ImportRefused, import_workflow

        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                workflow = import_workflow(upload.read(1_048_577), request.user)
            except ImportRefused as exc:
                form.add_error("file", str(exc))
            else:
                messages.success(
                    request,
                    _("“%(name)s” is imported, disabled: check it, publish it, then enable it.")
                    % {"name": workflow.name},
                )
                return redirect("workflow_design:overview", workflow.pk)
        return self.get(request, form=form)


class VersionsView(DesignerMixin, View):
    """Move the open cases of an older version to a newer one, after a preview."""

    template_name = "lutetia_workflow/admin/migrate.html"

    def get_page_title(self):
        return _("Move cases to another version")

    def versions(self, request):
        try:
            source = self.workflow.versions.get(
                number=int(request.GET.get("from") or request.POST.get("from"))
            )
            target = self.workflow.versions.get(
                number=int(request.GET.get("to") or request.POST.get("to"))
            )
        except (TypeError, ValueError, WorkflowVersion.DoesNotExist):
            raise Http404 from None
        return source, target

    def mapping(self, request) -> dict[str, str]:
        return {
            name[4:]: value
            for name, value in request.POST.items()
            if name.startswith("map-") and value
        }

    def get(self, request, preview=None, status=200):
        source, target = self.versions(request)
        try:
            preview = preview or services.preview_migration(source, target)
        except ValueError as exc:
            messages.error(request, str(exc))
            return self.back()
        context = self.get_context_data(
            workflow=self.workflow,
            preview=preview,
            target_states=target.parsed.states,
            source_states={s.key: s.name for s in source.parsed.states},
        )
        return self.render_to_response(context, status=status)

    def post(self, request):
        source, target = self.versions(request)
        try:
            preview = services.preview_migration(source, target, self.mapping(request))
        except ValueError as exc:
            messages.error(request, str(exc))
            return self.get(request, status=400)
        if request.POST.get("confirm") != "1" or preview.stranded:
            if preview.stranded:
                messages.error(
                    request, _("Choose a state of the new version for every state with cases.")
                )
            return self.get(request, preview=preview, status=400 if preview.stranded else 200)
        moved = services.migrate_cases(preview, request.user)
        messages.success(
            request,
            _("%(count)s case(s) moved to version %(number)s.")
            % {"count": moved, "number": target.number},
        )
        return self.back()


class BindingsView(DesignerMixin, View):
    """Which workflow processes which resources: one line per resource type and scope."""

    template_name = "lutetia_workflow/admin/bindings.html"

    def get_page_title(self):
        return _("Which workflow processes what")

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.get_page_title()}]

    def rows(self):
        bound = {(b.resource_type, b.scope): b.workflow_id for b in Binding.objects.all()}
        rows = []
        for type_id, resource_type in resource_types.items():
            for scope, label in resource_type.workflow_scopes():
                rows.append(
                    {
                        "field": f"bind:{type_id}:{scope}",
                        "type": resource_type,
                        "scope_label": label,
                        "workflow": bound.get((type_id, scope)),
                    }
                )
        return rows

    def get(self, request):
        workflows = workgroups.scope(
            Workflow.objects.filter(versions__isnull=False).distinct(), request.user
        )
        return self.render_to_response(
            self.get_context_data(rows=self.rows(), workflows=workflows, workflow=None)
        )

    def post(self, request):
        allowed = {w.pk: w for w in workgroups.scope(Workflow.objects.all(), request.user)}
        changed = 0
        for row in self.rows():
            value = request.POST.get(row["field"], "")
            wanted = int(value) if value.isdigit() else None
            if wanted == row["workflow"]:
                continue
            if wanted is not None and wanted not in allowed:
                raise PermissionDenied
            _prefix, type_id, scope = row["field"].split(":", 2)
            services.bind(type_id, scope, allowed.get(wanted) if wanted else None, request.user)
            changed += 1
        messages.success(request, _("%(count)s binding(s) changed.") % {"count": changed})
        return redirect("workflow_design:bindings")


class TestRunForm(forms.Form):
    resource_type = forms.ChoiceField(label=gettext_lazy("Kind of resource"))
    resource = forms.CharField(
        label=gettext_lazy("Resource"),
        max_length=64,
        help_text=gettext_lazy("Its number (the id in its back-office address)."),
    )
    path = forms.CharField(
        label=gettext_lazy("Actions, in order"),
        max_length=1000,
        required=False,
        help_text=gettext_lazy("Action keys separated by commas, e.g. take, answer."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["resource_type"].choices = resource_types.choices()


class TestRunView(DesignerMixin, View):
    """Walk a resource through the draft and show what each step would do; nothing is kept."""

    template_name = "lutetia_workflow/admin/testrun.html"

    def get_page_title(self):
        return _("Test run")

    def get(self, request, form=None, result=None):
        form = form or TestRunForm(
            initial={
                "path": ", ".join(a["key"] for a in self.workflow.draft.get("actions", [])[:2])
            }
        )
        return self.render_to_response(
            self.get_context_data(form=form, result=result, workflow=self.workflow)
        )

    def post(self, request):
        from . import testrun

        form = TestRunForm(request.POST)
        result = None
        if form.is_valid():
            path = [key.strip() for key in form.cleaned_data["path"].split(",") if key.strip()]
            try:
                result = testrun.run(
                    self.workflow,
                    form.cleaned_data["resource_type"],
                    form.cleaned_data["resource"],
                    path,
                    request.user,
                )
            except testrun.TestRunError as exc:
                form.add_error(None, str(exc))
        return self.get(request, form=form, result=result)
