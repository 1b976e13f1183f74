"""Contact's messages in the REST API: ``/api/v1/contact-messages/`` (read-only, scoped)."""

from lutetia import api

from .models import ContactMessage


@api.endpoints.register("contact-messages")
class ContactMessages(api.ModelEndpoint):
    plugin = "contact"
    model = ContactMessage
    permission = "contact.view_contactmessage"
    fields = [
        "id",
        "reference",
        "created_at",
        "subject",
        "workgroup",
        "name",
        "email",
        "message",
        "status",
        "answered_at",
    ]
