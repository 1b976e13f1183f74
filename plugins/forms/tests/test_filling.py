"""A citizen fills a multi-step form: steps in order, conditions, drafts, files, submission."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from django.core import mail
from lutetia_forms.models import Response, Upload
from PIL import Image

from lutetia.testing.pytest_plugin import in_site_language

TOMORROW = (date.today() + timedelta(days=1)).isoformat()


def png(name="plan.png", size=(40, 30)):
    out = io.BytesIO()
    Image.new("RGB", size, "white").save(out, "PNG")
    out.name = name
    out.seek(0)
    return out


def start(client, form):
    answer = client.post(f"/services/forms/{form.slug}/")
    assert answer.status_code == 302, answer.content[:500]
    response = Response.objects.latest("pk")
    assert answer["Location"].endswith(f"/r/{response.uid}/step/applicant/")
    return response


def step_url(response, key):
    return f"/services/forms/r/{response.uid}/step/{key}/"


APPLICANT = {"name": "Camille Martin", "email": "camille@example.org", "age": "34", "company": "no"}


def test_a_citizen_fills_the_form_and_gets_a_reference_a_receipt_and_an_email(
    client, form, django_capture_on_commit_callbacks
):
    response = start(client, form)
    answer = client.post(step_url(response, "applicant"), {**APPLICANT, "_action": "next"})
    assert answer.status_code == 302 and answer["Location"].endswith("/step/request/")
    answer = client.post(
        step_url(response, "request"),
        {"kind": "market", "day": TOMORROW, "stalls": "4", "_action": "next"},
    )
    # a market skips the "Sound" step
    assert answer["Location"].endswith("/step/summary_note/")
    answer = client.post(step_url(response, "summary_note"), {"remarks": "", "_action": "next"})
    assert answer["Location"].endswith("/summary/")
    page = client.get(f"/services/forms/r/{response.uid}/summary/")
    assert "Camille Martin" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(f"/services/forms/r/{response.uid}/summary/")
    assert answer.status_code == 302, answer.content.decode()[:2000]
    response.refresh_from_db()
    assert response.status == "submitted"
    assert response.reference.startswith("EVT-")
    assert response.answers["stalls"] == 4
    assert "siret" not in response.answers
    assert mail.outbox and mail.outbox[-1].to == ["camille@example.org"]
    assert mail.outbox[-1].attachments[0][0] == f"{response.reference}.pdf"
    receipt = client.get(f"/services/forms/r/{response.uid}/receipt/")
    assert receipt.status_code == 200 and receipt.content.startswith(b"%PDF")


def test_an_answer_reveals_a_question_on_the_same_step_without_javascript(client, form):
    response = start(client, form)
    answer = client.post(
        step_url(response, "applicant"),
        {
            **APPLICANT,
            "company": "yes",
            "_action": "next",
            "_shown": ["name", "email", "age", "company"],
        },
    )
    assert answer.status_code == 200
    assert 'name="siret"' in answer.content.decode()
    answer = client.post(
        step_url(response, "applicant"),
        {
            **APPLICANT,
            "company": "yes",
            "siret": "123",
            "_action": "next",
            "_shown": ["name", "email", "age", "company", "siret"],
        },
    )
    assert answer.status_code == 400
    assert (
        in_site_language("Enter the 14 digits of the SIRET number, without spaces.")
        in answer.content.decode()
    )
    response.refresh_from_db()
    assert response.answers == {}


def test_a_step_further_on_cannot_be_reached_by_its_address(client, form):
    response = start(client, form)
    answer = client.post(step_url(response, "summary_note"), {"remarks": "hi", "_action": "next"})
    assert answer.status_code == 302 and answer["Location"].endswith("/step/applicant/")
    assert client.get(f"/services/forms/r/{response.uid}/summary/")["Location"].endswith(
        "/step/applicant/"
    )
    response.refresh_from_db()
    assert response.answers == {}


def test_a_missing_mandatory_answer_is_refused_and_nothing_is_kept(client, form):
    response = start(client, form)
    data = {**APPLICANT, "_action": "next"}
    del data["age"]
    answer = client.post(step_url(response, "applicant"), data)
    assert answer.status_code == 400
    response.refresh_from_db()
    assert response.answers == {} and response.visited == []


def test_a_value_out_of_range_is_refused(client, form):
    response = start(client, form)
    answer = client.post(
        step_url(response, "applicant"), {**APPLICANT, "age": "7", "_action": "next"}
    )
    assert answer.status_code == 400
    response.refresh_from_db()
    assert response.answers == {}


def test_another_browser_cannot_open_a_draft(client, form):
    from django.test import Client

    response = start(client, form)
    assert Client().get(step_url(response, "applicant")).status_code == 404


def test_files_are_checked_kept_privately_and_served_to_their_citizen_only(
    client, form, django_capture_on_commit_callbacks
):
    from django.test import Client

    response = start(client, form)
    client.post(step_url(response, "applicant"), {**APPLICANT, "_action": "next"})
    client.post(
        step_url(response, "request"), {"kind": "concert", "day": TOMORROW, "_action": "next"}
    )
    liar = io.BytesIO(b"<html><script>alert(1)</script></html>")
    liar.name = "plan.png"
    answer = client.post(
        step_url(response, "sound"), {"decibels": "90", "plan": liar, "_action": "next"}
    )
    assert answer.status_code == 400
    assert not Upload.objects.exists()
    answer = client.post(
        step_url(response, "sound"), {"decibels": "90", "plan": png(), "_action": "next"}
    )
    assert answer.status_code == 302, answer.content.decode()[:3000]
    upload = Upload.objects.get()
    response.refresh_from_db()
    assert response.answers["plan"] == [upload.as_answer()]
    download = f"/services/forms/r/{response.uid}/files/{upload.uid}/"
    assert Client().get(download).status_code == 404
    client.post(step_url(response, "summary_note"), {"_action": "next"})
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(f"/services/forms/r/{response.uid}/summary/").status_code == 302
    served = client.get(download)
    assert served.status_code == 200
    assert served["X-Content-Type-Options"] == "nosniff"
    assert b"".join(served.streaming_content).startswith(b"\x89PNG")


@pytest.mark.parametrize("action", ["save", "back"])
def test_saving_or_going_back_keeps_valid_answers_without_errors(client, form, action):
    response = start(client, form)
    client.post(step_url(response, "applicant"), {**APPLICANT, "_action": "next"})
    answer = client.post(
        step_url(response, "request"), {"kind": "market", "stalls": "999", "_action": action}
    )
    assert answer.status_code == 302
    response.refresh_from_db()
    assert response.answers["kind"] == "market"
    assert "stalls" not in response.answers  # out of range: not kept, not an error either


def test_an_oversized_file_is_refused_with_its_limit(client, form):
    response = start(client, form)
    client.post(step_url(response, "applicant"), {**APPLICANT, "_action": "next"})
    client.post(
        step_url(response, "request"), {"kind": "concert", "day": TOMORROW, "_action": "next"}
    )
    big = png(size=(2000, 2000))
    padded = io.BytesIO(big.read() + b"\0" * (1024 * 1024))
    padded.name = "plan.png"
    answer = client.post(
        step_url(response, "sound"), {"decibels": "90", "plan": padded, "_action": "next"}
    )
    assert answer.status_code == 400
    assert not Upload.objects.exists()
    response.refresh_from_db()
    assert "decibels" not in response.answers


def test_the_live_refresh_shows_a_revealed_question_and_saves_nothing(client, form):
    response = start(client, form)
    answer = client.post(
        f"/services/forms/r/{response.uid}/step/applicant/refresh/",
        {**APPLICANT, "company": "yes"},
        headers={"HX-Request": "true"},
    )
    assert answer.status_code == 200
    fragment = answer.content.decode()
    assert 'name="siret"' in fragment and "<html" not in fragment
    assert 'value="Camille Martin"' in fragment
    response.refresh_from_db()
    assert response.answers == {}
    # A step the citizen may not open yet is not drawn either.
    refused = client.post(f"/services/forms/r/{response.uid}/step/sound/refresh/", {})
    assert refused.status_code == 404
