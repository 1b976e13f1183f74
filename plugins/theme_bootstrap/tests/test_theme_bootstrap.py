"""The Bootstrap theme: every component in Bootstrap's markup with the contract's outcome, and
a site's own colours, refused when text on them would be unreadable."""

from __future__ import annotations

import re

import pytest
from django.contrib.staticfiles import finders
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.utils import translation
from lutetia_theme_bootstrap.colours import contrast, shade
from lutetia_theme_bootstrap.models import BootstrapIdentity

from lutetia.testing.themes import EveryField, WithAddress, render, wearing
from lutetia.ui.components import COMPONENTS
from lutetia.ui.themes import themes


@pytest.fixture(autouse=True)
def bootstrap():
    with wearing("bootstrap") as theme:
        yield theme


@pytest.mark.parametrize("name", sorted(n for n, c in COMPONENTS.items() if c.example))
def test_every_component_example_renders_in_bootstrap_markup(name):
    html = render(name, **COMPONENTS[name].example)

    assert html.strip()
    assert re.search(r'class="[^"]*\b(btn|nav|card|alert|badge|breadcrumb|table|form-|accordion|'
                     r'list-|lutetia-|modal|container|visually-hidden|mb-)', html), html  # fmt: skip
    assert "style=" not in html and "<script" not in html  # the CSP allows neither


def test_the_breadcrumb_ends_on_the_current_page_without_a_link():
    html = render("breadcrumb", links=[{"label": "Accueil", "url": "/"}], current="Démarches")

    assert '<a href="/">Accueil</a>' in html
    assert '<li class="breadcrumb-item active" aria-current="page">Démarches</li>' in html


@pytest.mark.parametrize(("level", "role", "css"), [("error", "alert", "alert-danger"),
                                                     ("warning", "alert", "alert-warning"),
                                                     ("success", "status", "alert-success")])  # fmt: skip
def test_an_alert_says_its_kind_to_screen_readers(level, role, css):
    html = render("alert", level=level, title="Titre", message="Texte")

    assert f'role="{role}"' in html and css in html and "Titre" in html


def test_a_table_has_its_caption_column_headers_and_sort_state():
    html = render(
        "table",
        caption="Demandes",
        columns=[
            {"label": "Date", "sort_url": "?o=date", "sorted": "descending"},
            {"label": "Objet"},
        ],
        rows=[],
    )

    assert '<caption class="caption-top fw-semibold text-body">Demandes</caption>' in html
    assert '<th scope="col" aria-sort="descending"><a href="?o=date">Date</a></th>' in html
    assert "Rien à afficher." in html or "Nothing to show." in html  # the empty list says so


def test_pagination_names_each_page_and_marks_the_current_one():
    page = Paginator(list(range(100)), 10).get_page(5)
    with translation.override("fr"):
        html = render("pagination", page=page, query="q=voirie")

    assert 'href="?q=voirie&amp;page=4" rel="prev">Précédent</a>' in html
    assert 'aria-label="Page 5" aria-current="page">5</a>' in html
    assert 'href="?q=voirie&amp;page=10" aria-label="Page 10"' in html
    assert "…" in html  # the pages far from the current one are elided


def test_the_stepper_says_where_the_citizen_is():
    with translation.override("fr"):
        html = render(
            "stepper", steps=["Identité", "Demande", "Pièces", "Récapitulatif"], current=2
        )

    assert "Étape 2 sur 4" in html and "Demande</h2>" in html
    assert 'aria-current="step">2. Demande</li>' in html
    assert "Étape suivante\u00a0:</span> Pièces" in html


def test_every_field_type_has_its_label_hint_and_error_tied_to_the_input():
    form = EveryField(data={"email": "pas-une-adresse", "people": "0"})
    form.is_valid()

    html = render("form", form=form, submit_label="Envoyer", csrf_token="tok")

    assert 'enctype="multipart/form-data"' in html  # a file field
    assert 'class="alert alert-danger lutetia-error-summary" role="alert" tabindex="-1"' in html
    for field in form:
        if field.widget_type in ("radioselect", "checkboxselectmultiple"):
            assert re.search(rf"<fieldset[^>]*>\s*<legend[^>]*>{field.label}</legend>", html)
            assert f'for="{field.auto_id}_0"' in html
        else:
            assert f'for="{field.auto_id}"' in html, field.name
    name = re.search(r'<input\b[^>]*name="name"[^>]*>', html).group(0)
    assert 'aria-describedby="id_name-hint id_name-error"' in name
    assert 'aria-invalid="true"' in name and "is-invalid" in name
    assert '<div class="form-text mt-0 mb-1" id="id_name-hint">Comme sur vos papiers.</div>' in html
    assert 'type="tel"' in html and 'type="date"' in html and 'type="time"' in html
    assert 'class="form-select' in html and 'type="file"' in html
    assert re.search(r'<a class="alert-link" href="#id_answer_0">', html)  # radios: the first


def test_the_layout_s_static_files_are_shipped():
    for path in (*themes["bootstrap"].stylesheets, *themes["bootstrap"].scripts):
        assert finders.find(path), path
    assert finders.find("theme_bootstrap/theme.css") and finders.find("theme_bootstrap/theme.js")
    assert finders.find("theme_bootstrap/vendor/bootstrap/LICENSE")


def test_contrast_follows_wcag():
    assert round(contrast("#000000", "#ffffff"), 1) == 21.0
    assert round(contrast("#777777", "#ffffff"), 2) == 4.48
    assert shade("#ffffff", 0.5) == "#808080"


def stylesheet_of(response) -> str:
    """The address of the site's colours that a page links."""
    pattern = r'href="(/services/theme-bootstrap/identity\.css\?v=\w+)"'
    return re.search(pattern, response.content.decode()).group(1)


@pytest.mark.django_db
def test_a_site_s_colours_reach_its_pages_without_a_restart(client, default_site):
    css_url = stylesheet_of(client.get("/account/login/"))
    identity = BootstrapIdentity.for_site(default_site)
    identity.primary_colour = "#7a1f3d"
    identity.full_clean()
    identity.save()

    new_url = stylesheet_of(client.get("/account/login/"))
    css = client.get(new_url)

    assert new_url != css_url  # browsers keeping the old file a year fetch the new one
    assert css["Content-Type"].startswith("text/css")
    assert "immutable" in css["Cache-Control"]
    assert "--bs-primary: #7a1f3d;" in css.content.decode()
    assert "--bs-btn-hover-bg: #681a34;" in css.content.decode()  # 15 % darker


@pytest.mark.django_db
def test_a_colour_too_light_for_white_text_is_refused_with_the_reason(default_site):
    identity = BootstrapIdentity.for_site(default_site)
    identity.primary_colour = "#8fb3ff"

    with translation.override("fr"):
        with pytest.raises(ValidationError) as refused:
            identity.full_clean()
        message = " ".join(refused.value.message_dict["primary_colour"])
    assert "trop claire" in message and "4,5:1" in message


@pytest.mark.django_db
def test_a_colour_that_is_not_a_colour_is_refused(default_site):
    identity = BootstrapIdentity.for_site(default_site)
    identity.secondary_colour = "blue"

    with pytest.raises(ValidationError) as refused:
        identity.full_clean()
    assert "secondary_colour" in refused.value.message_dict


def test_map_coordinates_are_written_for_scripts_whatever_the_language():
    with translation.override("fr"):
        html = render("map", id="plan", label="Plan", latitude=47.9, longitude=1.91)

    assert 'data-latitude="47.9" data-longitude="1.91"' in html  # not "47,9"


def test_an_address_is_a_fieldset_of_labelled_inputs_with_autocompletion():
    form = WithAddress(data={"address_street": "1 place de la Mairie"})
    with translation.override("fr"):
        form.is_valid()
        html = render("form", form=form, submit_label="Envoyer", csrf_token="tok")

    assert re.search(r"<fieldset[^>]*>\s*<legend[^>]*>Adresse</legend>", html)
    for part, autocomplete in (("street", "street-address"), ("postcode", "postal-code"),
                               ("town", "address-level2")):  # fmt: skip
        assert f'for="id_address_{part}"' in html
        assert re.search(rf'id="id_address_{part}" name="address_{part}"[^>]*'
                         rf'autocomplete="{autocomplete}" aria-invalid="true"', html)  # fmt: skip
    assert 'value="1 place de la Mairie"' in html  # what was typed stays
    assert 'href="#id_address_street">Adresse\u00a0: ' in html  # the summary leads to it
