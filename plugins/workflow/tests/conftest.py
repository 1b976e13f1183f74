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
