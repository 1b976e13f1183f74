"""Workgroup scoping: the one place deciding which objects an agent may see and act on.

Lutece's rule, kept: an object belongs to one workgroup (or to none: then every agent with the
right to the object type sees it); an agent sees the objects of the workgroups they are a
member of; a site administrator (superuser, or a role granted "Can see and process the objects
of every workgroup") sees them all. A citizen, or an agent whose account is inactive, sees none
through these functions: citizens reach their own objects through ownership checks instead.

Every plugin uses the same three pieces, so that listing, detail, export and API agree:

- ``WorkgroupField()`` on the model (or a ``workgroup`` reached through a relation);
- ``scope(queryset, user)`` for lists, exports and API listings;
- ``get_object_or_404(queryset, user, **lookup)`` for one object: another workgroup's object
  answers 404, exactly like an object that does not exist (its existence is not revealed);
- ``WorkgroupScopedViewSet`` for Wagtail back-office viewsets (index, export, inspect, edit,
  delete, history, usage all go through ``scope``).
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _

SEE_ALL_PERMISSION = "lutetia_accounts.see_all_workgroups"
_CACHE_ATTRIBUTE = "_lutetia_workgroup_ids"


def WorkgroupField(**options: Any) -> models.ForeignKey:
    """The foreign key that ties an object to a workgroup (empty: shared by every workgroup)."""
    options.setdefault("verbose_name", _("workgroup"))
    options.setdefault("null", True)
    options.setdefault("blank", True)
    options.setdefault("on_delete", models.PROTECT)
    options.setdefault("related_name", "+")
    options.setdefault(
        "help_text",
        _("Only agents of this workgroup see it; empty: every agent with the right sees it."),
    )
    return models.ForeignKey("lutetia_accounts.Workgroup", **options)


def sees_all(user) -> bool:
    """Site administrators see every workgroup's objects."""
    return bool(
        user is not None
        and user.is_authenticated
        and user.is_active
        and (user.is_superuser or user.has_perm(SEE_ALL_PERMISSION))
    )


def workgroup_ids(user) -> frozenset[int]:
    """The workgroups an agent belongs to (read once per request: cached on the user)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return frozenset()
    cached = getattr(user, _CACHE_ATTRIBUTE, None)
    if cached is None:
        cached = frozenset(user.workgroups.values_list("pk", flat=True))
        setattr(user, _CACHE_ATTRIBUTE, cached)
    return cached


def forget(user) -> None:
    """Drop the cached memberships (after they changed)."""
    if user is not None and hasattr(user, _CACHE_ATTRIBUTE):
        delattr(user, _CACHE_ATTRIBUTE)


def visibility(user, field: str = "workgroup") -> Q | None:
    """The filter an agent's view of a model goes through; None: everything is visible."""
    if sees_all(user):
        return None
    if user is None or not user.is_authenticated or not user.is_active or not user.is_staff:
        return Q(pk__in=[])
    return Q(**{f"{field}__in": workgroup_ids(user)}) | Q(**{f"{field}__isnull": True})


def scope(queryset: QuerySet, user, field: str = "workgroup") -> QuerySet:
    """Only the objects ``user`` may see as an agent."""
    condition = visibility(user, field)
    return queryset if condition is None else queryset.filter(condition)


def can_access(obj: models.Model, user, field: str = "workgroup") -> bool:
    """Whether ``user`` may see this one object (a query only when it is needed)."""
    if sees_all(user):
        return True
    return scope(type(obj)._default_manager.filter(pk=obj.pk), user, field).exists()


def get_object_or_404(queryset: QuerySet, user, field: str = "workgroup", **lookup):
    """One object, or 404 when it does not exist *or* belongs to another workgroup."""
    try:
        return scope(queryset, user, field).get(**lookup)
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def assignable(user):
    """The workgroups ``user`` may give an object to (all of them for a site administrator)."""
    from .models import Workgroup

    workgroups = Workgroup.objects.all()
    if sees_all(user):
        return workgroups
    return workgroups.filter(pk__in=workgroup_ids(user))
