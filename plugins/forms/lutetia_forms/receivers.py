"""What Forms does when signals fire (connected by ``ready()``)."""

from django.dispatch import receiver
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from lutetia.site.services import Service
from lutetia.site.signals import services_offered


@receiver(services_offered, dispatch_uid="forms-services")
def offer_services(sender, site, request=None, **kwargs):
    """List the plugin's front page in the service directory of the sites where it is on."""
    return [
        Service(
            id="forms:index",
            title=_("Forms"),
            url=reverse("forms:index"),
            description=_("An online service of the Forms plugin."),
        )
    ]
