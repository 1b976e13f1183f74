"""The demo city's workflow: how the town hall handles the messages citizens write to it."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.utils import translation
from django.utils.translation import pgettext

from lutetia.resources import resource_types

from . import services
from .models import Binding, Workflow

# The demo's texts are data in the site's language; their own context ("demo workflow", written
# out in each call so that makemessages finds it) keeps another app's translation of the same
# English word ("Answer", "In progress") from winning.


def ask_citizen_actions(working_state: str) -> list[dict]:
    """Ask the citizen for more (a secret link, 15 days), and their answer bringing the request
    back to ``working_state``."""
    return [
        {
            "key": "ask",
            "name": pgettext("demo workflow", "Ask for more information"),
            "sources": [working_state],
            "target": "waiting",
            "tasks": [
                {
                    "type": "ask_citizen",
                    "config": {
                        "message": pgettext(
                            "demo workflow",
                            "Could you tell us more about your request {{ reference }}?",
                        ),
                        "deadline_days": 15,
                        "then_action": "completed",
                    },
                }
            ],
        },
        {
            "key": "completed",
            "name": pgettext("demo workflow", "I answered"),
            "sources": ["waiting"],
            "target": working_state,
            "trigger": "citizen",
        },
    ]


def message_definition() -> dict:
    """States and actions in the active language (the demo is written in the site's)."""
    return {
        "format": 1,
        "states": [
            {
                "key": "received",
                "name": pgettext("demo workflow", "Received"),
                "public_label": pgettext("demo workflow", "Received"),
                "colour": "#000091",
                "initial": True,
            },
            {
                "key": "in_progress",
                "name": pgettext("demo workflow", "In progress"),
                "public_label": pgettext("demo workflow", "Being handled"),
                "colour": "#b34000",
            },
            {
                "key": "waiting",
                "name": pgettext("demo workflow", "Waiting for the citizen"),
                "public_label": pgettext("demo workflow", "Waiting for your answer"),
                "colour": "#6e445a",
            },
            {
                "key": "answered",
                "name": pgettext("demo workflow", "Answered"),
                "public_label": pgettext("demo workflow", "Answered"),
                "colour": "#18753c",
                "final": True,
            },
            {
                "key": "closed",
                "name": pgettext("demo workflow", "Closed"),
                "public_label": pgettext("demo workflow", "Closed"),
                "colour": "#3a3a3a",
                "final": True,
            },
        ],
        "actions": [
            {
                "key": "take",
                "name": pgettext("demo workflow", "Take it"),
                "sources": ["received"],
                "target": "in_progress",
                "mass": True,
                "tasks": [{"type": "assign", "config": {"mode": "actor"}}],
            },
            *ask_citizen_actions("in_progress"),
            {
                "key": "answer",
                "name": pgettext("demo workflow", "Answer"),
                "sources": ["in_progress"],
                "target": "answered",
                "tasks": [
                    {"type": "comment", "config": {"visible_to_citizen": True, "required": True}},
                    {
                        "type": "notify_citizen",
                        "config": {
                            "channels": ["email", "inapp"],
                            "subject": pgettext(
                                "demo workflow", "Your message {{ reference }} was answered"
                            ),
                            "body": pgettext(
                                "demo workflow",
                                "Hello,\n\nThe town hall answered your message “{{ title }}”:\n\n{{ comment }}\n\n{{ link }}",
                            ),
                        },
                    },
                    {"type": "set_field", "config": {"field": "status", "value": "answered"}},
                ],
            },
            {
                "key": "note",
                "name": pgettext("demo workflow", "Internal note"),
                "sources": ["received", "in_progress", "waiting"],
                "target": "in_progress",
                "public": False,
                "tasks": [
                    {"type": "comment", "config": {"visible_to_citizen": False, "required": True}}
                ],
            },
            {
                "key": "remind",
                "name": pgettext("demo workflow", "Remind the citizen"),
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
                            "subject": pgettext(
                                "demo workflow", "Reminder: information needed for {{ reference }}"
                            ),
                            "body": pgettext(
                                "demo workflow",
                                "Hello,\n\nWe still need your answer about your message {{ reference }}; see the e-mail we sent you.",
                            ),
                        },
                    }
                ],
            },
            {
                "key": "close_unanswered",
                "name": pgettext("demo workflow", "Close without an answer"),
                "sources": ["waiting"],
                "target": "closed",
                "trigger": "timed",
                "delay_minutes": 30 * 24 * 60,
                "tasks": [{"type": "archive", "config": {}}],
            },
            {
                "key": "withdraw",
                "name": pgettext("demo workflow", "Withdraw my message"),
                "sources": ["received"],
                "target": "closed",
                "trigger": "citizen",
            },
        ],
    }


def demand_definition() -> dict:
    """Online procedures (form responses): examine, ask for more, grant or refuse."""
    notify = {
        "type": "notify_citizen",
        "config": {
            "channels": ["email", "inapp"],
            "subject": pgettext("demo workflow", "Your demand {{ reference }}: a decision"),
            "body": pgettext(
                "demo workflow",
                "Hello,\n\nThe town hall decided on your demand “{{ title }}”:\n\n{{ comment }}\n\n{{ link }}",
            ),
        },
    }
    decide = [{"type": "comment", "config": {"visible_to_citizen": True, "required": True}}, notify]
    return {
        "format": 1,
        "states": [
            {
                "key": "received",
                "name": pgettext("demo workflow", "Received"),
                "public_label": pgettext("demo workflow", "Received"),
                "colour": "#000091",
                "initial": True,
            },
            {
                "key": "in_review",
                "name": pgettext("demo workflow", "Under examination"),
                "public_label": pgettext("demo workflow", "Being examined"),
                "colour": "#b34000",
            },
            {
                "key": "waiting",
                "name": pgettext("demo workflow", "Waiting for the citizen"),
                "public_label": pgettext("demo workflow", "Waiting for your answer"),
                "colour": "#6e445a",
            },
            {
                "key": "granted",
                "name": pgettext("demo workflow", "Granted"),
                "public_label": pgettext("demo workflow", "Granted"),
                "colour": "#18753c",
                "final": True,
            },
            {
                "key": "refused",
                "name": pgettext("demo workflow", "Refused"),
                "public_label": pgettext("demo workflow", "Refused"),
                "colour": "#3a3a3a",
                "final": True,
            },
        ],
        "actions": [
            {
                "key": "take",
                "name": pgettext("demo workflow", "Take it"),
                "sources": ["received"],
                "target": "in_review",
                "mass": True,
                "tasks": [{"type": "assign", "config": {"mode": "actor"}}],
            },
            *ask_citizen_actions("in_review"),
            {
                "key": "grant",
                "name": pgettext("demo workflow", "Grant"),
                "sources": ["in_review"],
                "target": "granted",
                "tasks": decide,
            },
            {
                "key": "refuse",
                "name": pgettext("demo workflow", "Refuse"),
                "sources": ["in_review"],
                "target": "refused",
                "tasks": decide,
            },
        ],
    }


def ensure_demand_workflow(site, stdout=None) -> Workflow | None:
    """Once, when the forms plugin is installed: the workflow of every online procedure."""
    if (
        "forms.response" not in resource_types
        or Binding.objects.filter(resource_type="forms.response").exists()
    ):
        return None
    with translation.override(settings.LANGUAGE_CODE):
        workflow = Workflow.objects.create(
            name=pgettext("demo workflow", "Online procedures"),
            description=pgettext(
                "demo workflow",
                "Examine a demand, ask the citizen for more if needed, grant or refuse it.",
            ),
            draft=demand_definition(),
        )
    services.publish(workflow)
    services.bind("forms.response", "", workflow)
    if stdout is not None:
        stdout.write(f"workflow: {workflow.name} (form responses)")
    return workflow


def ensure_demo_workflow(site, stdout=None) -> Workflow | None:
    """Once: design, publish and bind the message workflow; let the demo's agents process."""
    if (
        "contact.message" not in resource_types
        or Binding.objects.filter(resource_type="contact.message").exists()
    ):
        return None
    with translation.override(settings.LANGUAGE_CODE):
        workflow = Workflow.objects.create(
            name=pgettext("demo workflow", "Messages to the town hall"),
            description=pgettext(
                "demo workflow",
                "Take a message, ask for more if needed, answer it; unanswered requests close after 30 days.",
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
