"""`ResourceType`: what a plugin tells the core about one kind of processed object."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import models
from django.utils.functional import Promise

Text = str | Promise


class UnknownResource(LookupError):
    """No registered resource type, or no object, answers to this type id and object id."""


@dataclass(frozen=True)
class FieldInfo:
    """One field of a resource that conditions test and messages quote.

    ``kind`` is one of "text", "number", "date", "choice", "boolean"; ``choices`` lists
    (value, label) pairs for "choice". ``writable`` fields may be changed by a workflow task.
    """

    name: str
    label: Text
    kind: str = "text"
    choices: tuple[tuple[str, Text], ...] = ()
    writable: bool = False


class ResourceType:
    """One kind of resource. Subclass it, set ``model`` and ``verbose_name``, register it.

    Every method gets the object itself (an instance of ``model``). The defaults read the
    commonest field names (``owner``, ``workgroup``, ``site``, ``email``) so that a simple model
    needs few overrides. Methods never read a request: they may run in a worker.
    """

    #: the Django model of the objects
    model: type[models.Model]
    #: the kind of thing, in the singular ("form response")
    verbose_name: Text = ""
    #: set by `resource_types.register`: the stable id stored by other plugins ("forms.response")
    id: str = ""

    # --- finding objects -------------------------------------------------------------------

    def get(self, resource_id: str) -> models.Model:
        """The object with this id; `UnknownResource` when there is none."""
        try:
            return self.model._default_manager.get(pk=resource_id)
        except (self.model.DoesNotExist, ValueError, TypeError):
            raise UnknownResource(f"{self.id}:{resource_id}") from None

    def key(self, obj: models.Model) -> str:
        """The object's id as other plugins store it (a string)."""
        return str(obj.pk)

    # --- what everybody shows --------------------------------------------------------------

    def reference(self, obj: models.Model) -> str:
        """The human reference the citizen quotes, e.g. ``FRM-2026-000123``."""
        return str(getattr(obj, "reference", "") or obj.pk)

    def title(self, obj: models.Model) -> str:
        """A short title for lists and messages."""
        return str(obj)

    def owner(self, obj: models.Model):
        """The citizen's account, or None (anonymous, or the account is gone)."""
        return getattr(obj, "owner", None)

    def contact_email(self, obj: models.Model) -> str:
        """Where to write to the citizen (their account's address, else the one they gave)."""
        owner = self.owner(obj)
        if owner is not None and getattr(owner, "email", ""):
            return owner.email
        return str(getattr(obj, "email", "") or "")

    def contact_phone(self, obj: models.Model) -> str:
        """The citizen's mobile number in E.164 form, or ""."""
        return str(getattr(obj, "phone", "") or "")

    def language(self, obj: models.Model) -> str:
        """The citizen's language for messages; "" for the site default."""
        owner = self.owner(obj)
        return str(getattr(owner, "language", "") or "") if owner is not None else ""

    def site(self, obj: models.Model):
        """The Wagtail site the object belongs to."""
        return getattr(obj, "site", None)

    def workgroup(self, obj: models.Model):
        """The workgroup whose agents process it; None: every agent with the right."""
        return getattr(obj, "workgroup", None)

    def front_url(self, obj: models.Model) -> str:
        """Where its owner sees it in the front office; "" when there is no such page."""
        return ""

    def admin_url(self, obj: models.Model) -> str:
        """Where agents see it in the back office; "" when there is no such page."""
        return ""

    # --- what workflows read and write -----------------------------------------------------

    def fields(self, obj: models.Model) -> list[FieldInfo]:
        """The fields conditions and messages may use (the type's, not only this object's)."""
        return []

    def values(self, obj: models.Model) -> dict[str, Any]:
        """The object's values for `fields`, by name."""
        return {info.name: getattr(obj, info.name, None) for info in self.fields(obj)}

    def set_value(self, obj: models.Model, name: str, value: Any) -> None:
        """Change one writable field and save; ValueError with a clear message when refused."""
        writable = {info.name for info in self.fields(obj) if info.writable}
        if name not in writable:
            raise ValueError(f"{self.id}: the field {name!r} cannot be changed by a workflow")
        setattr(obj, name, value)
        obj.full_clean(exclude=[f.name for f in obj._meta.fields if f.name != name])
        obj.save(update_fields=[name])

    def workflow_scope(self, obj: models.Model) -> str:
        """Which configured object chooses its workflow ("form:12", "agenda:3"); "" for one per
        type."""
        return ""

    def workflow_scopes(self) -> list[tuple[str, str]]:
        """The (scope, label) pairs an administrator binds a workflow to; [("", type)] by default."""
        return [("", str(self.verbose_name))]

    def status_changed(
        self, obj: models.Model, *, state: str, label: str, final: bool, assignee=None
    ) -> None:
        """The workflow moved the object (``state`` its state's key, ``label`` what the citizen
        reads, ``final`` when processing is over, ``assignee`` the agent in charge or None). A
        type whose lists filter by status or assignee keeps a copy; called in the workflow's
        transaction, after every action. The default does nothing."""

    def anonymise(self, obj: models.Model) -> None:
        """Erase the personal data of the object (kept for statistics). Must be overridden by a
        type that holds personal data; the default refuses."""
        raise NotImplementedError(f"{self.id} cannot be anonymised")

    def reopen(self, obj: models.Model, *, message: str, until) -> str:
        """Let the citizen correct or complete it until ``until``; return the page where they do
        it. The default: the resource cannot be reopened (the citizen answers in a message)."""
        raise NotImplementedError(f"{self.id} cannot be reopened")

    def __str__(self) -> str:
        return str(self.verbose_name)
