"""What a theme's own tests need: the forms every theme must draw, and a component renderer.

from lutetia.testing.themes import EveryField, render, wearing

@pytest.fixture(autouse=True)
def civic():
    with wearing("civic"):
        yield
"""

from __future__ import annotations

from contextlib import contextmanager

from django import forms

from lutetia.ui import themes as theme_layer
from lutetia.ui.components import COMPONENTS
from lutetia.ui.fields import AddressField
from lutetia.ui.templatetags.ui import render_component


@contextmanager
def wearing(theme_id: str):
    """Make the installed theme ``theme_id`` the current one inside the block."""
    token = theme_layer.activate(theme_layer.themes[theme_id])
    try:
        yield theme_layer.themes[theme_id]
    finally:
        theme_layer.deactivate(token)


def render(component: str, **params) -> str:
    """HTML of ``component`` in the current theme; a block component's ``content`` is given as
    what ``{% uiblock %}`` would enclose."""
    content = params.pop("content", None) if COMPONENTS[component].block else None
    return render_component(component, params, content=content)


class EveryField(forms.Form):
    """One field of each type the contract lists (the address apart: `WithAddress`)."""

    name = forms.CharField(label="Nom", help_text="Comme sur vos papiers.")
    notes = forms.CharField(label="Précisions", widget=forms.Textarea, required=False)
    email = forms.EmailField(label="Adresse e-mail")
    phone = forms.CharField(label="Téléphone", widget=forms.TextInput(attrs={"type": "tel"}))
    people = forms.IntegerField(label="Personnes", min_value=1)
    day = forms.DateField(label="Date", widget=forms.DateInput(attrs={"type": "date"}))
    hour = forms.TimeField(label="Heure", widget=forms.TimeInput(attrs={"type": "time"}))
    topic = forms.ChoiceField(label="Sujet", choices=[("a", "État civil"), ("b", "Voirie")])
    answer = forms.ChoiceField(
        label="Réponse par",
        choices=[("m", "Courriel"), ("p", "Courrier")],
        widget=forms.RadioSelect,
    )
    days = forms.MultipleChoiceField(
        label="Jours", choices=[("1", "Lundi"), ("2", "Mardi")], widget=forms.CheckboxSelectMultiple
    )
    terms = forms.BooleanField(label="J’accepte les conditions")
    document = forms.FileField(label="Justificatif", help_text="PDF, 5 Mo au plus.")


class WithAddress(forms.Form):
    address = AddressField(label="Adresse")
