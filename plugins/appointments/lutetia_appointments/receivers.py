"""What Appointments does when signals fire (connected by ``ready()``)."""

from django.dispatch import receiver
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from lutetia.accounts.signals import citizen_pages
from lutetia.site.services import Service
from lutetia.site.signals import demo_requested, services_offered


@receiver(services_offered, dispatch_uid="appointments-services")
def offer_services(sender, site, request=None, **kwargs):
    """The list of services to book, and each online service, under its category, in the
    site's service directory."""
    from .models import Service as AppointmentService

    online = AppointmentService.objects.filter(site=site, enabled=True).select_related("category")
    services = [
        Service(
            id="appointments:index",
            title=_("Book an appointment"),
            url=reverse("appointments:index"),
            description=_("Every service you can book an appointment for online."),
        )
    ]
    services += [
        Service(
            id=f"appointments:{service.uid}",
            title=service.title,
            url=reverse("appointments:service", args=[service.slug]),
            description=service.description[:300],
            category=service.category.name if service.category else "",
        )
        for service in online
    ]
    return services


@receiver(demo_requested, dispatch_uid="appointments-demo")
def add_demo_appointments(sender, site, stdout=None, **kwargs):
    from .demo import ensure_demo_appointments

    ensure_demo_appointments(site, stdout)


@receiver(citizen_pages, dispatch_uid="appointments-citizen-pages")
def my_appointments(sender, site, user, request=None, **kwargs):
    """ "My appointments" on the citizen's account page, with how many are coming."""
    from .models import Appointment

    coming = Appointment.objects.filter(
        site=site, owner=user, status=Appointment.Status.BOOKED, ends_at__gt=timezone.now()
    ).count()
    description = (
        ngettext("%(count)s appointment to come", "%(count)s appointments to come", coming)
        % {"count": coming}
        if coming
        else ""
    )
    return [
        {
            "label": _("My appointments"),
            "url": reverse("appointments:mine"),
            "description": description,
        }
    ]
