"""Drafts: saved on demand, resumed by a one-use e-mail link, warned about and deleted when they
expire; the form's limits (closing date, number of responses, one per citizen, captcha)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone
from django.utils.translation import gettext
from lutetia_forms import services
from lutetia_forms.links import absolute_resume_url
from lutetia_forms.models import Form, Response
from test_filling import APPLICANT, start, step_url

from lutetia.testing.pytest_plugin import in_site_language


def resume_link(message) -> str:
    return re.search(r"https?://[^/\s]+(/\S+)", message.body).group(1)


def save_and_ask_for_a_link(client, form, django_capture_on_commit_callbacks):
    response = start(client, form)
    answer = client.post(step_url(response, "applicant"), {"name": "Camille", "_action": "save"})
    assert answer["Location"].endswith(f"/r/{response.uid}/saved/")
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(answer["Location"], {"email": "camille@example.org"})
    assert answer.status_code == 302
    return response, resume_link(mail.outbox[-1])


def test_an_anonymous_draft_is_resumed_on_another_device_once(
    client, form, django_capture_on_commit_callbacks
):
    _response, link = save_and_ask_for_a_link(client, form, django_capture_on_commit_callbacks)
    other_device = Client()
    answer = other_device.get(link)
    assert answer.status_code == 302 and answer["Location"].endswith("/step/applicant/")
    page = other_device.get(answer["Location"])
    assert page.status_code == 200 and 'value="Camille"' in page.content.decode()
    # The link worked once: someone who finds it afterwards gets a clear refusal.
    again = Client().get(link)
    assert again.status_code == 410
    assert (
        in_site_language("This link was already used or is no longer valid.")
        in again.content.decode()
    )


def test_a_signed_in_citizens_draft_needs_their_account_to_resume(
    client, form, citizen, other_citizen
):
    client.force_login(citizen)
    response = start(client, form)
    secret = "a-secret-for-the-test"
    Response.objects.filter(pk=response.pk).update(resume_hash=services.hash_secret(secret))
    stranger = Client()
    stranger.force_login(other_citizen)
    assert stranger.get(f"/services/forms/resume/{secret}/").status_code == 403
    assert stranger.get(step_url(response, "applicant")).status_code == 404
    mine = client.get("/services/forms/mine/")
    assert form.title in mine.content.decode()


def test_resume_links_are_not_sent_twice_in_a_row(client, form, django_capture_on_commit_callbacks):
    response, _link = save_and_ask_for_a_link(client, form, django_capture_on_commit_callbacks)
    answer = client.post(
        f"/services/forms/r/{response.uid}/saved/", {"email": "camille@example.org"}
    )
    assert answer.status_code == 429


def test_expiring_drafts_are_announced_then_deleted_with_their_files(
    form, default_site, django_capture_on_commit_callbacks
):
    access = services.start(form, site=default_site)
    Response.objects.filter(pk=access.response.pk).update(
        email="camille@example.org", expires_at=timezone.now() + timedelta(days=2)
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert services.warn_expiring_drafts(absolute_resume_url) == 1
        assert services.warn_expiring_drafts(absolute_resume_url) == 0  # once
    assert "/services/forms/resume/" in mail.outbox[-1].body
    assert services.purge_expired_drafts(timezone.now()) == 0
    assert services.purge_expired_drafts(timezone.now() + timedelta(days=3)) == 1
    assert not Response.objects.exists()


def test_a_form_closed_meanwhile_refuses_the_submission_and_keeps_the_draft(client, form):
    response = start(client, form)
    client.post(step_url(response, "applicant"), {**APPLICANT, "_action": "next"})
    client.post(
        step_url(response, "request"), {"kind": "market", "day": "2099-01-01", "_action": "next"}
    )
    client.post(step_url(response, "summary_note"), {"_action": "next"})
    Form.objects.filter(pk=form.pk).update(closes_at=timezone.now() - timedelta(minutes=1))
    answer = client.post(f"/services/forms/r/{response.uid}/summary/")
    assert answer.status_code == 409
    closed = in_site_language(lambda: gettext("This form closed on %(date)s."))
    assert closed.split("%(date)s")[0] in answer.content.decode()
    response.refresh_from_db()
    assert response.status == "draft" and response.reference == ""


def test_a_form_full_or_not_yet_open_cannot_be_started(client, form):
    Form.objects.filter(pk=form.pk).update(opens_at=timezone.now() + timedelta(days=1))
    assert client.post(f"/services/forms/{form.slug}/").status_code == 409
    assert not Response.objects.exists()


def submit_as(client, form):
    response = start(client, form)
    client.post(step_url(response, "applicant"), {**APPLICANT, "_action": "next"})
    client.post(
        step_url(response, "request"), {"kind": "market", "day": "2099-01-01", "_action": "next"}
    )
    client.post(step_url(response, "summary_note"), {"_action": "next"})
    return response, client.post(f"/services/forms/r/{response.uid}/summary/")


def test_one_response_per_citizen(client, form, citizen):
    Form.objects.filter(pk=form.pk).update(one_per_citizen=True)
    client.force_login(citizen)
    _first, answer = submit_as(client, form)
    assert answer.status_code == 302
    assert client.post(f"/services/forms/{form.slug}/").status_code == 409


def test_a_second_draft_of_the_same_citizen_is_refused_at_submission(client, form, citizen):
    """Two drafts started before either was sent: the database's constraint refuses the second."""
    Form.objects.filter(pk=form.pk).update(one_per_citizen=True)
    client.force_login(citizen)
    first = start(client, form)
    _second, _answer = submit_as(client, form)
    for key, data in (
        ("applicant", APPLICANT),
        ("request", {"kind": "market", "day": "2099-01-01"}),
        ("summary_note", {}),
    ):
        client.post(step_url(first, key), {**data, "_action": "next"})
    answer = client.post(f"/services/forms/r/{first.uid}/summary/")
    assert answer.status_code == 409
    assert Response.objects.filter(status="submitted").count() == 1


def test_anonymous_citizens_answer_the_anti_robot_question(client, form):
    Form.objects.filter(pk=form.pk).update(captcha=True)
    response, answer = submit_as(client, form)
    assert answer.status_code == 400
    page = answer.content.decode()
    token = re.search(r'name="captcha_token" value="([^"]+)"', page).group(1)
    from lutetia import captcha

    question = captcha.question_of(token)
    a, b = map(int, re.findall(r"\d+", question)[:2])
    wrong = client.post(
        f"/services/forms/r/{response.uid}/summary/",
        {"captcha_token": token, "captcha_answer": str(a + b + 1)},
    )
    assert wrong.status_code == 400
    right = client.post(
        f"/services/forms/r/{response.uid}/summary/",
        {"captcha_token": token, "captcha_answer": str(a + b)},
    )
    assert right.status_code == 302
    response.refresh_from_db()
    assert response.status == "submitted"


@pytest.mark.django_db
def test_a_solved_anti_robot_question_cannot_be_replayed():
    from lutetia import captcha

    _question, token = captcha.challenge()
    question = captcha.question_of(token)
    a, b = map(int, re.findall(r"\d+", question)[:2])
    assert captcha.check(token, str(a + b)) == ""
    assert captcha.check(token, str(a + b)) != ""


def test_my_account_links_to_my_demands_with_the_drafts_to_finish(client, form, citizen):
    client.force_login(citizen)
    start(client, form)
    page = client.get("/account/").content.decode()
    assert 'href="/services/forms/mine/"' in page
    assert in_site_language("My demands") in page
