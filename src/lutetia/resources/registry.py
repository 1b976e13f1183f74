"""The registry of resource types, and the signals a resource's plugin sends."""

from __future__ import annotations

from django.db import models
from django.dispatch import Signal

from lutetia.plugins import Registry, SiteSignal

from .base import ResourceType, UnknownResource


class ResourceTypeRegistry(Registry[ResourceType]):
    """Resource types by id; ``register`` takes the class and keeps one instance."""

    def register(self, id: str):  # type: ignore[override]
        record = super().register(id)

        def decorator(cls: type[ResourceType]) -> type[ResourceType]:
            instance = cls()
            instance.id = id
            record(instance)
            return cls

        return decorator

    def for_model(self, model: type[models.Model]) -> ResourceType | None:
        for resource_type in self._items.values():
            if resource_type.model is model or issubclass(model, resource_type.model):
                return resource_type
        return None


resource_types = ResourceTypeRegistry("resource types")


def type_of(obj: models.Model) -> ResourceType:
    """The resource type of ``obj``; `UnknownResource` when its model registered none."""
    resource_type = resource_types.for_model(type(obj))
    if resource_type is None:
        raise UnknownResource(f"{type(obj).__name__} is not a registered resource type")
    return resource_type


def get_resource(type_id: str, resource_id: str) -> tuple[ResourceType, models.Model]:
    """The type and the object stored as (``type_id``, ``resource_id``); `UnknownResource`."""
    resource_type = resource_types.get(type_id)
    if resource_type is None:
        raise UnknownResource(type_id)
    return resource_type, resource_type.get(resource_id)


#: A resource was created (a form submitted, an appointment booked). Arguments: ``site``,
#: ``resource`` (the object), ``resource_type`` (its `ResourceType`), ``actor`` (the user who
#: created it, or None). Sent inside the creating transaction: a receiver that fails makes the
#: creation fail (send() not send_robust()), so a workflow never misses a resource. Return: ignored.
resource_created = SiteSignal()

#: A resource's values changed outside a workflow (a citizen corrected their answers).
#: Arguments as ``resource_created``, plus ``fields`` (names changed, may be empty). Return: ignored.
resource_changed = SiteSignal()

#: "Contribute items": panels for the resource's back-office page. Arguments: ``site``,
#: ``resource``, ``resource_type``, ``user`` (the agent), ``request``.
#: Return: a list of `django.utils.safestring.SafeString` (rendered HTML sections), or None.
admin_panels = SiteSignal()

#: "Contribute items": panels for the resource's page in the citizen's front office (status,
#: history, actions the citizen may take). Arguments as ``admin_panels`` (``user`` the citizen).
#: Return: a list of SafeString, or None.
public_panels = SiteSignal()


#: A scope a resource type offered (`ResourceType.workflow_scopes`: a service, a form) is gone
#: with its object. Arguments: ``resource_type`` (its id), ``scope``, ``actor``. Sent in the
#: deleting transaction to every plugin on every site (not a site signal: what was tied to the
#: scope goes wherever it was set). Return: ignored.
scope_removed = Signal()


def remove_scope(resource_type: str, scope: str, actor=None) -> None:
    """Tell the plugins that ``scope`` of ``resource_type`` is gone; call it in the deleting
    transaction."""
    scope_removed.send(sender=None, resource_type=resource_type, scope=scope, actor=actor)


def created(obj: models.Model, actor=None) -> None:
    """Tell the plugins that ``obj`` was created; call it in the creating transaction."""
    resource_type = type_of(obj)
    resource_created.send(
        sender=type(obj),
        site=resource_type.site(obj),
        resource=obj,
        resource_type=resource_type,
        actor=actor,
    )


def changed(obj: models.Model, fields=(), actor=None) -> None:
    """Tell the plugins that ``obj``'s values changed."""
    resource_type = type_of(obj)
    resource_changed.send(
        sender=type(obj),
        site=resource_type.site(obj),
        resource=obj,
        resource_type=resource_type,
        actor=actor,
        fields=tuple(fields),
    )


def panels(signal: SiteSignal, obj: models.Model, *, user=None, request=None) -> list:
    """The sections plugins contribute to ``obj``'s page (``admin_panels`` or ``public_panels``)."""
    resource_type = type_of(obj)
    sections = []
    for _receiver, response in signal.send(
        sender=type(obj),
        site=resource_type.site(obj),
        resource=obj,
        resource_type=resource_type,
        user=user,
        request=request,
    ):
        sections.extend(response or [])
    return sections
