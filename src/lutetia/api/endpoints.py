"""Endpoint declarations and the views built from them."""

from __future__ import annotations

import datetime
import decimal
from typing import Any, ClassVar

from django.core.paginator import EmptyPage, Paginator
from django.db import models
from django.http import JsonResponse
from django.utils.translation import gettext as _
from wagtail.models import Site

from lutetia.accounts import workgroups
from lutetia.plugins import state
from lutetia.plugins.registry import Registry

PAGE_SIZE = 50


class ModelEndpoint:
    """Read-only access to one model: ``list`` and ``detail``."""

    #: The label of the plugin the model belongs to: off for a site → 404 there.
    plugin: ClassVar[str] = ""
    model: ClassVar[type[models.Model]]
    #: ``app_label.codename`` the caller must hold.
    permission: ClassVar[str] = ""
    #: Attribute names (or properties) written in each object's JSON.
    fields: ClassVar[list[str]] = []
    #: Where the workgroup is (``None``: the model is not scoped by workgroup).
    workgroup_field: ClassVar[str | None] = "workgroup"
    #: Where the site is, so a site's API shows only that site's objects (``None``: not per site).
    site_field: ClassVar[str | None] = "site"

    @classmethod
    def queryset(cls, request) -> models.QuerySet:
        queryset = cls.model._default_manager.all()
        if cls.site_field:
            site = Site.find_for_request(request)
            queryset = queryset.filter(**{cls.site_field: site})
        if cls.workgroup_field:
            queryset = workgroups.scope(queryset, request.user, cls.workgroup_field)
        return queryset

    @classmethod
    def serialise(cls, obj: models.Model) -> dict[str, Any]:
        return {name: _json_value(getattr(obj, name)) for name in cls.fields}


endpoints: Registry[type[ModelEndpoint]] = Registry("API endpoints")


def _json_value(value: Any) -> Any:
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def error(status: int, message: str) -> JsonResponse:
    """A JSON error, its message translated in the caller's language."""
    return JsonResponse({"error": message}, status=status)


def check_access(request, endpoint: type[ModelEndpoint]) -> JsonResponse | None:
    """The first reason to refuse, as a response; None when the caller may go on."""
    user = request.user
    if not user.is_authenticated:
        response = error(401, _("Sign in first: this address needs an agent's account."))
        response["WWW-Authenticate"] = 'Session realm="Lutetia"'
        return response
    if not user.is_active or not user.is_staff or not user.has_perm(endpoint.permission):
        return error(403, _("Your account does not have the right to read this."))
    if endpoint.plugin and not state.is_enabled(Site.find_for_request(request), endpoint.plugin):
        return not_found()
    return None


def not_found() -> JsonResponse:
    """Absent, or not the caller's to see: the same answer, so nothing leaks."""
    return error(404, _("There is nothing at this address."))


def list_view(request, endpoint: type[ModelEndpoint]):
    if refused := check_access(request, endpoint):
        return refused
    paginator = Paginator(endpoint.queryset(request).order_by("pk"), PAGE_SIZE)
    try:
        number = int(request.GET.get("page", "1"))
        page = paginator.page(number)
    except (ValueError, EmptyPage):
        return error(400, _("There is no such page of results."))
    base = request.build_absolute_uri(request.path)
    return JsonResponse(
        {
            "count": paginator.count,
            "next": f"{base}?page={number + 1}" if page.has_next() else None,
            "previous": f"{base}?page={number - 1}" if page.has_previous() else None,
            "results": [endpoint.serialise(obj) for obj in page.object_list],
        }
    )


def detail_view(request, endpoint: type[ModelEndpoint], pk: int):
    if refused := check_access(request, endpoint):
        return refused
    try:
        obj = endpoint.queryset(request).get(pk=pk)
    except endpoint.model.DoesNotExist:
        return not_found()
    return JsonResponse(endpoint.serialise(obj))
