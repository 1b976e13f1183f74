"""The demo city's workflow: how the town hall handles the messages citizens write to it."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.utils import translation
from django.utils.translation import gettext as _

from lutetia.resources import resource_types

from . import services
from .models import Binding, Workflow


def message_definition() -> dict:
    """States and actions in the active language (the demo is written in the site's)."""
    return {
        "format": 1,
        "states": [
            {
                "key": "received",
                "name": _("Received"),
                "public_label": _("Received"),
                "colour": "#000091",
                "initial": True,
            },
            {
                "key": "in_progress",
                "name": _("In progress"),
                "public_label": _("Being handled"),
                "colour": "#b34000",
            },
            {
                "key": "waiting",
                "name": _("Waiting for the citizen"),
                "public_label": _("Waiting for your answer"),
                "colour": "#6e445a",
            },
            {
                "key": "answered",
                "name": _("Answered"),
                "public_label": _("Answered"),
                "colour": "#18753c",
                "final": True,
            },
            {
                "key": "closed",
                "name": _("Closed"),
                "public_label": _("Closed"),
                "colour": "#3a3a3a",
                "final": True,
            },
        ],
        "actions": [
            {
                "key": "take",
                "name": _("Take it"),
                "sources": ["received"],
                "target": "in_progress",
                "mass": True,
                "tasks": [{"type": "assign", "config": {"mode": "actor"}}],
            },
            {
                "key": "ask",
                "name": _("Ask for more information"),
                "sources": ["in_progress"],
                "target": "waiting",
                "tasks": [
                    {
                        "type": "ask_citizen",
                        "config": {
                            "message": _(
                                "Could you tell us more about your request {{ reference }}?"
                            ),
                            "deadline_days": 15,
                            "then_action": "completed",
                        },
                    }
                ],
            },
            {
                "key": "completed",
                "name": _("I answered"),
                "sources": ["waiting"],
                "target": "in_progress",
                "trigger": "citizen",
            },
            {
                "key": "answer",
                "name": _("Answer"),
                "sources": ["in_progress"],
                "target": "answered",
                "tasks": [
                    {"type": "comment", "config": {"visible_to_citizen": True, "required": True}},
                    {
                        "type": "notify_citizen",
                        "config": {
                            "channels": ["email", "inapp"],
                            "subject": _("Your message {{ reference }} was answered"),
                            "body": _(
                                "Hello,\n\nThe town hall answered your message “{{ title }}”:\n\n{{ comment }}\n\n{{ link }}"
                            ),
                        },
                    },
                    {"type": "set_field", "config": {"field": "status", "value": "answered"}},
                ],
            },
            {
                "key": "note",
                "name": _("Internal note"),
                "sources": ["received", "in_progress", "waiting"],
                "target": "in_progress",
                "public": False,
                "tasks": [
                    {"type": "comment", "config": {"visible_to_citizen": False, "required": True}}
                ],
            },
            {
                "key": "remind",
                "name": _("Remind the citizen"),
                "sources": ["waiting"],
                "target": "waiting",
                "trigger": "timed",
                "delay_minutes": 7 * 24 * 60,
                "conditions": {"type": "previous_action", "action": "remind", "done": False},
                "tasks": [
                    {
                        "type": "notify_citizen",
                        "config": {
                            "channels": ["email"],
                            "subject": _("Reminder: information needed for {{ reference }}"),
                            "body": _(
                                "Hello,\n\nWe still need your answer about your message {{ reference }}; see the e-mail we sent you."
                            ),
                        },
                    }
                ],
            },
            {
                "key": "close_unanswered",
                "name": _("Close without an answer"),
                "sources": ["waiting"],
                "target": "closed",
                "trigger": "timed",
                "delay_minutes": 30 * 24 * 60,
                "tasks": [{"type": "archive", "config": {}}],
            },
            {
                "key": "withdraw",
                "name": _("Withdraw my message"),
                "sources": ["received"],
                "target": "closed",
                "trigger": "citizen",
            },
        ],
    }


def ensure_demo_workflow(site, stdout=None) -> Workflow | None:
    """Once: design, publish and bind the message workflow; let the demo's agents process."""
    if (
        "contact.message" not in resource_types
        or Binding.objects.filter(resource_type="contact.message").exists()
    ):
        return None
    with translation.override(settings.LANGUAGE_CODE):
        workflow = Workflow.objects.create(
            name=_("Messages to the town hall"),
            description=_(
                "Take a message, ask for more if needed, answer it; unanswered requests close after 30 days."
            ),
            draft=message_definition(),
        )
    services.publish(workflow)
    services.bind("contact.message", "", workflow)
    agents = Group.objects.filter(name="Agents").first()
    if agents is not None:
        agents.permissions.add(
            Permission.objects.get(content_type__app_label="workflow", codename="process_case")
        )
    if stdout is not None:
        stdout.write(f"workflow: {workflow.name} (contact messages)")
    return workflow
