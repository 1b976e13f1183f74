"""Fixtures of Forms' tests: a published event-permit form and a citizen's way through it."""

import copy

import pytest
from django.core.cache import cache
from django.utils import translation
from forms_samples import PERMIT_WORKFLOW, permit

from lutetia.plugins import get_plugin


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache (plugins' state, rate limits, captcha answers)."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _english():
    """Messages raised to the code are read in English here; pages come in the site's language
    (see ``lutetia.testing.pytest_plugin.in_site_language``)."""
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _private_files(settings, tmp_path):
    """Uploads go to a folder of the test's own."""
    storages = dict(settings.STORAGES)
    storages["private"] = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(tmp_path / "private"), "base_url": None},
    }
    settings.STORAGES = storages


@pytest.fixture
def plugin():
    config = get_plugin("forms")
    assert config is not None, "the plugin is not installed: pip install -e plugins/forms"
    return config


@pytest.fixture
def form(db, default_site, workgroup):
    """The event-permit form, published and online."""
    from lutetia_forms import services
    from lutetia_forms.models import Form

    made = Form.objects.create(
        site=default_site,
        title="Event permit",
        slug="event-permit",
        workgroup=workgroup,
        enabled=True,
        reference_prefix="EVT",
        draft=permit(),
    )
    services.publish(made)
    return made


@pytest.fixture
def permit_workflow(form, site_admin):
    from lutetia_workflow import services as workflow_services
    from lutetia_workflow.models import Workflow

    flow = Workflow.objects.create(name="Event permits", draft=copy.deepcopy(PERMIT_WORKFLOW))
    workflow_services.publish(flow, site_admin)
    workflow_services.bind("forms.response", f"form:{form.pk}", flow, site_admin)
    return flow
