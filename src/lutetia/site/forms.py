"""Forms of the site: the search page's, and the back-office forms of the site settings."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm


def service_choices(site) -> list[tuple[str, str]]:
    """(id, label) of every service the plugins switched on for ``site`` offer, at form time."""
    from .services import services_for

    return [("", "---------")] + [
        (service.id, f"{service.title} ({service.id})") for service in services_for(site)
    ]


def _with_service_select(form_class, choices):
    """A subclass of a menu-entry form whose ``service`` field is a select of ``choices``."""

    class ServiceSelectForm(form_class):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            if "service" not in self.fields:
                return
            own = list(choices)
            stored = getattr(self.instance, "service", "")
            if stored and stored not in {value for value, _label in own}:
                # Keep an entry whose plugin was switched off: the menu hides it, the form keeps it.
                own.append((stored, _("%(id)s (unavailable: its plugin is off)") % {"id": stored}))
            old = self.fields["service"]
            self.fields["service"] = forms.ChoiceField(
                choices=own, required=False, label=old.label, help_text=old.help_text
            )

    ServiceSelectForm.__name__ = form_class.__name__
    return ServiceSelectForm


class NavigationForm(WagtailAdminModelForm):
    """Menus and footer: the "online service" of an entry is chosen among the site's services."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        site = getattr(self.instance, "site", None) if self.instance.site_id else None
        choices = service_choices(site)
        for formset in self.formsets.values():
            # The formset builds its forms (and its empty form, for "add") from this class.
            formset.form = _with_service_select(formset.form, choices)
            if "forms" in formset.__dict__:
                del formset.__dict__["forms"]


class TimeZoneSelect(forms.Select):
    """Every zone of the tz database, read when the form is shown (not frozen in a migration).

    A value outside the list is refused by the model field's validator, with a message.
    """

    @property
    def choices(self):
        from .timezones import time_zone_choices

        return time_zone_choices()

    @choices.setter
    def choices(self, value):
        """Ignored: the list is always the tz database's."""

    def build_attrs(self, base_attrs, extra_attrs=None):
        attrs = super().build_attrs(base_attrs, extra_attrs)
        attrs.pop("maxlength", None)  # the model field's, meaningless on a select
        return attrs


class SearchForm(forms.Form):
    """The search page's field, drawn by the theme (``{% ui "field" %}``); never bound: the
    view reads ``q`` itself and gives the words back as the initial value."""

    q = forms.CharField(label=_("Words to look for"), required=False, widget=forms.SearchInput)

    def __init__(self, query: str = "", max_length: int | None = None):
        super().__init__(initial={"q": query}, auto_id="search-page-%s")
        if max_length:
            self.fields["q"].widget.attrs["maxlength"] = str(max_length)
