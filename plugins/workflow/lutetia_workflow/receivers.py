"""Workflow's receivers: a new resource starts its workflow; a changed one may move on."""

from __future__ import annotations

from django.db import transaction
from django.dispatch import receiver

from lutetia.accounts.signals import citizen_pages
from lutetia.resources import (
    admin_panels,
    public_panels,
    resource_changed,
    resource_created,
    scope_removed,
)
from lutetia.site.signals import demo_requested

from . import engine


@receiver(resource_created)
def start_workflow(sender, site, resource, resource_type, actor=None, **kwargs):
    """In the creating transaction: the resource and its case exist together or not at all."""
    engine.start(resource, actor)


@receiver(scope_removed)
def forget_binding(sender, resource_type, scope, actor=None, **kwargs):
    """A service or form that was a scope is deleted: its binding goes with it (audited)."""
    from .models import Binding
    from .services import bind

    if Binding.objects.filter(resource_type=resource_type, scope=scope).exists():
        bind(resource_type, scope, None, user=actor)


@receiver(resource_changed)
def follow_automatic_actions(sender, site, resource, resource_type, actor=None, **kwargs):
    """Values changed: an automatic action whose conditions now hold applies."""
    case = engine.case_for(resource)
    if case is None:
        return
    with transaction.atomic():
        engine.recheck(case)


@receiver(admin_panels)
def case_panel(sender, site, resource, resource_type, user=None, request=None, **kwargs):
    """The resource's back-office page shows its state, the agent's actions and its history."""
    from .admin_views import can_process, render_case_panel

    if user is None or not can_process(user):
        return None
    case = engine.case_for(resource)
    if case is None or not engine.can_process(user, case):
        return None
    return [render_case_panel(case, user, request)]


@receiver(public_panels)
def status_panel(sender, site, resource, resource_type, user=None, request=None, **kwargs):
    """The citizen's page of their resource shows its public status, history and their actions."""
    from django.template.loader import render_to_string

    from . import citizen

    case = engine.case_for(resource)
    if case is None:
        return None
    return [
        render_to_string(
            "lutetia_workflow/status_panel.html",
            {
                "case": case,
                "status": citizen.status(case),
                "actions": engine.available_actions(case, user, "citizen"),
                "next": request.get_full_path() if request is not None else "",
            },
            request=request,
        )
    ]


@receiver(demo_requested, dispatch_uid="workflow-demo")
def add_demo_workflow(sender, site, stdout=None, **kwargs):
    from .demo import ensure_demand_workflow, ensure_demo_workflow

    ensure_demo_workflow(site, stdout)
    ensure_demand_workflow(site, stdout)


@receiver(citizen_pages, dispatch_uid="workflow-citizen-pages")
def my_requests(sender, site, user, request=None, **kwargs):
    """Every request of the citizen a workflow processes, with its status, from their account."""
    from django.urls import reverse
    from django.utils.translation import gettext as _

    return [{"label": _("My requests"), "url": reverse("workflow:mine")}]
