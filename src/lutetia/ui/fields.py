"""Form fields the component contract knows beyond Django's own: a postal address.

    from lutetia.ui.fields import AddressField

    class Request(forms.Form):
        address = AddressField(label=_("Your address"))

``{% ui "field" field=form.address %}`` draws it as a fieldset of labelled inputs (street,
postcode, town) with the browser's address autocompletion; the cleaned value is an `Address`.
"""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Address:
    street: str
    postcode: str
    town: str

    def __str__(self) -> str:
        return f"{self.street}\n{self.postcode} {self.town}"


#: (name, label, autocomplete token) of each part, in reading order.
ADDRESS_PARTS = (
    ("street", _("Street and number"), "street-address"),
    ("postcode", _("Postcode"), "postal-code"),
    ("town", _("Town"), "address-level2"),
)


class AddressWidget(forms.MultiWidget):
    """Three text inputs; themes label each one (see `address_parts`)."""

    def __init__(self, attrs=None):
        widgets = {
            name: forms.TextInput(attrs={"autocomplete": autocomplete})
            for name, _label, autocomplete in ADDRESS_PARTS
        }
        super().__init__(widgets, attrs)

    def decompress(self, value):
        if isinstance(value, Address):
            return [value.street, value.postcode, value.town]
        return [None, None, None]


class AddressField(forms.MultiValueField):
    widget = AddressWidget
    default_error_messages = {
        "incomplete": _("Give the street, the postcode and the town."),
    }

    def __init__(self, **kwargs):
        fields = (
            forms.CharField(max_length=200),
            forms.CharField(
                max_length=10,
                validators=[
                    RegexValidator(r"^[0-9A-Za-z][0-9A-Za-z -]{1,9}$", _("This is not a postcode."))
                ],
            ),
            forms.CharField(max_length=100),
        )
        # Each part required on its own: a half-filled address gets the "incomplete" message.
        super().__init__(fields, require_all_fields=False, **kwargs)

    def compress(self, data_list):
        if not data_list:
            return None
        return Address(*data_list)


def address_parts(bound_field) -> list[dict]:
    """Each input of an address field: {id, name, label, value, autocomplete}."""
    value = bound_field.value()
    if not isinstance(value, list | tuple):
        value = bound_field.field.widget.decompress(value)
    widget = bound_field.field.widget
    parts = []
    for index, (part, label, autocomplete) in enumerate(ADDRESS_PARTS):
        parts.append(
            {
                "id": f"{bound_field.auto_id}_{part}",
                "name": f"{bound_field.html_name}{widget.widgets_names[index]}",
                "label": label,
                "value": value[index] if index < len(value) and value[index] is not None else "",
                "autocomplete": autocomplete,
            }
        )
    return parts
