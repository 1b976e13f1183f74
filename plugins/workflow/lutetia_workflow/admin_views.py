"""Agents' back office: the work queue and a case's page (its actions and history).

Thin views: they read the request, check access, call `engine`, render. Every case an agent
reaches goes through `scoped_cases` (their workgroups), so another workgroup's case answers 404.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views import View
from wagtail.admin import messages
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from lutetia import audit
from lutetia.accounts import workgroups
from lutetia.resources import UnknownResource, resource_types

from . import engine
from .models import Case, Workflow

PAGE_SIZE = 50


can_process = engine.is_processor


def scoped_cases(user):
    """The cases ``user`` may see: those of their workgroups and those of none."""
    return workgroups.scope(Case.objects.all(), user)


def case_or_404(user, pk) -> Case:
    return workgroups.get_object_or_404(
        Case.objects.select_related("version__workflow", "site", "workgroup", "assignee", "owner"),
        user,
        pk=pk,
    )


class ProcessorMixin:
    def dispatch(self, request, *args, **kwargs):
        if not can_process(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


# --- one case ------------------------------------------------------------------------------


def action_panel(case: Case, user, *, bound: dict | None = None) -> list[dict]:
    """Each action the agent may do, with its form (bound to the data of a refused attempt)."""
    panels = []
    for action in engine.available_actions(case, user):
        data = bound.get("data") if bound and bound.get("action") == action.key else None
        panels.append(
            {
                "action": action,
                "forms": [form for _index, form in engine.action_forms(action, data)],
                "errors": bound.get("errors")
                if bound and bound.get("action") == action.key
                else None,
            }
        )
    return panels


def render_case_panel(case: Case, user, request=None, bound: dict | None = None) -> str:
    """The state, the actions and the history of a case: the case page, and the panel other
    plugins' back-office pages show (through ``lutetia.resources.admin_panels``)."""
    return render_to_string(
        "lutetia_workflow/admin/case_panel.html",
        {
            "case": case,
            "state": case.current_state,
            "actions": action_panel(case, user, bound=bound),
            "history": engine.history(case),
            "definition": case.definition,
            "case_url": reverse("workflow_case", args=[case.pk]),
            "documents": list(case.documents.defer("content")),
        },
        request=request,
    )


class CaseView(ProcessorMixin, WagtailAdminTemplateMixin, View):
    """A case: the resource in short, its state, the agent's actions, the whole history."""

    template_name = "lutetia_workflow/admin/case.html"
    header_icon = "tasks"

    def get_page_title(self):
        return _("Case %(reference)s") % {"reference": self.case.reference}

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse("workflow_queue"), "label": _("Work queue")},
            {"url": "", "label": self.case.reference},
        ]

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.case = None

    def _resource(self):
        resource_type = resource_types.get(self.case.resource_type)
        if resource_type is None:
            return None, None
        try:
            return resource_type, resource_type.get(self.case.resource_id)
        except UnknownResource:
            return resource_type, None

    def get(self, request, pk, bound=None, status=200):
        self.case = self.case or case_or_404(request.user, pk)
        resource_type, resource = self._resource()
        if resource is not None:
            audit.personal_data_viewed(request, resource, details={"via": "workflow case"})
        context = self.get_context_data(
            case=self.case,
            resource_type=resource_type,
            resource=resource,
            admin_url=resource_type.admin_url(resource) if resource is not None else "",
            panel=render_case_panel(self.case, request.user, request, bound),
        )
        return self.render_to_response(context, status=status)

    def post(self, request, pk):
        self.case = case_or_404(request.user, pk)
        key = request.POST.get("action", "")
        try:
            entry = engine.perform(
                self.case,
                key,
                request.user,
                revision=int_or_none(request.POST.get("revision")),
                data=request.POST,
            )
        except engine.InvalidInput as exc:
            messages.error(request, str(exc))
            return self.get(
                request,
                pk,
                bound={"action": key, "data": request.POST, "errors": exc.errors},
                status=400,
            )
        except engine.StaleCase as exc:
            messages.warning(request, str(exc))
            return redirect("workflow_case", pk)
        except engine.ActionNotAllowed as exc:
            messages.error(request, str(exc))
            return self.get(request, pk, status=403)
        except engine.WorkflowError as exc:
            messages.error(request, str(exc))
            return redirect("workflow_case", pk)
        messages.success(
            request,
            _("“%(action)s” done: the case is now “%(state)s”.")
            % {"action": entry.action_name, "state": self.case.current_state.name},
        )
        return redirect("workflow_case", pk)


def int_or_none(value) -> int | None:
    """A number from a form or a query string; None for anything else."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


# --- the work queue ------------------------------------------------------------------------

MINE, MY_WORKGROUPS, UNASSIGNED = "mine", "workgroups", "unassigned"


class QueueView(ProcessorMixin, WagtailAdminTemplateMixin, View):
    """Cases by state: assigned to me, to my workgroups or to nobody, filtered, with mass actions."""

    template_name = "lutetia_workflow/admin/queue.html"
    page_title = gettext_lazy("Work queue")
    header_icon = "tasks"

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.page_title}]

    def filtered(self, request):
        cases = scoped_cases(request.user).filter(closed_at__isnull=True)
        params = request.GET
        workflow = int_or_none(params.get("workflow"))
        if workflow:
            cases = cases.filter(version__workflow_id=workflow)
        state = params.get("state", "")
        if state:
            cases = cases.filter(state=state)
        who = params.get("who", "")
        if who == MINE:
            cases = cases.filter(assignee=request.user)
        elif who == MY_WORKGROUPS:
            cases = cases.filter(workgroup__in=workgroups.workgroup_ids(request.user))
        elif who == UNASSIGNED:
            cases = cases.filter(assignee__isnull=True)
        query = params.get("q", "").strip()
        if query:
            cases = cases.filter(Q(reference__icontains=query) | Q(title__icontains=query))
        if params.get("archived") == "1":
            cases = scoped_cases(request.user).filter(closed_at__isnull=False)
        return cases.select_related("version__workflow", "workgroup", "assignee").order_by(
            "entered_at", "pk"
        )

    def get(self, request):
        cases = self.filtered(request)
        page = Paginator(cases, PAGE_SIZE).get_page(request.GET.get("p"))
        workflows = list(Workflow.objects.filter(versions__isnull=False).distinct())
        selected = int_or_none(request.GET.get("workflow"))
        states, mass_actions = [], []
        flow = next((w for w in workflows if w.pk == selected), None)
        if flow is not None:
            definition = flow.latest_version().parsed
            states = [(s.key, s.name) for s in definition.states]
            state = request.GET.get("state", "")
            mass_actions = [
                a for a in definition.actions if a.mass and (not state or state in a.sources)
            ]
        context = self.get_context_data(
            page=page,
            workflows=workflows,
            states=states,
            mass_actions=mass_actions,
            params=request.GET,
            who_choices=[
                ("", _("Everything I may see")),
                (MINE, _("Assigned to me")),
                (MY_WORKGROUPS, _("My workgroups")),
                (UNASSIGNED, _("Not assigned to an agent")),
            ],
        )
        return self.render_to_response(context)

    def post(self, request):
        """A mass action on the ticked cases (each its own transaction, each checked)."""
        ids = [i for i in (int_or_none(v) for v in request.POST.getlist("case")) if i]
        key = request.POST.get("action", "")
        if not ids or not key:
            messages.error(request, _("Tick at least one case and choose an action."))
            return redirect(request.get_full_path())
        cases = list(
            scoped_cases(request.user).filter(pk__in=ids).select_related("version", "site")
        )
        revisions = {}
        for case in cases:
            revisions[case.pk] = int_or_none(request.POST.get(f"revision-{case.pk}"))
        done, refused = engine.perform_many(cases, key, request.user, revisions=revisions)
        if done:
            messages.success(
                request,
                ngettext("%(count)d case done.", "%(count)d cases done.", len(done))
                % {"count": len(done)},
            )
        for case, why in refused:
            messages.warning(request, f"{case.reference}: {why}")
        return redirect(request.get_full_path())


def document(request, pk: int, document_pk: int):
    """A document of a case, for an agent who may see the case (its workgroup)."""

    if not can_process(request.user):
        raise PermissionDenied
    case = case_or_404(request.user, pk)
    doc = case.documents.filter(pk=document_pk).first()
    if doc is None:
        raise Http404
    audit.record(
        request.user,
        "workflow.document_downloaded",
        ("workflow.case", case.pk, case.reference),
        details={"document": doc.name},
    )
    return document_response(doc)


def document_response(doc):
    from django.http import HttpResponse

    response = HttpResponse(bytes(doc.content), content_type=doc.content_type)
    response["Content-Disposition"] = f'attachment; filename="{doc.name}"'
    response["Cache-Control"] = "private, no-store"
    return response


def case_redirect(request, resource_type: str, resource_id: str):
    """From a resource to its case page (other plugins link here)."""
    if not can_process(request.user):
        raise PermissionDenied
    case = (
        scoped_cases(request.user)
        .filter(resource_type=resource_type, resource_id=resource_id)
        .first()
    )
    if case is None:
        raise Http404
    return redirect("workflow_case", case.pk)
