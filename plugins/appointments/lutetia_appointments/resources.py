"""Appointments are resources: a workflow may process them, citizens follow them."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from lutetia.resources import FieldInfo, ResourceType, resource_types

from .models import Appointment, Service

TYPE = "appointments.appointment"


def service_scope(service_id: int) -> str:
    """The workflow scope of a service's appointments."""
    return f"service:{service_id}"


@resource_types.register(TYPE)
class AppointmentResource(ResourceType):
    model = Appointment
    verbose_name = _("appointment")

    def title(self, obj):
        return obj.service.title

    def language(self, obj):
        return obj.language or super().language(obj)

    def admin_url(self, obj):
        return reverse("appointments_admin:appointment", args=[obj.pk])

    def front_url(self, obj):
        return reverse("appointments:mine") if obj.owner_id else ""

    def fields(self, obj=None):
        return [
            FieldInfo("people", _("people"), kind="number"),
            FieldInfo(
                "presence",
                _("presence"),
                kind="choice",
                choices=tuple(Appointment.Presence.choices),
            ),
            FieldInfo("overbooked", _("overbooked"), kind="boolean"),
        ]

    def workflow_scope(self, obj):
        return service_scope(obj.service_id)

    def workflow_scopes(self):
        scopes = [("", str(_("every appointment service")))]
        scopes += [(service_scope(s.pk), s.title) for s in Service.objects.order_by("title")]
        return scopes

    def status_changed(self, obj, *, state, label, final, assignee=None):
        Appointment.objects.filter(pk=obj.pk).update(
            state=state, state_label=label, assignee=assignee
        )
        obj.state, obj.state_label, obj.assignee = state, label, assignee

    def anonymise(self, obj):
        Appointment.objects.filter(pk=obj.pk).update(
            first_name="", last_name="", email="", phone="", answers={}, owner=None, search_text=""
        )
