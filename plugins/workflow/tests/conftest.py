"""Fixtures of Workflow's tests: a designed workflow processing contact messages (the contact
plugin registers them as resources), agents with the right to process, and a helper to send a
message the way a citizen does."""

import pytest
from django.utils import translation
from workflow_samples import message_workflow

from lutetia.testing.pytest_plugin import grant


@pytest.fixture(autouse=True)
def _english():
    """Messages raised to the code are read in English here; pages come in the site's language
    (see ``lutetia.testing.pytest_plugin.in_site_language``)."""
    with translation.override("en"):
        yield


@pytest.fixture
def default_site(db):
    """The default site; made again when an earlier transactional test flushed the database
    (Wagtail's migrations create it, and a flush takes it away)."""
    from django.conf import settings
    from wagtail.models import Locale, Page, Site

    site = Site.objects.filter(is_default_site=True).first()
    if site is not None:
        return site
    locale, _created = Locale.objects.get_or_create(language_code=settings.LANGUAGE_CODE)
    root = Page.get_first_root_node() or Page.add_root(
        instance=Page(title="Root", slug="root", locale=locale)
    )
    home = root.add_child(instance=Page(title="Beaumont", slug="beaumont", locale=locale))
    return Site.objects.create(
        hostname="localhost", port=80, root_page=home, is_default_site=True, site_name="Beaumont"
    )


@pytest.fixture
def definition():
    """A fresh copy of the message workflow's draft (with its two mistakes), to change in a test."""
    return message_workflow()


@pytest.fixture
def sound_definition():
    """A fresh copy of the message workflow that can be published, to change in a test."""
    return message_workflow(sound=True)


@pytest.fixture
def workflow(db, site_admin):
    from lutetia_workflow import services
    from lutetia_workflow.models import Workflow

    flow = Workflow.objects.create(
        name="Messages to the town hall", draft=message_workflow(sound=True)
    )
    services.publish(flow, site_admin)
    services.bind("contact.message", "", flow, site_admin)
    return flow


@pytest.fixture
def processing_agent(agent):
    """The ``agent`` persona, with the right to process resources through workflows."""
    return grant(agent, "workflow.process_case")


@pytest.fixture
def other_processing_agent(agent_other_workgroup):
    return grant(agent_other_workgroup, "workflow.process_case")


@pytest.fixture
def send_message(default_site, workgroup):
    """Send a contact message as a citizen would (the topic belongs to ``workgroup``)."""
    from lutetia_contact import services as contact
    from lutetia_contact.models import ContactSettings, ContactTopic

    settings = ContactSettings.for_site(default_site)
    topic = ContactTopic.objects.create(settings=settings, label="Roads", workgroup=workgroup)

    def send(owner=None, email="camille@example.org", text="A pothole in rue Oberkampf."):
        return contact.send(
            default_site,
            contact.Submission(name="Camille", email=email, topic=topic, message=text),
            owner=owner,
        )

    return send
