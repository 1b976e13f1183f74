"""What a step page draws, question by question, for the templates.

Templates cannot look fields up by computed names, so this turns a step's form into a list of
items: a heading, a paragraph, the fields of one question, a repeatable group (fieldsets with
"remove" buttons and an "add" button) or a table (one fieldset per row).
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from .conditions import referenced
from .questions import type_of
from .questions.builtin import RepeatableGroup


def _bound(form, names):
    return [form[name] for name in names if name in form.fields]


def drivers(step) -> set[str]:
    """The keys of the step's questions that other questions of the step depend on.

    Only a change to one of these redraws the questions live (htmx): redrawing on any change
    would replace the field the citizen is typing in, and wipe what they typed meanwhile (or
    the file they just chose).
    """
    keys: set[str] = set()
    for question in step.questions:
        for part in (question, *question.children):
            keys |= referenced(part.when)
    return keys


def items(form, step, shown, counts: dict[str, int] | None = None) -> list[dict]:
    counts = counts or {}
    live = drivers(step)
    drawn = []
    for question in shown:
        kind = type_of(question)
        if question.type == "heading":
            drawn.append({"kind": "heading", "text": question.label, "help": question.help})
        elif question.type == "paragraph":
            drawn.append({"kind": "paragraph", "text": question.label, "help": question.help})
        elif not kind.shown:
            continue
        elif isinstance(kind, RepeatableGroup):
            drawn.append(_group(form, question, kind, counts))
        elif question.type == "table":
            drawn.append(_table(form, question))
        else:
            names = [
                name
                for name in form.fields
                if name == question.key or name.startswith(f"{question.key}__")
            ]
            drawn.append(
                {
                    "kind": "fields",
                    "key": question.key,
                    "fields": _bound(form, names),
                    "refresh": question.key in live,
                }
            )
    return drawn


def _group(form, question, kind: RepeatableGroup, counts) -> dict:
    prefix = f"{question.key}__"
    count = 0
    for name in form.fields:
        if name.startswith(prefix):
            count = max(count, int(name[len(prefix) :].split("__", 1)[0]) + 1)
    low, high = int(question.config.get("min") or 0), int(question.config.get("max") or 10)
    item_label = question.config.get("item_label") or question.label
    repetitions = []
    for index in range(count):
        names = [name for name in form.fields if name.startswith(f"{prefix}{index}__")]
        repetitions.append(
            {
                "legend": f"{item_label} {index + 1}",
                "fields": _bound(form, names),
                "remove": f"remove:{question.key}:{index}" if count > low else "",
                "remove_label": _("Remove %(item)s") % {"item": f"{item_label} {index + 1}"},
            }
        )
    return {
        "kind": "group",
        "key": question.key,
        "legend": question.label,
        "help": question.help,
        "count": count,
        "repetitions": repetitions,
        "add": f"add:{question.key}" if count < high else "",
        "add_label": question.config.get("add_label") or _("Add another"),
    }


def _table(form, question) -> dict:
    rows = question.config.get("rows") or []
    columns = question.config.get("columns") or []
    return {
        "kind": "table",
        "key": question.key,
        "legend": question.label,
        "help": question.help,
        "rows": [
            {
                "label": row,
                "fields": _bound(form, [f"{question.key}__{r}__{c}" for c in range(len(columns))]),
            }
            for r, row in enumerate(rows)
        ],
    }
