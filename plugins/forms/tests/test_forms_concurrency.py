"""Submissions at the same moment on PostgreSQL, each on its own connection: the form's limits
(number of responses, one per citizen) and its reference numbers hold."""

from __future__ import annotations

import threading

import pytest
from django.db import connections
from forms_samples import permit
from lutetia_forms import runtime, services
from lutetia_forms.models import Form, Response

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ANSWERS = {
    "name": "Camille",
    "email": "camille@example.org",
    "age": 34,
    "company": False,
    "kind": "market",
    "day": "2099-01-01",
}


def completed_draft(form, site, user=None) -> Response:
    access = services.start(form, site=site, user=user)
    definition = services.definition_of(access.response.version)
    Response.objects.filter(pk=access.response.pk).update(
        answers=ANSWERS, visited=runtime.path(definition, ANSWERS)
    )
    return Response.objects.get(pk=access.response.pk)


def submit_together(drafts, users):
    barrier = threading.Barrier(len(drafts))
    outcomes = [None] * len(drafts)

    def run(index):
        try:
            barrier.wait()
            outcomes[index] = ("done", services.submit(drafts[index], user=users[index]).reference)
        except services.Refused as refused:
            outcomes[index] = (refused.code, refused.message)
        except Exception as exc:  # reported by the assertions
            outcomes[index] = ("crash", repr(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(drafts))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def test_eight_citizens_at_once_on_a_form_that_takes_three(default_site):
    form = Form.objects.create(
        site=default_site,
        title="Stalls",
        slug="stalls",
        enabled=True,
        max_responses=3,
        reference_prefix="STA",
        draft=permit(),
    )
    services.publish(form)
    drafts = [completed_draft(form, default_site) for _ in range(8)]
    outcomes = submit_together(drafts, [None] * 8)
    kinds = sorted(kind for kind, _detail in outcomes)
    assert kinds == ["done"] * 3 + ["unavailable"] * 5, outcomes
    references = sorted(detail for kind, detail in outcomes if kind == "done")
    year = references[0].split("-")[1]
    assert references == [f"STA-{year}-00000{n}" for n in (1, 2, 3)]
    assert Response.objects.filter(status="submitted").count() == 3


def test_one_citizen_submitting_four_drafts_at_once_gets_one(default_site, django_user_model):
    form = Form.objects.create(
        site=default_site,
        title="Vote",
        slug="vote",
        enabled=True,
        one_per_citizen=True,
        reference_prefix="VOT",
        draft=permit(),
    )
    services.publish(form)
    citizen = django_user_model.objects.create_user(email="camille@example.org", password="x" * 20)
    drafts = [completed_draft(form, default_site, citizen) for _ in range(4)]
    outcomes = submit_together(drafts, [citizen] * 4)
    kinds = sorted(kind for kind, _detail in outcomes)
    assert kinds.count("done") == 1, outcomes
    assert set(kinds) <= {"done", "unavailable", "one_per_citizen"}, outcomes
    assert Response.objects.filter(status="submitted").count() == 1
