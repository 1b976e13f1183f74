"""Back-office views: mixins that record views of personal data, and the access log's viewer.

Apply the mixins before Wagtail's view class::

    class MessageInspectView(RecordsPersonalDataView, InspectView): ...
    class MessageIndexView(RecordsPersonalDataExport, IndexView): ...

``RecordsPersonalDataView`` records ``personal_data.view`` each time an inspect or edit page is
shown (GET answered 200); ``RecordsPersonalDataExport`` records ``personal_data.export`` each
time a listing is downloaded (CSV or XLSX), with the filters and the number of rows.
"""

from __future__ import annotations

import json

from django.core.exceptions import PermissionDenied
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from wagtail.admin.views import generic

from . import services
from .models import AuditEntry, Category, Outcome

#: Query-string keys that are not filters (paging, sorting, the export switch).
NOT_FILTERS = {"p", "page", "ordering", "export"}


def _filters(request) -> dict:
    return {
        key: values if len(values) > 1 else values[0]
        for key, values in request.GET.lists()
        if key not in NOT_FILTERS and any(values)
    }


class RecordsPersonalDataView:
    """Mixin for an inspect or edit view: record ``personal_data.view`` of ``self.object``."""

    def get(self, request, *args, **kwargs):
        """Render as usual, then record the view when the page was shown."""
        response = super().get(request, *args, **kwargs)
        if response.status_code == 200:
            obj = getattr(self, "object", None)
            if obj is None:
                obj = self.get_object()
            services.personal_data_viewed(request, obj)
        return response


class RecordsPersonalDataExport:
    """Mixin for a Wagtail ``IndexView`` with ``list_export``: record each download."""

    def render_to_response(self, context, **response_kwargs):
        """Record the export (format, filters, row count), then stream it as usual."""
        if getattr(self, "is_export", False):
            queryset = context["object_list"]
            services.personal_data_exported(
                self.request,
                self.model,
                count=queryset.count(),
                details={"format": self.request.GET.get("export"), **_filter_details(self)},
            )
        return super().render_to_response(context, **response_kwargs)


def _filter_details(view) -> dict:
    filters = _filters(view.request)
    return {"filters": filters} if filters else {}


# --- the access log's viewer ------------------------------------------------------------------


class AuditedAccessMixin:
    """Record a refused visit to the viewer (an agent without the right trying)."""

    audit_action = ""

    def dispatch(self, request, *args, **kwargs):
        """As Wagtail's, plus an entry ``denied`` when the right is missing."""
        try:
            return super().dispatch(request, *args, **kwargs)
        except PermissionDenied:
            services.record(
                request.user,
                self.audit_action,
                AuditEntry,
                outcome=Outcome.DENIED,
                category=Category.PERSONAL_DATA,
                request=request,
            )
            raise


class AuditIndexView(AuditedAccessMixin, generic.IndexView):
    """The list (and its filtered results, and its CSV/XLSX export), each visit recorded."""

    audit_action = "audit.list_viewed"

    def render_to_response(self, context, **response_kwargs):
        """Record who looked at (or downloaded) which part of the log."""
        details = _filter_details(self)
        if self.is_export:
            action = "audit.exported"
            details = {"format": self.request.GET.get("export"), **details}
            details["count"] = context["object_list"].count()
        else:
            action = self.audit_action
            page = context.get("page_obj")
            if page is not None:
                details["page"] = page.number
        services.record(
            self.request.user,
            action,
            AuditEntry,
            details=details,
            category=Category.PERSONAL_DATA,
            request=self.request,
        )
        return super().render_to_response(context, **response_kwargs)


class AuditInspectView(AuditedAccessMixin, generic.InspectView):
    """One entry in full; opening it is recorded (``audit.entry_viewed``)."""

    audit_action = "audit.entry_viewed"

    def get(self, request, *args, **kwargs):
        """Render, then record which entry was read."""
        response = super().get(request, *args, **kwargs)
        if response.status_code == 200:
            services.record(
                request.user,
                self.audit_action,
                self.object,
                category=Category.PERSONAL_DATA,
                request=request,
            )
        return response

    def get_details_display_value(self):
        """The details as indented JSON."""
        text = json.dumps(self.object.details_dict, indent=2, ensure_ascii=False)
        return format_html("<pre>{}</pre>", text)

    def get_site_name_display_value(self):
        """Name and id: the site may have been renamed or removed since."""
        if self.object.site_id is None:
            return ""
        return _("%(name)s (id %(id)s)") % {
            "name": self.object.site_name,
            "id": self.object.site_id,
        }
