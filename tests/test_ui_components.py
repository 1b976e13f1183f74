"""The component contract and the theme layer, with two small test themes (tests/ui_themes)."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from django import forms
from django.core import checks
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.template import Context, Template
from django.test import RequestFactory
from django.utils import translation

from lutetia.ui import themes as theme_layer
from lutetia.ui.components import COMPONENTS, ComponentError, reference_markdown
from lutetia.ui.middleware import ThemeMiddleware
from lutetia.ui.templatetags.ui import render_component
from lutetia.ui.themes import Theme, themes

ROOT = Path(__file__).resolve().parent.parent
THEMES_DIR = Path(__file__).resolve().parent / "ui_themes"


@pytest.fixture
def test_themes(settings):
    """Themes "alpha" and "beta" (a few components each), alpha active for the test."""
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [*settings.TEMPLATES[0]["DIRS"], str(THEMES_DIR)]}
    ]
    added = []
    for theme_id in ("alpha", "beta"):
        if theme_id not in themes:
            themes.register(theme_id)(
                Theme(id=theme_id, verbose_name=theme_id.title(), template_prefix=theme_id)
            )
            added.append(theme_id)
    token = theme_layer.activate(themes["alpha"])
    yield themes
    theme_layer.deactivate(token)
    for theme_id in added:
        themes.unregister(theme_id)


def render(source: str, **context) -> str:
    return Template("{% load ui %}" + source).render(Context(context))


def test_the_documentation_lists_the_contract_as_the_code_has_it():
    doc = (ROOT / "docs" / "ui.md").read_text()
    section = doc.split("<!-- components:start -->\n")[1].split("<!-- components:end -->")[0]
    assert section == reference_markdown(), "regenerate docs/ui.md from reference_markdown()"


def test_the_contract_covers_what_the_issue_lists():
    expected = {
        "header", "footer", "navigation", "breadcrumb", "skip_links", "button", "link", "alert",
        "notice", "card", "tile", "tag", "badge", "table", "pagination", "tabs", "accordion",
        "stepper", "field", "fieldset", "error_summary", "slot_calendar", "map", "modal",
        "language_switcher", "form",
    }  # fmt: skip
    assert expected <= set(COMPONENTS)


def test_a_component_renders_in_the_current_theme(test_themes):
    html = render('{% ui "button" label="Envoyer" variant="secondary" name="go" %}')

    assert (
        html
        == '<button type="submit" class="alpha-button alpha-secondary" name="go">Envoyer</button>\n'
    )


def test_a_block_component_gets_what_it_encloses(test_themes):
    html = render(
        '{% uiblock "alert" level="error" title=t %}<p>Vérifiez</p>{% enduiblock %}', t="Erreur"
    )

    assert 'role="alert"' in html and "<p>Erreur</p><p>Vérifiez</p>" in html


def test_parameters_are_escaped_like_any_template_variable(test_themes):
    html = render('{% ui "button" label=label %}', label="<script>x</script>")

    assert "<script>" not in html and "&lt;script&gt;" in html


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ('{% ui "button" %}', "missing required parameter(s) label"),
        ('{% ui "button" label="x" colour="red" %}', "unknown parameter(s) colour"),
        ('{% ui "button" label="x" variant="huge" %}', "variant='huge' is not one of"),
        ('{% ui "buton" label="x" %}', "there is no component 'buton'"),
    ],
)
def test_a_call_against_the_contract_fails_the_tests(test_themes, source, message):
    with pytest.raises(ComponentError) as error:
        render(source)
    assert message in str(error.value)


def test_in_production_a_bad_call_is_logged_and_the_visitor_still_gets_the_page(
    test_themes, settings, caplog
):
    settings.LUTETIA_UI_STRICT = False

    with caplog.at_level(logging.ERROR, logger="lutetia.ui"):
        html = render('<p>avant</p>{% ui "button" %}<p>après</p>')

    assert html == "<p>avant</p><p>après</p>"
    assert "missing required parameter(s) label" in caplog.text


def test_a_malformed_tag_is_refused_when_the_template_is_read():
    from django.template import TemplateSyntaxError

    with pytest.raises(TemplateSyntaxError, match="name=value pairs"):
        Template('{% load ui %}{% ui "button" "label" %}')


class RequestForm(forms.Form):
    name = forms.CharField(label="Nom", help_text="Tel qu’écrit sur vos papiers.")
    email = forms.EmailField(label="Adresse e-mail")

    def clean(self):
        raise ValidationError("Cette demande est close.")


def test_a_form_with_errors_renders_its_summary_labels_hints_and_described_inputs(test_themes):
    form = RequestForm(data={"name": "", "email": "pas-une-adresse"})
    with translation.override("fr"):
        form.is_valid()

    with translation.override("fr"):
        html = render(
            '{% ui "form" form=form submit_label="Envoyer" csrf_token="tok" %}', form=form
        )

    assert 'name="csrfmiddlewaretoken" value="tok"' in html
    assert '<a href="#id_name">Cette demande est close.</a>' in html  # the form's own error
    assert (
        '<a href="#id_email">Adresse e-mail\u00a0: Saisissez une adresse de courriel valide.</a>'
        in html
    )
    assert 'aria-describedby="id_name-hint id_name-error"' in html
    assert 'aria-invalid="true"' in html and 'class="alpha-input"' in html
    assert '<p id="id_name-hint">Tel qu’écrit sur vos papiers.</p>' in html


def test_the_theme_follows_the_site_without_a_restart(test_themes, default_site):
    from lutetia.ui.models import ThemeSettings

    def page(request):
        return HttpResponse(render_component("button", {"label": "OK"}))

    middleware = ThemeMiddleware(page)
    request = RequestFactory().get("/", HTTP_HOST=default_site.hostname)
    settings_ = ThemeSettings.for_site(default_site)
    settings_.theme = "alpha"
    settings_.save()
    assert b"alpha-button" in middleware(request).content

    settings_.theme = "beta"
    settings_.save()
    assert (
        b"beta-btn"
        in middleware(RequestFactory().get("/", HTTP_HOST=default_site.hostname)).content
    )


def test_an_uninstalled_theme_chosen_by_a_site_falls_back_to_the_default(
    test_themes, default_site, settings, caplog
):
    from lutetia.ui.models import ThemeSettings

    settings.LUTETIA_THEME = "beta"
    ThemeSettings.objects.update_or_create(site=default_site, defaults={"theme": "gone"})

    with caplog.at_level(logging.WARNING, logger="lutetia.ui.themes"):
        assert theme_layer.theme_for_site(default_site) is themes["beta"]
    assert "'gone', which is not installed" in caplog.text


def test_the_theme_setting_refuses_a_theme_that_is_not_installed(test_themes, default_site):
    from lutetia.ui.models import ThemeSettings

    choice = ThemeSettings(site=default_site, theme="gone")

    with translation.override("fr"):
        with pytest.raises(ValidationError) as refused:
            choice.full_clean()
        assert "Il n’existe pas de thème «\u00a0gone\u00a0»" in " ".join(refused.value.messages)


def test_an_unknown_default_theme_stops_the_start_and_names_the_installed_ones(
    test_themes, settings
):
    settings.LUTETIA_THEME = "civic"

    errors = [e for e in checks.run_checks() if e.id == "lutetia_ui.E001"]

    assert len(errors) == 1
    assert "no theme 'civic' is installed" in errors[0].msg
    assert "alpha" in errors[0].msg and "beta" in errors[0].msg


def test_a_theme_that_lacks_components_is_reported(test_themes):
    errors = [e for e in checks.run_checks() if e.id == "lutetia_ui.E002" and e.obj.id == "beta"]

    assert len(errors) == 1
    assert "beta/components/card.html" in errors[0].msg
