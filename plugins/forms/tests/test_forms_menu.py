"""The back office's Forms menu shows each agent the entries their rights open."""

from lutetia.testing.pytest_plugin import grant


def test_a_processing_agent_sees_responses_not_the_builder(client, agent):
    client.force_login(grant(agent, "forms.process_response"))
    page = client.get("/admin/").content.decode()
    assert "/admin/forms/responses/" in page
    assert "/admin/forms_forms/" not in page and "/admin/forms_categories/" not in page


def test_an_administrator_sees_every_entry(client, site_admin):
    client.force_login(site_admin)
    page = client.get("/admin/").content.decode()
    for url in ("/admin/forms/responses/", "/admin/forms_forms/", "/admin/forms_categories/"):
        assert url in page
