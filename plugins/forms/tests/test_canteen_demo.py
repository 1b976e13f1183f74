"""The demo city's canteen form, filled from end to end: two children, a medical diet (which
adds the care-plan step and its file), the workflow of online procedures started."""

from __future__ import annotations

from datetime import date

import pytest
from django.utils import translation
from lutetia_forms.demo import ensure_demo_forms
from lutetia_forms.models import Response
from test_filling import png


@pytest.fixture
def canteen(default_site):
    from lutetia_workflow.demo import ensure_demand_workflow

    with translation.override("fr"):
        form = ensure_demo_forms(default_site)
    ensure_demand_workflow(default_site)
    return form


def test_the_canteen_form_of_the_demo(client, canteen, citizen):
    from lutetia_workflow import engine

    client.force_login(citizen)
    assert client.post("/services/forms/canteen/").status_code == 302
    response = Response.objects.get()
    base = f"/services/forms/r/{response.uid}/step"
    family = {
        "parent_name": "Camille Citoyenne",
        "phone": "01 23 45 67 89",
        "address_street": "3 rue des Lilas",
        "address_postcode": "75004",
        "address_town": "Beaumont",
        "quotient": "yes",
        "quotient_value": "800",
        "_action": "next",
    }
    answer = client.post(f"{base}/family/", family)
    assert answer.status_code == 302, answer.content.decode()[-3000:]
    birth = date(date.today().year - 7, 5, 1).isoformat()
    two_children = {
        "children__count": "1",
        "children__0__first_name": "Léa",
        "children__0__birth_date": birth,
        "children__0__school": "curie",
        "days": ["mon", "thu"],
        "diet": "medical",
    }
    page = client.post(f"{base}/children/", {**two_children, "_action": "add:children"})
    assert page.status_code == 200 and 'name="children__1__first_name"' in page.content.decode()
    two_children.update(
        {
            "children__count": "2",
            "children__1__first_name": "Noé",
            "children__1__birth_date": birth,
            "children__1__school": "jaures",
        }
    )
    answer = client.post(f"{base}/children/", {**two_children, "_action": "next"})
    assert answer["Location"].endswith("/step/documents/")
    answer = client.post(f"{base}/documents/", {"care_plan": png("pai.png"), "_action": "next"})
    assert answer["Location"].endswith("/step/consent/"), answer.content.decode()[-3000:]
    answer = client.post(f"{base}/consent/", {"photos": "no", "_action": "next"})
    assert answer["Location"].endswith("/summary/")
    summary = client.get(f"/services/forms/r/{response.uid}/summary/").content.decode()
    assert "Noé" in summary and "pai.png" in summary
    answer = client.post(f"/services/forms/r/{response.uid}/summary/", {"accept": "on"})
    assert answer.status_code == 302, answer.content.decode()[-3000:]
    response.refresh_from_db()
    assert response.reference.startswith("CAN-")
    assert [child["first_name"] for child in response.answers["children"]] == ["Léa", "Noé"]
    assert response.answers["quotient_value"] == 800
    assert engine.case_for(response).state == "received"
    assert response.state == "received"
