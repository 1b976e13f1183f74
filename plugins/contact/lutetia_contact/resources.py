"""Contact messages are resources: a workflow can process them and citizens follow them."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from lutetia.resources import FieldInfo, ResourceType, resource_types

from .models import ContactMessage


@resource_types.register("contact.message")
class ContactMessageResource(ResourceType):
    model = ContactMessage
    verbose_name = _("contact message")

    def title(self, obj):
        return obj.subject

    def contact_email(self, obj):
        return obj.email

    def front_url(self, obj):
        return reverse("contact:detail", args=[obj.pk]) if obj.owner_id else ""

    def admin_url(self, obj):
        return reverse("contact_messages:inspect", args=[obj.pk])

    def fields(self, obj=None):
        return [
            FieldInfo("subject", _("subject")),
            FieldInfo("name", _("name")),
            FieldInfo("email", _("e-mail address")),
            FieldInfo(
                "status",
                _("status"),
                kind="choice",
                choices=tuple(ContactMessage.Status.choices),
                writable=True,
            ),
        ]

    def anonymise(self, obj):
        obj.name = ""
        obj.email = "anonymous@invalid"
        obj.message = ""
        obj.owner = None
        obj.save(update_fields=["name", "email", "message", "owner"])
