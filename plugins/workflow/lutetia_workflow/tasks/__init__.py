"""Task types: the work an action does (notify, comment, assign, ask the citizen, ...).

Task types are a registry; a plugin registers its own from ``ready()`` (the appointments plugin:
"confirm with an .ics file")::

    from lutetia_workflow.tasks import TaskOutcome, TaskType, register

    @register("appointments.confirm")
    class Confirm(TaskType):
        verbose_name = _("Confirm the appointment")
        form_class = ConfirmConfigForm        # its configuration, checked when the workflow is saved
        def run(self, context, config) -> TaskOutcome: ...

A task that cannot do its work raises `TaskFailed` with a message for the agent: the engine then
rolls the action back or follows its alternative path, as the action says, and writes the failure
in the history. Everything a task writes goes through the database transaction of the action
(messages through the outbox), so a rolled-back action leaves nothing behind.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms

from lutetia.plugins import Registry

from ..configs import clean_config
from ..definition import DefinitionError


class TaskFailed(Exception):
    """The task could not do its work; the message is shown to agents and kept in the history."""


@dataclass
class TaskOutcome:
    """What a task did, for the history. ``public``: the citizen sees ``summary`` too."""

    summary: str = ""
    public: bool = False


class TaskType:
    """One kind of task. Subclass, set ``verbose_name`` and ``form_class``, implement ``run``."""

    verbose_name: Any = ""
    description: Any = ""
    #: checks the task's configuration (None: it has none)
    form_class: type[forms.Form] | None = None

    def agent_form(self, config: dict[str, Any]) -> type[forms.Form] | None:
        """The form an agent fills when doing the action (a comment, extra fields), or None."""
        return None

    def can_run_unattended(self, config: dict[str, Any]) -> bool:
        """Whether it may run in an automatic, timed, citizen or API action (no agent to ask)."""
        return self.agent_form(config) is None

    def clean(self, config: dict[str, Any]) -> dict[str, Any]:
        """Extra checks across fields of the configuration; raise DefinitionError."""
        return config

    def run(self, context, config: dict[str, Any]) -> TaskOutcome | None:
        raise NotImplementedError

    def describe(self, config: dict[str, Any]) -> str:
        return str(self.verbose_name)


task_types: Registry[TaskType] = Registry("workflow task types")


def register(id: str):
    """Class decorator: register one instance of the class under ``id``."""

    def decorator(cls):
        task_types.register(id)(cls())
        return cls

    return decorator


def clean_task_config(type_id: str, config: dict, where: str) -> dict[str, Any]:
    """The configuration of a task of type ``type_id``, checked; `DefinitionError`."""
    from django.utils.translation import gettext as _

    task_type = task_types.get(type_id)
    if task_type is None:
        raise DefinitionError(
            _("%(where)s: unknown task type “%(type)s”.") % {"where": where, "type": type_id}
        )
    return task_type.clean(clean_config(task_type.form_class, config, where))
