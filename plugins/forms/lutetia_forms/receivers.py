"""What Forms does when signals fire (connected by ``ready()``)."""

from django.dispatch import receiver
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from lutetia.accounts.signals import citizen_pages
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


@receiver(citizen_pages, dispatch_uid="forms-citizen-pages")
def my_demands(sender, site, user, request=None, **kwargs):
    """ "My demands" on the citizen's account page, with how many drafts wait to be finished."""
    from .models import Response

    drafts = Response.objects.filter(site=site, owner=user, status=Response.Status.DRAFT).count()
    description = (
        ngettext("%(count)s draft to finish", "%(count)s drafts to finish", drafts)
        % {"count": drafts}
        if drafts
        else ""
    )
    return [{"label": _("My demands"), "url": reverse("forms:mine"), "description": description}]
