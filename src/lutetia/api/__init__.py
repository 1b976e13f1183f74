"""The REST API (``/api/v1/``): read access for agents and tools to the objects plugins expose.

A plugin exposes a model by registering an endpoint; the core does the rest (authentication,
rights, workgroup scoping, pagination, JSON)::

    from lutetia import api

    @api.endpoints.register("contact-messages")
    class Messages(api.ModelEndpoint):
        plugin = "contact"
        model = ContactMessage
        permission = "contact.view_contactmessage"
        fields = ["id", "reference", "subject", "status", "created_at"]

gives ``GET /api/v1/contact-messages/`` (paginated list) and ``GET
/api/v1/contact-messages/<id>/``. Every request is checked, in this order: signed in (else
401), holding ``permission`` (else 403), the plugin switched on for the site (else 404), the
object in one of the agent's workgroups (else 404, as if it did not exist: see
`lutetia.accounts.workgroups`).
"""

from .endpoints import ModelEndpoint, endpoints

__all__ = ["ModelEndpoint", "endpoints"]
