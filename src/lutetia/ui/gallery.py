"""The component gallery (Settings → Component gallery): every component in the active theme,
with the HTML to copy. For administrators: superusers and those who may change the theme."""

from __future__ import annotations

from django import forms
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from .components import COMPONENTS
from .fields import AddressField
from .templatetags.ui import render_component
from .themes import current_theme

PERMISSION = "lutetia_ui.change_themesettings"


def can_see_gallery(user) -> bool:
    """Superusers and those who may choose the site's theme."""
    return user.is_active and user.has_perm(PERMISSION)


class SampleForm(forms.Form):
    """Every field type, bound with errors, for the gallery."""

    name = forms.CharField(label=gettext_lazy("Name"), help_text=gettext_lazy("As on your papers."))
    email = forms.EmailField(label=gettext_lazy("E-mail address"))
    phone = forms.CharField(label=gettext_lazy("Telephone"), required=False)
    message = forms.CharField(label=gettext_lazy("Message"), widget=forms.Textarea)
    count = forms.IntegerField(label=gettext_lazy("Number of people"), required=False)
    day = forms.DateField(
        label=gettext_lazy("Date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    hour = forms.TimeField(
        label=gettext_lazy("Time"), required=False, widget=forms.TimeInput(attrs={"type": "time"})
    )
    topic = forms.ChoiceField(
        label=gettext_lazy("Topic"), choices=[("a", "État civil"), ("b", "Voirie")]
    )
    channel = forms.ChoiceField(
        label=gettext_lazy("Answer by"),
        choices=[("mail", "E-mail"), ("phone", "Téléphone")],
        widget=forms.RadioSelect,
    )
    days = forms.MultipleChoiceField(
        label=gettext_lazy("Days"),
        required=False,
        choices=[("mon", "Lundi"), ("tue", "Mardi")],
        widget=forms.CheckboxSelectMultiple,
    )
    agree = forms.BooleanField(label=gettext_lazy("I accept the terms"))
    document = forms.FileField(label=gettext_lazy("Document"), required=False)
    address = AddressField(label=gettext_lazy("Address"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["phone"].widget.input_type = "tel"


def examples() -> list[tuple[str, dict, str | None]]:
    """(component, parameters, enclosed content) for every component of the contract."""
    form = SampleForm(data={"name": "", "email": "camille@", "topic": "a"})
    form.is_valid()
    page = Paginator(list(range(100)), 10).get_page(3)
    special = {
        "field": {"field": form["email"]},
        "error_summary": {"form": form, "title": _("There is a problem")},
        "form": {"form": form, "submit_label": _("Send"), "csrf_token": "example"},
        "pagination": {"page": page},
    }
    found = []
    for name, component in COMPONENTS.items():
        params = dict(special.get(name, component.example))
        content = params.pop("content", None) if component.block else None
        found.append((name, params, content))
    return found


class GalleryView(WagtailAdminTemplateMixin, View):
    """Every component: its summary, a preview in the theme, the HTML it gives."""

    template_name = "lutetia_ui/gallery.html"
    page_title = gettext_lazy("Component gallery")
    header_icon = "image"

    def dispatch(self, request, *args, **kwargs):
        if not can_see_gallery(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get(self, request):
        items = [
            {
                "name": name,
                "component": COMPONENTS[name],
                "html": render_component(name, params, None, content),
            }
            for name, params, content in examples()
        ]
        context = self.get_context_data(items=items, theme=current_theme())
        return self.render_to_response(context)


def preview(request, name: str):
    """One component in the theme's page layout, shown in the gallery's frame."""
    if not can_see_gallery(request.user):
        raise PermissionDenied
    for component, params, content in examples():
        if component == name:
            html = render_component(component, params, None, content)
            return render(request, "lutetia_ui/gallery_preview.html", {"preview": html})
    raise Http404
