"""Fixtures of the processing tests, loaded with ``pytest_plugins = ["responses_fixtures"]``:
agents who may process responses (and one of another workgroup), a form with columns and
filters of every kind."""

from __future__ import annotations

import pytest
from responses_samples import processing_definition

from lutetia.testing.pytest_plugin import grant

PROCESS = "forms.process_response"


@pytest.fixture
def processing_form(db, default_site, workgroup):
    """A published, online form of ``workgroup`` with columns and filters of every kind."""
    from lutetia_forms import services
    from lutetia_forms.models import Form

    made = Form.objects.create(
        site=default_site,
        title="Street events",
        slug="street-events",
        workgroup=workgroup,
        enabled=True,
        reference_prefix="EVT",
        draft=processing_definition(),
    )
    services.publish(made)
    return made


@pytest.fixture
def processor(agent):
    """``agent`` (of ``workgroup``), with the right to process form responses."""
    return grant(agent, PROCESS)


@pytest.fixture
def other_processor(agent_other_workgroup):
    """An agent of another workgroup, with the same right."""
    return grant(agent_other_workgroup, PROCESS)
