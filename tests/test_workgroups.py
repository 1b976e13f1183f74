"""Site administrators manage workgroups in the back office (Settings → Workgroups)."""

import pytest
from django.urls import reverse

from lutetia.accounts import workgroups
from lutetia.accounts.models import Workgroup
from lutetia.testing.pytest_plugin import grant

pytestmark = pytest.mark.django_db


def test_a_site_admin_creates_a_workgroup_and_chooses_its_agents(
    client, site_admin, agent, citizen
):
    client.force_login(site_admin)
    form = client.get(reverse("workgroups:add")).content.decode()
    assert agent.email in form or agent.get_full_name() in form
    assert citizen.get_full_name() not in form  # members are agents only

    response = client.post(
        reverse("workgroups:add"),
        {
            "name": "Direction des familles",
            "code": "familles",
            "description": "Crèches, écoles, centres de loisirs",
            "members": [agent.pk],
        },
    )

    assert response.status_code == 302
    created = Workgroup.objects.get(code="familles")
    assert list(created.members.all()) == [agent]
    listing = client.get(reverse("workgroups:index")).content.decode()
    assert "Direction des familles" in listing


def test_two_workgroups_cannot_share_a_code(client, site_admin, workgroup):
    client.force_login(site_admin)

    response = client.post(reverse("workgroups:add"), {"name": "Autre nom", "code": workgroup.code})

    assert response.status_code == 200  # the form again, with the error
    assert Workgroup.objects.filter(code=workgroup.code).count() == 1


def test_an_agent_without_the_right_cannot_manage_workgroups(client, agent, workgroup):
    client.force_login(agent)

    listing = client.get(reverse("workgroups:index"))
    edit = client.post(
        reverse("workgroups:edit", args=[workgroup.pk]), {"name": "Renamed", "code": "x"}
    )

    assert listing.status_code in (302, 403)
    assert edit.status_code in (302, 403)
    workgroup.refresh_from_db()
    assert workgroup.name == "Town hall, 11th district"


def test_who_sees_what(agent, agent_other_workgroup, site_admin, citizen, workgroup):
    assert workgroups.workgroup_ids(agent) == {workgroup.pk}
    assert not workgroups.sees_all(agent)
    assert workgroups.sees_all(site_admin)
    assert workgroups.sees_all(grant(agent_other_workgroup, "lutetia_accounts.see_all_workgroups"))
    assert workgroups.workgroup_ids(citizen) == frozenset()
    assert list(workgroups.assignable(agent)) == [workgroup]


def test_an_inactive_agent_sees_nothing(agent, workgroup):
    agent.is_active = False
    agent.save()

    assert workgroups.workgroup_ids(agent) == frozenset()
    assert workgroups.visibility(agent) is not None
