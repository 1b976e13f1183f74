"""The address field: three inputs, one value, a clear message when a part is missing."""

from __future__ import annotations

from django.utils import translation

from lutetia.testing.themes import WithAddress
from lutetia.ui.fields import Address


def test_a_whole_address_cleans_to_one_value():
    form = WithAddress(
        data={
            "address_street": "1 place de la Mairie",
            "address_postcode": "45190",
            "address_town": "Beaumont-sur-Loire",
        }
    )

    assert form.is_valid(), form.errors
    assert form.cleaned_data["address"] == Address(
        "1 place de la Mairie", "45190", "Beaumont-sur-Loire"
    )
    assert str(form.cleaned_data["address"]) == "1 place de la Mairie\n45190 Beaumont-sur-Loire"


def test_a_half_filled_address_says_what_is_missing_in_the_reader_s_language():
    form = WithAddress(data={"address_street": "1 place de la Mairie"})

    with translation.override("fr"):
        assert not form.is_valid()
        assert form.errors["address"] == ["Indiquez la rue, le code postal et la commune."]


def test_a_postcode_that_is_not_one_is_refused():
    form = WithAddress(
        data={"address_street": "1 rue", "address_postcode": "<b>", "address_town": "Orléans"}
    )

    with translation.override("en"):
        assert not form.is_valid()
        assert form.errors["address"] == ["This is not a postcode."]
