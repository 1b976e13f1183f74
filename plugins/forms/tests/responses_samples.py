"""Builders of the processing tests (test_responses_admin.py, test_exports.py): a form with
every kind of list question, submitted responses made directly with the ORM, their files.
The fixtures are in responses_fixtures.py."""

from __future__ import annotations

import hashlib
import itertools
from datetime import datetime

from django.core.files.base import ContentFile
from django.utils import timezone
from forms_samples import permit

from lutetia import files

_numbers = itertools.count(1)


def at(year: int, month: int, day: int, hour: int = 12, minute: int = 0) -> datetime:
    """An aware moment in the current time zone."""
    return timezone.make_aware(datetime(year, month, day, hour, minute))


def processing_definition() -> dict:
    """The event permit plus a multiple-choice question (a column and a filter) and a
    question only agents fill."""
    definition = permit()
    request = next(step for step in definition["steps"] if step["key"] == "request")
    request["questions"].append(
        {
            "key": "equipment",
            "type": "choices",
            "label": "Equipment needed",
            "column": True,
            "filter": True,
            "config": {
                "choices": [
                    {"value": "stage", "label": "Stage"},
                    {"value": "stage_large", "label": "Large stage"},
                    {"value": "éclairage", "label": "Lighting"},
                ]
            },
        }
    )
    last = definition["steps"][-1]
    last["questions"].append(
        {
            "key": "agent_note",
            "type": "textarea",
            "label": "Agent's note",
            "backoffice_only": True,
        }
    )
    return definition


ANSWERS = {
    "name": "Camille Martin",
    "email": "camille@example.org",
    "age": 34,
    "company": False,
    "kind": "market",
    "day": "2026-06-21",
    "stalls": 12,
    "equipment": ["stage"],
}


def submitted(form, *, answers=None, **fields):
    """A submitted response of ``form`` (its latest version), numbered, searchable."""
    from lutetia_forms import services
    from lutetia_forms.models import Response

    values = {
        "site": form.site,
        "form": form,
        "version": form.latest_version(),
        "status": Response.Status.SUBMITTED,
        "reference": f"{form.reference_prefix}-2026-{next(_numbers):06d}",
        "answers": {**ANSWERS, **(answers or {})},
        "workgroup_id": form.workgroup_id,
        "submitted_at": timezone.now(),
        "email": "camille@example.org",
        **fields,
    }
    response = Response.objects.create(**values)
    response.search_text = services.search_text_of(response)
    response.save(update_fields=["search_text"])
    return response


def draft(form, **fields):
    from lutetia_forms.models import Response

    return Response.objects.create(
        site=form.site, form=form, version=form.latest_version(), answers={"name": "D"}, **fields
    )


def attach(response, *, question="plan", name="site-plan.pdf", content=b"%PDF-1.4\n%%EOF\n"):
    """A file kept in private storage and attached to ``response``."""
    from lutetia_forms.models import Upload

    storage_name = files.private_storage().save(f"forms/tests/{name}", ContentFile(content))
    return Upload.objects.create(
        response=response,
        question=question,
        name=name,
        content_type="application/pdf",
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        storage_name=storage_name,
    )
