"""Back-office viewsets whose every view goes through workgroup scoping.

A plugin's ``ModelViewSet`` becomes scoped by inheriting ``WorkgroupScopedViewSet`` first and
naming the field (or relation path) holding the workgroup::

    class MessageViewSet(WorkgroupScopedViewSet, ModelViewSet):
        model = Message
        workgroup_field = "workgroup"   # or "topic__workgroup"

Listing and export show only the agent's workgroups; inspect, edit, delete, history and usage
answer 404 for another workgroup's object; a form's ``workgroup`` field offers only the
agent's workgroups.
"""

from __future__ import annotations

from django.http import Http404

from . import workgroups


class ScopedViewMixin:
    """Mixed into each view class of a scoped viewset (see ``WorkgroupScopedViewSet``)."""

    workgroup_field = "workgroup"

    def get_base_queryset(self):
        """Index, results and export: the agent's workgroups only."""
        queryset = super().get_base_queryset()
        return workgroups.scope(queryset, self.request.user, self.workgroup_field)

    def get_object(self, *args, **kwargs):
        """One object: 404 when it belongs to another workgroup, as if it did not exist."""
        obj = super().get_object(*args, **kwargs)
        if not workgroups.can_access(obj, self.request.user, self.workgroup_field):
            raise Http404
        return obj

    def get_form(self, *args, **kwargs):
        """An agent gives objects only to their own workgroups."""
        form = super().get_form(*args, **kwargs)
        field = form.fields.get(self.workgroup_field)
        if field is not None and hasattr(field, "queryset"):
            field.queryset = workgroups.assignable(self.request.user)
        return form


class WorkgroupScopedViewSet:
    """Mix before Wagtail's ``ModelViewSet``: every view it builds is scoped."""

    workgroup_field = "workgroup"
    _scoped_classes: dict = {}

    def construct_view(self, view_class, **kwargs):
        """Build the view from a subclass of ``view_class`` that goes through scoping."""
        key = (view_class, self.workgroup_field)
        scoped = WorkgroupScopedViewSet._scoped_classes.get(key)
        if scoped is None:
            scoped = type(
                f"Scoped{view_class.__name__}",
                (ScopedViewMixin, view_class),
                {"workgroup_field": self.workgroup_field, "__module__": view_class.__module__},
            )
            WorkgroupScopedViewSet._scoped_classes[key] = scoped
        return super().construct_view(scoped, **kwargs)
