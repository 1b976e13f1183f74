from django.dispatch import receiver
from django.urls import reverse

from lutetia.site.services import Service
from lutetia.site.signals import services_offered

#: What the receivers saw, in order: the tests read it.
calls: list[str] = []


@receiver(services_offered, dispatch_uid="dummy-services")
def offer_services(sender, site, request=None, **kwargs):
    calls.append("dummy.services")
    return [
        Service(
            id="dummy:hello",
            title="Dummy service",
            url=reverse("dummy:hello"),
            description="A service of the test-only plugin.",
            category="Tests",
        )
    ]


def record(sender, site=None, **kwargs):
    """Not connected here: the framework tests connect it to their own site signal."""
    calls.append("dummy.record")
    return "dummy"
