"""Export and import of a workflow as a JSON file, so that cities share their designs.

The file::

    {"lutetia_workflow": 1, "uid": "…", "name": "…", "description": "…", "version": 3 | null,
     "definition": {...the definition, format 1...}, "exported_at": "2025-…",
     "notes": ["Task 1 of the action “Notify the partner”: its signing secret was removed."]}

Secrets never leave: the signing secret of webhook tasks is emptied (``notes`` says which
tasks lost one, for whoever imports the file) and the workflow's own API secret is not written.
An import reads the file as data only: nothing in it is run or rendered, its definition goes
through `definition.parse` with every task and condition checked, and the workflow it creates is
disabled, so no resource starts on it before an administrator has looked at it and published it.
"""

from __future__ import annotations

import copy
import json
import uuid
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lutetia import audit

from . import definition as wf
from .models import Workflow, WorkflowVersion

#: The version of the file format this code writes and the newest it reads.
FORMAT = 1
#: The largest file an import reads (a large workflow is a few tens of kilobytes).
MAX_BYTES = 1024 * 1024

#: Configuration keys of task types that hold secrets. A plugin's task type lists its own in a
#: ``secret_fields`` attribute.
SECRET_FIELDS: dict[str, tuple[str, ...]] = {"webhook": ("secret",)}


class ImportRefused(ValueError):
    """The file cannot be imported; ``str()`` says why, in the active language."""


# --- export -------------------------------------------------------------------------------


def _secret_fields(task_type: str) -> tuple[str, ...]:
    from .tasks import task_types

    registered = getattr(task_types.get(task_type), "secret_fields", ())
    return tuple(dict.fromkeys((*SECRET_FIELDS.get(task_type, ()), *registered)))


def without_secrets(definition: dict) -> tuple[dict, list[str]]:
    """A copy of a definition (decoded JSON) with every task's secrets emptied, and a note for
    each task that lost one."""
    cleaned = copy.deepcopy(definition)
    notes: list[str] = []

    def clean(tasks: Any, where) -> None:
        for position, task in enumerate(tasks if isinstance(tasks, list) else [], 1):
            if not isinstance(task, dict) or not isinstance(task.get("config"), dict):
                continue
            names = [
                name for name in _secret_fields(str(task.get("type"))) if task["config"].get(name)
            ]
            for name in names:
                task["config"][name] = ""
            if names:
                notes.append(
                    _(
                        "%(where)s: its secret (%(fields)s) was removed; set it again after "
                        "importing."
                    )
                    % {"where": where(position), "fields": ", ".join(names)}
                )

    for state in cleaned.get("states", []) if isinstance(cleaned, dict) else []:
        if isinstance(state, dict):
            name = state.get("name") or state.get("key")
            clean(
                state.get("on_arrival"),
                lambda n, name=name: (
                    _("Task %(n)s on arrival in “%(state)s”") % {"n": n, "state": name}
                ),
            )
    for action in cleaned.get("actions", []) if isinstance(cleaned, dict) else []:
        if isinstance(action, dict):
            name = action.get("name") or action.get("key")
            clean(
                action.get("tasks"),
                lambda n, name=name: (
                    _("Task %(n)s of the action “%(action)s”") % {"n": n, "action": name}
                ),
            )
    return cleaned, notes


def export(workflow: Workflow, version: WorkflowVersion | None = None) -> dict[str, Any]:
    """The workflow as a shareable document: its draft, or ``version``'s definition, without
    secrets."""
    if version is not None and version.workflow_id != workflow.pk:
        raise ValueError(_("This version belongs to another workflow."))
    source = version.definition if version is not None else workflow.draft
    definition, notes = without_secrets(source or wf.empty())
    return {
        "lutetia_workflow": FORMAT,
        "uid": str(workflow.uid),
        "name": workflow.name,
        "description": workflow.description,
        "version": version.number if version is not None else None,
        "definition": definition,
        "exported_at": timezone.now().isoformat(),
        "notes": notes,
    }


def dumps(document: dict[str, Any]) -> str:
    """The exported document as readable JSON (indented, not escaped to ASCII)."""
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


# --- import -------------------------------------------------------------------------------


def _refuse_constant(name: str):
    raise ValueError(name)  # NaN and Infinity are not JSON


def _too_big() -> ImportRefused:
    return ImportRefused(
        _("The file is too big to be a workflow (more than %(size)s MB).")
        % {"size": MAX_BYTES // (1024 * 1024)}
    )


def _decode(data: bytes | str | dict) -> dict:
    if isinstance(data, dict):
        try:
            size = len(json.dumps(data, default=str).encode())
        except (ValueError, RecursionError):  # a structure that refers to itself
            raise ImportRefused(_("The file is not JSON.")) from None
        if size > MAX_BYTES:
            raise _too_big()
        return data
    if isinstance(data, str):
        data = data.encode("utf-8", errors="surrogatepass")
    if not isinstance(data, (bytes, bytearray)):
        raise ImportRefused(_("The file is not JSON."))
    if len(data) > MAX_BYTES:
        raise _too_big()
    try:
        document = json.loads(bytes(data).decode("utf-8-sig"), parse_constant=_refuse_constant)
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise ImportRefused(_("The file is not JSON (or not encoded in UTF-8).")) from None
    if not isinstance(document, dict):
        raise ImportRefused(_("The file is not a Lutetia workflow."))
    return document


def _check_document(document: dict) -> tuple[str, str, uuid.UUID | None, Any]:
    """The name, description, uid and raw definition of a decoded document; `ImportRefused`."""
    version = document.get("lutetia_workflow")
    if "lutetia_workflow" not in document or "definition" not in document:
        raise ImportRefused(_("The file is not a Lutetia workflow."))
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise ImportRefused(_("The file is not a Lutetia workflow (unknown format version)."))
    if version > FORMAT:
        raise ImportRefused(
            _(
                "The file was written by a newer Lutetia (format %(format)s; this one reads up to "
                "format %(expected)s). Update Lutetia to import it."
            )
            % {"format": version, "expected": FORMAT}
        )
    name = document.get("name")
    max_length = Workflow._meta.get_field("name").max_length
    if not isinstance(name, str) or not name.strip() or len(name.strip()) > max_length:
        raise ImportRefused(
            _("The workflow in the file needs a name of 1 to %(max)s characters.")
            % {"max": max_length}
        )
    description = document.get("description") or ""
    if not isinstance(description, str):
        raise ImportRefused(_("The workflow's description in the file must be a text."))
    try:
        uid = uuid.UUID(str(document.get("uid")))
    except ValueError:
        uid = None  # a new one is given
    return name.strip(), description, uid, document["definition"]


def _parse(raw: Any) -> wf.Definition:
    try:
        return wf.parse(raw, check_types=True)
    except wf.DefinitionError as exc:
        raise ImportRefused(
            _("The workflow's definition is not valid: %(error)s") % {"error": exc}
        ) from None
    except (TypeError, ValueError, KeyError, AttributeError, RecursionError):
        # A value of a type the format never holds (a list where a key goes, …).
        raise ImportRefused(
            _("The workflow's definition is not valid: a part of it has an unexpected shape.")
        ) from None


def _unique_name(name: str) -> str:
    max_length = Workflow._meta.get_field("name").max_length
    taken = set(Workflow.objects.values_list("name", flat=True))
    candidate, number = name, 2
    while candidate in taken:
        suffix = f" ({number})"
        candidate = name[: max_length - len(suffix)] + suffix
        number += 1
    return candidate


def import_workflow(data: bytes | str | dict, user=None) -> Workflow:
    """Create a new, disabled workflow from an exported file; `ImportRefused` says why not.

    The draft is the file's definition, checked in full (task and condition types known here,
    their configurations valid: a workgroup named by a task must exist here). A name already in
    use gets " (2)", " (3)", …; a uid already in use is replaced by a new one. Nothing is
    published and nothing is bound. One transaction, with its audit entry.
    """
    document = _decode(data)
    name, description, uid, raw = _check_document(document)
    parsed = _parse(raw)
    with transaction.atomic():
        if uid is None or Workflow.objects.filter(uid=uid).exists():
            uid = uuid.uuid4()
        workflow = Workflow.objects.create(
            uid=uid,
            name=_unique_name(name),
            description=description,
            enabled=False,
            draft=parsed.to_json(),
        )
        audit.record(
            user,
            "workflow.imported",
            workflow,
            category="admin",
            details={"uid": str(document.get("uid", ""))[:64], "name": name[:150]},
        )
    return workflow
