"""The resource protocol: anything a workflow can process and a citizen can follow.

A form response, an appointment, a budget proposal, a contact message: each plugin that owns such
objects registers one `ResourceType` for them, and then the workflow engine, the citizen's
dashboard, the notifications and the access log work on them without importing the plugin::

    from lutetia.resources import ResourceType, resource_types

    @resource_types.register("contact.message")
    class ContactMessageResource(ResourceType):
        model = ContactMessage
        verbose_name = _("contact message")

        def reference(self, obj): return obj.reference
        ...

The plugin then tells the core when one is created (`created`) or changed (`changed`); plugins
that process resources (the workflow) receive those site-scoped signals. When an object that
was a workflow scope (a service, a form) is deleted, `remove_scope` tells them to let go of it.
"""

from .base import FieldInfo, ResourceType, UnknownResource
from .registry import (
    admin_panels,
    changed,
    created,
    get_resource,
    panels,
    public_panels,
    remove_scope,
    resource_changed,
    resource_created,
    resource_types,
    scope_removed,
    type_of,
)

__all__ = [
    "FieldInfo",
    "ResourceType",
    "UnknownResource",
    "admin_panels",
    "changed",
    "created",
    "get_resource",
    "panels",
    "public_panels",
    "remove_scope",
    "resource_changed",
    "resource_created",
    "resource_types",
    "scope_removed",
    "type_of",
]
