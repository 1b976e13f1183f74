"""What Appointments does when signals fire (connected by ``ready()``)."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from lutetia.accounts.signals import citizen_pages
from lutetia.site.current import new_generation
from lutetia.site.services import Service
from lutetia.site.signals import demo_requested, services_offered

from .models import Agenda, Category, Location
from .models import Service as AppointmentService


def configuration_changed(sender, **kwargs):
    """A service, an agenda, a location or a category changed: what the citizens' pages kept
    of them under the site's generation (views.py) is not read again, in any process. In the
    changing transaction: rolled back with it."""
    new_generation()


for _model in (AppointmentService, Agenda, Location, Category):
    post_save.connect(configuration_changed, sender=_model, dispatch_uid=f"appt-config-{_model}")
    post_delete.connect(configuration_changed, sender=_model, dispatch_uid=f"appt-del-{_model}")


@receiver(services_offered, dispatch_uid="appointments-services")
def offer_services(sender, site, request=None, **kwargs):
    """The list of services to book, and each online service, under its category, in the
    site's service directory."""
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
