"""The DSFR theme: every component in the DSFR's markup with the contract's outcome, a page of
the site wearing it (the State's brand block), and its static files shipped."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.core.paginator import Paginator
from django.template.loader import get_template
from django.utils import translation

from lutetia.testing.themes import EveryField, WithAddress, render, wearing
from lutetia.ui.components import COMPONENTS
from lutetia.ui.models import ThemeSettings
from lutetia.ui.themes import themes

TEMPLATES = Path(__file__).resolve().parent.parent / "lutetia_theme_dsfr" / "templates"


@pytest.fixture(autouse=True)
def dsfr():
    with wearing("dsfr") as theme:
        yield theme


# --- the theme and its files -------------------------------------------------------------------


def test_the_theme_is_registered_once_with_its_templates():
    theme = themes["dsfr"]

    assert theme.template_prefix == "theme_dsfr" and theme.signature_class == "fr-container"
    assert "République française" in str(theme.description)
    get_template(theme.layout)
    for name in COMPONENTS:
        get_template(theme.component_template(name))  # every component of the contract


def test_the_layout_s_static_files_are_shipped():
    theme = themes["dsfr"]
    layout = (TEMPLATES / "theme_dsfr" / "layout.html").read_text()
    linked = re.findall(r"\{% static '([^']+)' %\}", layout)

    assert set(linked) == {*theme.stylesheets, *theme.scripts}
    for path in linked:
        assert finders.find(path), path
    assert finders.find("theme_dsfr/vendor/dsfr/LICENSE")


def test_every_url_of_the_stylesheet_is_shipped():
    """The fonts and icons dsfr.min.css names resolve next to it (the manifest needs them)."""
    css_path = Path(finders.find("theme_dsfr/vendor/dsfr/dsfr.min.css"))
    urls = set(re.findall(r"url\(([^)]+)\)", css_path.read_text(encoding="utf-8")))
    files = {u.strip("\"'").split("?")[0].split("#")[0] for u in urls if "data:" not in u}

    assert any(f.startswith("fonts/Marianne") for f in files)
    missing = sorted(f for f in files if not (css_path.parent / f).is_file())
    assert not missing, f"add them to vendor.toml: {missing}"
    for script in ("dsfr.module.min.js", "dsfr.nomodule.min.js"):  # and their source maps
        assert (css_path.parent / f"{script}.map").is_file()


def test_templates_hold_markup_only_and_the_csp_allows_them():
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text()
        assert "{% translate" not in text and "{% trans " not in text, path
        assert "{% blocktranslate" not in text and "{% blocktrans" not in text, path
        assert "<style" not in text and "style=" not in text, path
        assert not re.search(r"<script(?![^>]*\bsrc=)", text), path  # only script files
        assert not re.search(r"\son[a-z]+=", text), path  # no inline event handler


# --- every component ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(n for n, c in COMPONENTS.items() if c.example))
def test_every_component_example_renders_in_dsfr_markup(name):
    html = render(name, **COMPONENTS[name].example)

    assert html.strip()
    assert re.search(r'class="[^"]*\bfr-', html), html
    assert "style=" not in html and "<script" not in html  # the CSP allows neither


def test_the_header_wears_the_state_s_brand_and_names_the_site():
    html = render(
        "header",
        site_name="Préfecture du Loiret",
        home_url="/",
        tagline="Services de l’État",
        logo_url="/media/logo.png",
        search_url="/search/",
        search_query="carte grise",
        account_links=[{"label": "Se connecter", "url": "/account/login/"}],
        sign_out_url="/account/logout/",
        csrf_token="tok",
        languages=[
            {"code": "fr", "name": "Français", "url": "/", "current": True},
            {"code": "en", "name": "English", "url": "/en/"},
        ],
        menu=[{"label": "Démarches", "url": "/demarches/", "current": True}],
        menu_label="Menu principal",
        account_label="Votre compte",
        languages_label="Langue",
    )

    assert '<header class="fr-header">' in html
    assert '<p class="fr-logo">République<br>française</p>' in html
    assert '<a href="/"><p class="fr-header__service-title">Préfecture du Loiret</p></a>' in html
    assert '<img class="lutetia-header__logo" src="/media/logo.png" alt="">' in html
    assert re.search(r'<form class="fr-search-bar" role="search" method="get" action="/search/">',
                     html)  # fmt: skip
    assert '<label class="fr-label" for="site-search-q">' in html
    assert 'value="carte grise"' in html
    assert '<nav aria-label="Votre compte">' in html
    assert 'method="post" action="/account/logout/"' in html and 'value="tok"' in html
    assert '<nav class="fr-translate fr-nav" aria-label="Langue">' in html
    assert '<nav class="fr-nav" id="main-menu" aria-label="Menu principal">' in html
    assert 'href="/demarches/" aria-current="page">Démarches</a>' in html
    ids = re.findall(r'\sid="([^"]+)"', html)
    assert len(ids) == len(set(ids))  # no duplicate id (the menu is rendered once)


def test_the_header_of_a_signed_out_visitor_has_no_token():
    html = render("header", site_name="Lutetia", home_url="/")

    assert "csrfmiddlewaretoken" not in html and "fr-header__tools" not in html


def test_skip_links_and_footer():
    skip = render("skip_links", links=[{"label": "Contenu", "url": "#content"}], label="Accès")
    footer = render(
        "footer",
        site_name="Préfecture",
        address="1 rue Royale\n45000 Orléans",
        phone="02 38 00 00 00",
        email="contact@example.org",
        links=[{"label": "Accessibilité", "url": "/accessibilite/"}],
        links_label="Pied de page",
    )

    assert '<div class="fr-skiplinks">' in skip and 'aria-label="Accès"' in skip
    assert '<a class="fr-link" href="#content">Contenu</a>' in skip
    assert '<footer class="fr-footer" id="footer">' in footer
    assert '<p class="fr-logo">République<br>française</p>' in footer
    assert "<address" in footer and "1 rue Royale<br>45000 Orléans" in footer
    assert 'href="tel:0238000000"' in footer and 'href="mailto:contact@example.org"' in footer
    assert '<nav aria-label="Pied de page">' in footer


def test_the_breadcrumb_ends_on_the_current_page_without_a_link():
    html = render("breadcrumb", links=[{"label": "Accueil", "url": "/"}], current="Démarches")

    assert '<nav class="fr-breadcrumb" aria-label="' in html
    assert '<a class="fr-breadcrumb__link" href="/">Accueil</a>' in html
    last = re.search(r'<li aria-current="page">(.*?)</li>', html).group(1)
    assert "Démarches" in last and "<a" not in last


def test_the_language_switcher_marks_each_language_and_the_current_one():
    html = render(
        "language_switcher",
        languages=[
            {"code": "fr", "name": "Français", "url": "/", "current": True},
            {"code": "hu", "name": "Magyar", "url": "/hu/"},
        ],
        label="Langue",
    )

    assert 'href="/" hreflang="fr" lang="fr" aria-current="true">FR – Français</a>' in html
    assert 'href="/hu/" hreflang="hu" lang="hu">HU – Magyar</a>' in html
    button = re.search(r"<button[^>]*>(.*?)</button>", html).group(1)
    assert "Langue" in re.sub(r"<[^>]+>", "", button)  # the button has a name in words


@pytest.mark.parametrize(("level", "role"), [("error", "alert"), ("warning", "alert"),
                                             ("success", "status"), ("info", "status")])  # fmt: skip
def test_an_alert_says_its_kind_to_screen_readers(level, role):
    html = render("alert", level=level, title="Titre", message="Texte")

    assert f'class="fr-alert fr-alert--{level} fr-mb-3w" role="{role}"' in html
    assert '<p class="fr-alert__title">Titre</p>' in html


def test_buttons_and_links():
    assert render("button", label="Envoyer") == (
        '<button type="submit" class="fr-btn">Envoyer</button>\n'
    )
    assert 'class="fr-btn fr-btn--secondary"' in render("button", label="x", variant="secondary")
    danger = render("button", label="Supprimer", variant="danger", name="go", value="1")
    assert 'class="fr-btn lutetia-btn--danger" name="go" value="1"' in danger
    external = render("link", label="Service public", url="https://x.example", external=True)
    assert "target=" not in external and '<span class="fr-sr-only"> ' in external
    assert 'class="fr-btn"' in render("link", label="Prendre rendez-vous", url="/rdv/",
                                      variant="button")  # fmt: skip
    assert 'aria-current="page"' in render("link", label="Ici", url="/", current=True)


def test_cards_tiles_tags_and_badges():
    card = render(
        "card", title="Écoles", url="/ecoles/", image_url="/i.jpg", image_alt="", meta="Enfance"
    )
    tile = render("tile", title="État civil", url="/etat-civil/", heading_level=2)

    assert '<div class="fr-card fr-enlarge-link">' in card
    assert card.index("<img") < card.index("<h3")  # the image before the heading, with its alt
    assert '<img class="fr-responsive-img" src="/i.jpg" alt="">' in card
    assert '<h3 class="fr-card__title"><a href="/ecoles/">Écoles</a></h3>' in card
    assert '<h2 class="fr-tile__title"><a href="/etat-civil/">État civil</a></h2>' in tile
    assert render("tag", label="Voirie") == '<span class="fr-tag">Voirie</span>\n'
    assert 'aria-current="true"' in render("tag", label="Voirie", url="?t=v", selected=True)
    assert '<span class="fr-badge fr-badge--error">Fermé</span>' in render(
        "badge", label="Fermé", level="error"
    )
    assert '<span class="fr-badge">Brouillon</span>' in render("badge", label="Brouillon")


def test_a_table_has_its_caption_column_headers_and_sort_state():
    html = render(
        "table",
        caption="Demandes",
        columns=[
            {"label": "Date", "sort_url": "?o=date", "sorted": "descending"},
            {"label": "Objet"},
        ],
        rows=[],
        caption_hidden=True,
    )

    assert '<div class="fr-table fr-table--no-caption">' in html
    assert "<caption>Demandes</caption>" in html
    assert (
        '<th scope="col" aria-sort="descending"><a class="fr-link" href="?o=date">Date</a>' in html
    )
    assert '<th scope="col">Objet</th>' in html
    assert "Rien à afficher." in html or "Nothing to show." in html  # the empty list says so


def test_pagination_names_each_page_and_marks_the_current_one():
    page = Paginator(list(range(100)), 10).get_page(5)
    with translation.override("fr"):
        html = render("pagination", page=page, query="q=voirie")

    assert '<nav class="fr-pagination" aria-label="Pagination">' in html
    assert 'href="?q=voirie&amp;page=4" rel="prev">Précédent</a>' in html
    assert 'aria-label="Page 5" aria-current="page">5</a>' in html
    assert 'href="?q=voirie&amp;page=10" aria-label="Page 10"' in html
    assert "…" in html  # the pages far from the current one are elided


def test_tabs_tie_each_tab_to_its_panel():
    html = render("tabs", **COMPONENTS["tabs"].example)

    assert '<ul class="fr-tabs__list" role="tablist" aria-label="Informations">' in html
    assert re.search(r'id="tab-horaires-tab" type="button" role="tab" aria-controls="tab-horaires"'
                     r' aria-selected="true" tabindex="0"', html)  # fmt: skip
    assert 'aria-controls="tab-acces" aria-selected="false" tabindex="-1"' in html
    assert 'id="tab-acces" role="tabpanel" aria-labelledby="tab-acces-tab"' in html


def test_each_accordion_title_is_a_button_in_a_heading():
    html = render("accordion", **COMPONENTS["accordion"].example, heading_level=2)

    assert re.search(r'<h2 class="fr-accordion__title"><button class="fr-accordion__btn" '
                     r'type="button" aria-expanded="false" aria-controls="q1">', html)  # fmt: skip
    assert '<div class="fr-collapse" id="q1">Une pièce d’identité.</div>' in html


def test_the_stepper_says_where_the_citizen_is():
    with translation.override("fr"):
        html = render(
            "stepper", steps=["Identité", "Demande", "Pièces", "Récapitulatif"], current=2
        )

    assert '<span class="fr-stepper__state">Étape 2 sur 4</span> Demande</h2>' in html
    assert 'data-fr-current-step="2" data-fr-steps="4"' in html
    assert '<li aria-current="step">2. Demande</li>' in html
    assert "Étape suivante\u00a0:</span> Pièces" in html


def test_slots_a_notice_a_map_and_a_modal():
    slots = render("slot_calendar", **COMPONENTS["slot_calendar"].example)
    notice = render("notice", title="Travaux", url="/travaux/", link_label="En savoir plus")
    map_ = render("map", id="plan", label="Plan", latitude=47.9, longitude=1.9, fallback="Ici")
    modal = render("modal", **COMPONENTS["modal"].example)

    assert "<legend" in slots and '<h3 class="fr-h6 fr-mb-1w">Lundi 30 novembre</h3>' in slots
    assert re.search(r'value="2026-11-30T09:30" disabled>\s*<label[^>]*>9 h 30 <span[^>]*>'
                     r"\(indisponible\)|\(unavailable\)", slots)  # fmt: skip
    assert 'class="fr-notice fr-notice--info" role="note"' in notice
    assert '<a class="fr-notice__link" href="/travaux/">En savoir plus</a>' in notice
    assert 'role="region" aria-label="Plan" data-latitude="47.9" data-longitude="1.9"' in map_
    assert 'aria-controls="modal-aide">Besoin d’aide ?</button>' in modal
    assert '<dialog class="fr-modal" id="modal-aide" aria-labelledby="modal-aide-title">' in modal
    assert '<h2 class="fr-modal__title" id="modal-aide-title">Aide</h2>' in modal
    assert 'class="fr-btn--close fr-btn" type="button" aria-controls="modal-aide">' in modal


def test_a_fieldset_refers_to_its_hint():
    html = render("fieldset", legend="Adresse", hint="En France", id="adr", content="<p>…</p>")

    assert '<fieldset class="fr-fieldset" id="adr" aria-describedby="adr-hint">' in html
    assert '<p class="fr-hint-text" id="adr-hint">En France</p>' in html


# --- forms -------------------------------------------------------------------------------------


def test_every_field_type_has_its_label_hint_and_error_tied_to_the_input():
    form = EveryField(data={"email": "pas-une-adresse", "people": "0"})
    form.is_valid()

    html = render("form", form=form, submit_label="Envoyer", csrf_token="tok")

    assert html.startswith('<form class="lutetia-form" method="post" enctype="multipart/form-data"'
                           " novalidate>")  # fmt: skip
    assert 'name="csrfmiddlewaretoken" value="tok"' in html
    assert 'class="fr-alert fr-alert--error fr-mb-3w lutetia-error-summary" role="alert" ' \
           'tabindex="-1"' in html  # fmt: skip
    for field in form:
        if field.widget_type in ("radioselect", "checkboxselectmultiple"):
            assert re.search(rf"<fieldset[^>]*>\s*<legend[^>]*>{field.label}</legend>", html)
            assert f'for="{field.auto_id}_0"' in html
        else:
            assert re.search(rf'<label class="fr-label[^"]*" for="{field.auto_id}">'
                             rf"{field.label}</label>", html), field.name  # fmt: skip
        if field.errors:
            assert f'id="{field.auto_id}-error"' in html, field.name
    name = re.search(r'<input\b[^>]*name="name"[^>]*>', html).group(0)
    assert 'aria-describedby="id_name-hint id_name-error"' in name
    assert 'aria-invalid="true"' in name and "fr-input--error" in name
    assert '<div class="fr-input-group fr-input-group--error">' in html
    assert (
        '<p class="fr-hint-text lutetia-hint" id="id_name-hint">Comme sur vos papiers.</p>' in html
    )
    assert re.search(r'<p class="fr-error-text" id="id_name-error">[^<]+</p>', html)
    assert 'type="tel"' in html and 'type="date"' in html and 'type="time"' in html
    assert 'type="email"' in html and 'type="number"' in html and "<textarea" in html
    assert (
        'class="fr-select' in html
        and '<div class="fr-select-group fr-select-group--error">' in html
    )
    assert '<div class="fr-upload-group fr-input-group--error">' in html
    upload = re.search(r'<input type="file"[^>]*>', html).group(0)
    assert 'class="fr-upload"' in upload
    assert 'aria-describedby="id_document-hint id_document-error"' in upload
    assert '<fieldset class="fr-fieldset fr-fieldset--error" aria-describedby="id_answer-error">' \
        in html  # fmt: skip
    assert '<div class="fr-radio-group">' in html and '<div class="fr-checkbox-group">' in html
    assert re.search(r'<div class="fr-checkbox-group fr-checkbox-group--error fr-mb-3w">\s*'
                     r'<input type="checkbox" name="terms"[^>]*aria-invalid="true"', html)  # fmt: skip
    assert '<a href="#id_answer_0">' in html  # radios: the error links to the first option
    assert re.search(r'<button type="submit" class="fr-btn">Envoyer</button>\s*</form>\s*$', html)


def test_a_valid_form_has_no_summary_and_no_invalid_input():
    form = EveryField()

    html = render("form", form=form, submit_label="Envoyer", method="get")

    assert "error-summary" not in html and "aria-invalid" not in html
    assert "csrfmiddlewaretoken" not in html


# --- a page of the site ------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_page_of_a_site_in_the_dsfr_theme(client, default_site):
    choice = ThemeSettings.for_site(default_site)
    choice.theme = "dsfr"
    choice.save()

    response = client.get("/account/login/")
    html = response.content.decode()

    assert response.status_code == 200
    assert "theme_dsfr/layout.html" in [t.name for t in response.templates]
    assert '<header class="fr-header">' in html
    assert '<p class="fr-logo">République<br>française</p>' in html
    assert '<div class="fr-skiplinks">' in html and '<footer class="fr-footer" id="footer">' in html
    assert re.search(r'<main id="content" tabindex="-1"[^>]*>\s*<div class="fr-container', html)
    assert "vendor/dsfr/dsfr.min.css" in html and 'type="module"' in html and "nomodule" in html
    assert "style=" not in html and not re.search(r"<script(?![^>]*\bsrc=)", html)
    assert 'class="container' not in html  # nothing of the Bootstrap theme
    ids = re.findall(r'\sid="([^"]+)"', html)
    assert len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})


def test_an_address_is_a_fieldset_of_labelled_inputs_with_autocompletion():
    form = WithAddress(data={"address_street": "1 place de la Mairie"})
    with translation.override("fr"):
        form.is_valid()
        html = render("form", form=form, submit_label="Envoyer", csrf_token="tok")

    assert re.search(r'<fieldset class="fr-fieldset fr-fieldset--error"[^>]*>\s*<legend[^>]*>Adresse</legend>', html)  # fmt: skip
    for part, autocomplete in (("street", "street-address"), ("postcode", "postal-code"),
                               ("town", "address-level2")):  # fmt: skip
        assert f'<label class="fr-label" for="id_address_{part}">' in html
        assert re.search(rf'id="id_address_{part}" name="address_{part}"[^>]*'
                         rf'autocomplete="{autocomplete}" aria-invalid="true"', html)  # fmt: skip
    assert "Indiquez la rue, le code postal et la commune." in html
