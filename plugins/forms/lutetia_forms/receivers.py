"""What Forms does when signals fire (connected by ``ready()``)."""

from django.dispatch import receiver
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from lutetia.accounts.signals import citizen_pages
from lutetia.site.services import Service
from lutetia.site.signals import demo_requested, services_offered


@receiver(services_offered, dispatch_uid="forms-services")
def offer_services(sender, site, request=None, **kwargs):
    """The list of online procedures, and each online form, under its category, in the site's
    service directory."""
    from .models import Form

    online = (
        Form.objects.filter(site=site, enabled=True, versions__isnull=False)
        .distinct()
        .select_related("category")
    )
    services = [
        Service(
            id="forms:index",
            title=_("Online procedures"),
            url=reverse("forms:index"),
            description=_("Every procedure you can do online, and your drafts."),
        )
    ]
    services += [
        Service(
            id=f"forms:{form.uid}",
            title=form.title,
            url=reverse("forms:detail", args=[form.slug]),
            description=form.description[:300],
            category=form.category.name if form.category else "",
        )
        for form in online
    ]
    return services


@receiver(demo_requested, dispatch_uid="forms-demo")
def add_demo_forms(sender, site, stdout=None, **kwargs):
    from .demo import ensure_demo_forms

    ensure_demo_forms(site, stdout)


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
