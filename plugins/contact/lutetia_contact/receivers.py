"""What Contact does when signals fire (connected by ``ready()``)."""

from django.conf import settings
from django.dispatch import receiver
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from lutetia.accounts.models import Workgroup
from lutetia.accounts.signals import citizen_pages
from lutetia.site.services import Service
from lutetia.site.signals import demo_requested, services_offered


@receiver(services_offered, dispatch_uid="contact-services")
def offer_services(sender, site, request=None, **kwargs):
    """List the contact form in the service directory and menus of the sites where it is on."""
    return [
        Service(
            id="contact:write",
            title=_("Contact the town hall"),
            url=reverse("contact:index"),
            description=_("Write to the town hall's departments; they answer you by e-mail."),
            category=_("Town hall"),
        )
    ]


@receiver(demo_requested, dispatch_uid="contact-demo")
def add_demo_data(sender, site, stdout=None, **kwargs):
    """Give the demo city two topics, once: a site that has topics already is left alone."""
    from wagtail.models import Page

    from .models import ContactSettings, ContactTopic

    contact_settings = ContactSettings.for_site(site)
    if contact_settings.personal_data_page is None:
        page = (
            Page.objects.descendant_of(site.root_page).filter(slug="donnees-personnelles").first()
        )
        if page is not None:
            contact_settings.personal_data_page = page
            contact_settings.save(update_fields=["personal_data_page"])
    if ContactTopic.objects.filter(settings=contact_settings).exists():
        return
    # The labels are data, in the site's language, like the rest of the demo city; each topic
    # goes to the demo workgroup that answers it (when the demo created them).
    with translation.override(settings.LANGUAGE_CODE):
        topics = [
            (gettext("Civil status"), "accueil"),
            (gettext("Roads and cleanliness"), "voirie"),
        ]
    labels = [label for label, _code in topics]
    for order, (label, code) in enumerate(topics):
        ContactTopic.objects.create(
            settings=contact_settings,
            label=label,
            sort_order=order,
            workgroup=Workgroup.objects.filter(code=code).first(),
        )
    if stdout is not None:
        stdout.write(f"contact: {len(labels)} topics ({', '.join(labels)})")


@receiver(citizen_pages, dispatch_uid="contact-citizen-pages")
def my_messages(sender, site, user, request=None, **kwargs):
    """The messages the citizen sent, from their account page."""
    return [{"label": _("My messages to the town hall"), "url": reverse("contact:mine")}]
