"""The back office works under the strict Content-Security-Policy (no inline script)."""

import re

from django.contrib.auth import get_user_model
from wagtail.models import Site


def demo_administrator():
    return get_user_model().objects.filter(is_superuser=True).order_by("pk").first()


def test_an_administrator_adds_a_menu_item_and_opens_the_page_chooser(page, sign_in_as):
    site = Site.objects.get(is_default_site=True)
    sign_in_as(demo_administrator())

    page.goto(f"/admin/settings/lutetia_site/navigation/{site.pk}/")
    items = page.locator("#id_menu_items-FORMS > [data-inline-panel-child]:not(.deleted)")
    before = items.count()
    page.locator("#id_menu_items-ADD").click()
    assert items.count() == before + 1  # InlinePanel was built from its data block

    # The new item's page chooser was built from its data block, after it was added.
    new_item = items.nth(before)
    new_item.get_by_role("button", name=re.compile("Choisissez une page")).click()
    modal = page.locator(".modal:visible")
    modal.wait_for(state="visible")
    # The chooser's content came from the server, and its search box is live.
    modal.get_by_label("Terme de recherche").fill("Démarches")
    modal.locator("a.choose-page, [data-chooser-modal-choice]").first.wait_for(state="visible")
    assert page.csp_violations == []


def test_the_page_editor_loads_without_policy_violations(page, sign_in_as):
    site = Site.objects.get(is_default_site=True)
    sign_in_as(demo_administrator())

    page.goto(f"/admin/pages/{site.root_page_id}/edit/")
    page.get_by_role("textbox", name=re.compile("Titre")).first.wait_for()
    page.wait_for_load_state("networkidle")
    assert page.csp_violations == []
