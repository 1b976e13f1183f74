"""``/api/v1/<endpoint>/`` and ``/api/v1/<endpoint>/<id>/`` for every registered endpoint."""

from django.urls import path
from django.views.decorators.http import require_safe

from .endpoints import detail_view, endpoints, list_view


def _patterns():
    patterns = []
    for endpoint_id, endpoint in endpoints.items():
        patterns += [
            path(
                f"{endpoint_id}/",
                require_safe(list_view),
                {"endpoint": endpoint},
                name=f"{endpoint_id}-list",
            ),
            path(
                f"{endpoint_id}/<int:pk>/",
                require_safe(detail_view),
                {"endpoint": endpoint},
                name=f"{endpoint_id}-detail",
            ),
        ]
    return patterns


app_name = "api"
urlpatterns = _patterns()
