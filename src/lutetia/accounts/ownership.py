"""Citizens' own objects: the one check every plugin's front office uses.

A citizen reaches an object of theirs (a message, a form response, an appointment) through
``get_owned_or_404``. Someone else's object answers 404, exactly like one that does not exist,
so references cannot be walked to learn what exists; the attempt is recorded in the access log
as *denied* (a citizen trying addresses is what an investigator looks for).
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404


def owned(queryset: QuerySet, user, owner_field: str = "owner") -> QuerySet:
    """The objects of ``queryset`` that belong to ``user`` (none for an anonymous visitor)."""
    if user is None or not user.is_authenticated:
        return queryset.none()
    return queryset.filter(**{owner_field: user})


def get_owned_or_404(queryset: QuerySet, user, owner_field: str = "owner", **lookup):
    """``user``'s object matching ``lookup``; 404 otherwise, an attempt on another's recorded."""
    try:
        obj = queryset.get(**lookup)
    except (queryset.model.DoesNotExist, queryset.model.MultipleObjectsReturned, ValueError):
        raise Http404 from None
    owner_id = getattr(obj, f"{owner_field}_id", None)
    if user is None or not user.is_authenticated or owner_id != user.pk:
        from lutetia import audit

        audit.record(
            actor=user,
            action="access.not_owner",
            target=obj,
            outcome="denied",
            details={"reason": "not the owner"},
        )
        raise Http404
    return obj
