"""Definitions the forms tests (and bench/forms.py) build forms from."""

from __future__ import annotations

import copy

PERMIT = {
    "format": 1,
    "steps": [
        {
            "key": "applicant",
            "title": "Applicant",
            "questions": [
                {
                    "key": "name",
                    "type": "text",
                    "label": "Your name",
                    "required": True,
                    "column": True,
                },
                {"key": "email", "type": "email", "label": "Your e-mail address", "required": True},
                {
                    "key": "age",
                    "type": "number",
                    "label": "Your age",
                    "required": True,
                    "config": {"min": 16, "max": 120},
                },
                {
                    "key": "company",
                    "type": "yes_no",
                    "label": "Do you apply for a company?",
                    "required": True,
                    "filter": True,
                },
                {
                    "key": "siret",
                    "type": "text",
                    "label": "SIRET number",
                    "required": True,
                    "pattern": "fr_siret",
                    "unique": True,
                    "when": {"question": "company", "op": "eq", "value": True},
                },
            ],
        },
        {
            "key": "request",
            "title": "Your request",
            "questions": [
                {
                    "key": "kind",
                    "type": "choice",
                    "label": "Kind of event",
                    "required": True,
                    "column": True,
                    "filter": True,
                    "anonymise": False,
                    "config": {
                        "choices": [
                            {"value": "market", "label": "Market"},
                            {"value": "concert", "label": "Concert"},
                            {"value": "other", "label": "Other"},
                        ]
                    },
                },
                {
                    "key": "details",
                    "type": "textarea",
                    "label": "Describe it",
                    "required": True,
                    "when": {"question": "kind", "op": "eq", "value": "other"},
                },
                {
                    "key": "day",
                    "type": "date",
                    "label": "Day of the event",
                    "required": True,
                    "config": {"min": "today"},
                },
                {
                    "key": "stalls",
                    "type": "number",
                    "label": "Number of stalls",
                    "config": {"min": 1, "max": 50},
                },
            ],
            "transitions": [
                {"to": "summary_note", "when": {"question": "kind", "op": "ne", "value": "concert"}}
            ],
        },
        {
            "key": "sound",
            "title": "Sound",
            "questions": [
                {
                    "key": "decibels",
                    "type": "number",
                    "label": "Loudest level (dB)",
                    "required": True,
                    "config": {"min": 40, "max": 120},
                },
                {
                    "key": "plan",
                    "type": "file",
                    "label": "Site plan",
                    "required": True,
                    "config": {
                        "types": ["application/pdf", "image/png"],
                        "max_size_mb": 1,
                        "max_count": 2,
                    },
                },
            ],
        },
        {
            "key": "summary_note",
            "title": "Last details",
            "questions": [
                {"key": "note", "type": "paragraph", "label": "We answer within ten days."},
                {"key": "remarks", "type": "textarea", "label": "Remarks"},
            ],
        },
    ],
}


def permit(**changes) -> dict:
    """A fresh copy of the event-permit definition."""
    definition = copy.deepcopy(PERMIT)
    definition.update(changes)
    return definition


#: A workflow for event permits (the workflow plugin's format): received, examined, granted.
PERMIT_WORKFLOW = {
    "format": 1,
    "states": [
        {"key": "received", "name": "Received", "public_label": "Received", "initial": True},
        {"key": "review", "name": "Under review", "public_label": "Being examined"},
        {"key": "granted", "name": "Granted", "public_label": "Permit granted", "final": True},
    ],
    "actions": [
        {
            "key": "take",
            "name": "Take it",
            "sources": ["received"],
            "target": "review",
            "tasks": [{"type": "assign", "config": {"mode": "actor"}}],
        },
        {"key": "grant", "name": "Grant", "sources": ["review"], "target": "granted"},
    ],
}
