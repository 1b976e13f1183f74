"""Conditions: the tests an action runs before it applies, combined with "all" and "any".

A condition is a leaf ``{"type": "<registered id>", ...its configuration}`` or a group
``{"all": [...]}`` / ``{"any": [...]}`` of conditions (groups nest). Types are a registry, so a
plugin adds its own (the appointments plugin: "the appointment is in less than 24 hours")::

    @condition_types.register("appointments.soon")
    class Soon(ConditionType):
        verbose_name = _("The appointment is soon")
        form_class = SoonForm
        def test(self, context, config): ...
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lutetia.plugins import Registry

from .configs import ConfigForm, clean_config
from .definition import DefinitionError

#: Deepest nesting of "all"/"any" groups kept readable in the back office.
MAX_DEPTH = 4


class ConditionType:
    """One kind of test. ``form_class`` checks its configuration; ``test`` answers it."""

    verbose_name: Any = ""
    form_class: type[forms.Form] | None = None

    def test(self, context, config: dict[str, Any]) -> bool:
        raise NotImplementedError

    def describe(self, config: dict[str, Any]) -> str:
        """The condition in words, for the diagram and the validation report."""
        return str(self.verbose_name)


condition_types: Registry[ConditionType] = Registry("workflow condition types")


def register(id: str):
    """Class decorator: register one instance of the class under ``id``."""

    def decorator(cls):
        condition_types.register(id)(cls())
        return cls

    return decorator


def clean_conditions(tree: Any, where: str, *, check_types: bool = True, depth: int = 0) -> dict:
    """The condition tree checked (types known, configurations valid); `DefinitionError`."""
    if depth > MAX_DEPTH:
        raise DefinitionError(
            _("%(where)s: conditions nest more than %(max)s levels deep.")
            % {"where": where, "max": MAX_DEPTH}
        )
    if not isinstance(tree, dict):
        raise DefinitionError(_("%(where)s: a condition is an object.") % {"where": where})
    for group in ("all", "any"):
        if group in tree:
            items = tree[group]
            if len(tree) != 1 or not isinstance(items, list) or not items:
                raise DefinitionError(
                    _("%(where)s: “%(group)s” holds a non-empty list of conditions, alone.")
                    % {"where": where, "group": group}
                )
            return {
                group: [
                    clean_conditions(item, where, check_types=check_types, depth=depth + 1)
                    for item in items
                ]
            }
    kind = tree.get("type")
    if not isinstance(kind, str):
        raise DefinitionError(_("%(where)s: a condition has a type.") % {"where": where})
    if not check_types:
        return dict(tree)
    condition_type = condition_types.get(kind)
    if condition_type is None:
        raise DefinitionError(
            _("%(where)s: unknown condition type “%(type)s”.") % {"where": where, "type": kind}
        )
    config = {name: value for name, value in tree.items() if name != "type"}
    return {"type": kind, **clean_config(condition_type.form_class, config, where)}


def holds(tree: dict | None, context) -> bool:
    """Whether the condition tree holds for ``context`` (no conditions: it holds)."""
    if not tree:
        return True
    if "all" in tree:
        return all(holds(item, context) for item in tree["all"])
    if "any" in tree:
        return any(holds(item, context) for item in tree["any"])
    condition_type = condition_types[tree["type"]]
    config = {name: value for name, value in tree.items() if name != "type"}
    return bool(condition_type.test(context, config))


def describe(tree: dict | None) -> str:
    """The condition tree in words: "(A and B) or C"."""
    if not tree:
        return ""
    for group, word in (("all", _(" and ")), ("any", _(" or "))):
        if group in tree:
            parts = [describe(item) for item in tree[group]]
            text = word.join(parts)
            return f"({text})" if len(parts) > 1 else text
    condition_type = condition_types.get(tree["type"])
    if condition_type is None:
        return tree["type"]
    config = {name: value for name, value in tree.items() if name != "type"}
    return condition_type.describe(config)


# --- the built-in types ------------------------------------------------------------------

OPERATORS = {
    "eq": gettext_lazy("is"),
    "ne": gettext_lazy("is not"),
    "lt": gettext_lazy("is less than"),
    "le": gettext_lazy("is at most"),
    "gt": gettext_lazy("is more than"),
    "ge": gettext_lazy("is at least"),
    "contains": gettext_lazy("contains"),
    "empty": gettext_lazy("is empty"),
    "not_empty": gettext_lazy("is not empty"),
}


class FieldConditionForm(ConfigForm):
    field = forms.CharField(label=gettext_lazy("Field"), max_length=100)
    op = forms.ChoiceField(label=gettext_lazy("Test"), choices=list(OPERATORS.items()))
    value = forms.CharField(label=gettext_lazy("Value"), required=False, max_length=500)


def _comparable(left: Any, right: str) -> tuple[Any, Any]:
    """Compare numbers as numbers and everything else as text."""
    try:
        return Decimal(str(left)), Decimal(right)
    except (InvalidOperation, ValueError):
        return ("" if left is None else str(left)), right


@register("field")
class FieldCondition(ConditionType):
    """A value of the resource, or a field the workflow asked an agent for, compared to a value."""

    verbose_name = gettext_lazy("A field has a value")
    form_class = FieldConditionForm

    def test(self, context, config):
        value = context.value(config["field"])
        op = config["op"]
        if op == "empty":
            return value in (None, "", [], {})
        if op == "not_empty":
            return value not in (None, "", [], {})
        if op == "contains":
            if isinstance(value, (list, tuple, set)):
                return config["value"] in {str(item) for item in value}
            return config["value"] in ("" if value is None else str(value))
        if isinstance(value, bool):
            value = "true" if value else "false"
        left, right = _comparable(value, config["value"])
        try:
            return {
                "eq": left == right,
                "ne": left != right,
                "lt": left < right,
                "le": left <= right,
                "gt": left > right,
                "ge": left >= right,
            }[op]
        except TypeError:  # a number against a text
            return False

    def describe(self, config):
        words = f"{config['field']} {OPERATORS.get(config['op'], config['op'])}"
        if config["op"] not in ("empty", "not_empty"):
            words += f" “{config['value']}”"
        return words


class TimeInStateForm(ConfigForm):
    minutes = forms.IntegerField(label=gettext_lazy("Minutes in the state"), min_value=1)
    op = forms.ChoiceField(
        label=gettext_lazy("Test"),
        choices=[("ge", gettext_lazy("at least")), ("lt", gettext_lazy("less than"))],
        initial="ge",
    )


@register("time_in_state")
class TimeInState(ConditionType):
    """How long the resource has been in its current state."""

    verbose_name = gettext_lazy("Time in the state")
    form_class = TimeInStateForm

    def test(self, context, config):
        spent = context.now - context.case.entered_at
        limit = timedelta(minutes=config["minutes"])
        return spent >= limit if config["op"] == "ge" else spent < limit

    def describe(self, config):
        if config["op"] == "ge":
            return _("in the state for at least %(minutes)s minutes") % config
        return _("in the state for less than %(minutes)s minutes") % config


class AgentRoleForm(ConfigForm):
    role = forms.CharField(label=gettext_lazy("Role"), max_length=150)


@register("agent_role")
class AgentRole(ConditionType):
    """The agent acting has a role (an automatic action never has an agent: false)."""

    verbose_name = gettext_lazy("The agent has a role")
    form_class = AgentRoleForm

    def test(self, context, config):
        actor = context.actor
        if actor is None or not actor.is_authenticated:
            return False
        return actor.is_superuser or actor.groups.filter(name=config["role"]).exists()

    def describe(self, config):
        return _("the agent has the role “%(role)s”") % config


class PreviousActionForm(ConfigForm):
    action = forms.CharField(label=gettext_lazy("Action"), max_length=50)
    done = forms.BooleanField(
        label=gettext_lazy("Done (unticked: never done)"), required=False, initial=True
    )


@register("previous_action")
class PreviousAction(ConditionType):
    """Whether an action was already done on this resource."""

    verbose_name = gettext_lazy("An action was done before")
    form_class = PreviousActionForm

    def test(self, context, config):
        return (config["action"] in context.actions_done()) == config["done"]

    def describe(self, config):
        if config["done"]:
            return _("“%(action)s” was done before") % config
        return _("“%(action)s” was never done") % config
