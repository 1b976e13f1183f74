"""The component contract: what every theme implements, and what templates may call.

Core and plugin templates never write a CSS framework's classes: they call components::

    {% load ui %}
    {% ui "button" label=_("Send") %}
    {% ui "alert" level="success" message=_("Your message was sent.") %}
    {% uiblock "card" title=page.title href=page.url %}<p>{{ page.intro }}</p>{% enduiblock %}

Each component has named parameters (required ones marked) and a documented outcome: the
semantic HTML, roles and ARIA attributes every theme must produce, whatever its classes. The
list below *is* the contract; ``docs/ui.md`` explains it and a test checks both agree.

A call with a missing required parameter or an unknown one raises `ComponentError` where
``LUTETIA_UI_STRICT`` is on (development and tests: the test suite fails, not the visitor); in
production the error is logged and the component renders nothing.

Link lists (menus, breadcrumbs, footers) are lists of mappings with ``label`` and ``url``
(and ``current`` where it applies).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from django.template import TemplateSyntaxError
from django.utils.translation import gettext_lazy as _

LEVELS = ("info", "success", "warning", "error")


class ComponentError(TemplateSyntaxError):
    """A component called with a missing required parameter, an unknown one, or a bad value."""


@dataclass(frozen=True)
class Param:
    doc: str
    required: bool = False
    #: Allowed values, when the parameter is one of a few words.
    choices: tuple[str, ...] = ()
    default: Any = None


@dataclass(frozen=True)
class Component:
    name: str
    summary: str
    params: dict[str, Param]
    #: The HTML every theme must produce (elements, roles, ARIA), whatever its classes.
    outcome: str
    #: ``{% uiblock %}`` passes what it encloses as ``content`` (HTML, already rendered).
    block: bool = False
    #: Parameters for the gallery and the tests (``content`` for a block).
    example: dict[str, Any] = field(default_factory=dict)
    #: Computes derived values once for every theme (page links, a field's kind, sentences):
    #: themes then hold markup, not logic and not sentences to translate.
    derive: Callable[[dict[str, Any]], dict[str, Any]] | None = None

    @cached_property
    def _defaults(self) -> dict[str, Any]:
        # An optional parameter left out is "" (not None, which a template would print).
        return {
            name: "" if param.default is None else param.default
            for name, param in self.params.items()
        }

    @cached_property
    def _required(self) -> tuple[str, ...]:
        return tuple(name for name, param in self.params.items() if param.required)

    @cached_property
    def _choices(self) -> tuple[tuple[str, tuple[str, ...]], ...]:
        return tuple((name, param.choices) for name, param in self.params.items() if param.choices)

    def check(self, params: dict[str, Any], has_content: bool = False) -> dict[str, Any]:
        """``params`` with defaults filled in; `ComponentError` for any breach of the contract."""
        if not params.keys() <= self.params.keys():
            unknown = sorted(set(params) - set(self.params))
            raise ComponentError(
                f"component {self.name!r}: unknown parameter(s) {', '.join(unknown)}; "
                f"it takes {', '.join(self.params)}"
            )
        missing = [
            name
            for name in self._required
            if params.get(name) in (None, "") and not (name == "content" and has_content)
        ]
        if missing:
            raise ComponentError(
                f"component {self.name!r}: missing required parameter(s) {', '.join(missing)}"
            )
        values = {**self._defaults, **params}
        for name, choices in self._choices:
            value = values[name]
            if value not in (None, "") and value not in choices:
                raise ComponentError(
                    f"component {self.name!r}: {name}={value!r} is not one of {', '.join(choices)}"
                )
        return values

    def values(self, params: dict[str, Any], has_content: bool = False) -> dict[str, Any]:
        """What the theme's template gets: the checked parameters and the derived values."""
        values = self.check(params, has_content)
        if self.derive is not None:
            values.update(self.derive(values))
        return values


def _component(name, summary, params, outcome, block=False, example=None, derive=None):
    return Component(name, summary, params, outcome, block, example or {}, derive)


# --- derived values ----------------------------------------------------------------------------


def _pagination(values):
    """Page links: first, last, the current one and two around it; None marks a gap."""
    page = values["page"]
    query = values["query"]
    param = values["param"]
    prefix = f"?{query}&" if query else "?"

    def url(number):
        return f"{prefix}{param}={number}"

    paginator = page.paginator
    numbers = paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)
    pages = []
    for number in numbers:
        if number == paginator.ELLIPSIS:
            pages.append(None)
        else:
            pages.append(
                {
                    "number": number,
                    "url": url(number),
                    "current": number == page.number,
                    "label": _("Page %(number)s") % {"number": number},
                }
            )
    return {
        "pages": pages,
        "previous_url": url(page.previous_page_number()) if page.has_previous() else "",
        "next_url": url(page.next_page_number()) if page.has_next() else "",
    }


def _stepper(values):
    steps = list(values["steps"])
    current = int(values["current"])
    return {
        "items": [
            {
                "number": number,
                "title": title,
                "state": "done" if number < current else "current" if number == current else "todo",
            }
            for number, title in enumerate(steps, start=1)
        ],
        "current_title": steps[current - 1] if 0 < current <= len(steps) else "",
        "status": _("Step %(current)s of %(total)s") % {"current": current, "total": len(steps)},
        "next_title": steps[current] if current < len(steps) else "",
    }


#: A field's kind, from Django's widget_type: what the theme's field template branches on.
FIELD_KINDS = {
    "radioselect": "choices",
    "checkboxselectmultiple": "choices",
    "checkbox": "checkbox",
    "select": "select",
    "selectmultiple": "select",
    "nullbooleanselect": "select",
    "textarea": "textarea",
    "clearablefile": "file",
    "file": "file",
    "hidden": "hidden",
    "multiplehidden": "hidden",
    "address": "address",
}


def field_kind(bound_field) -> str:
    """``input``, ``textarea``, ``select``, ``choices`` (radios/checkboxes in a fieldset),
    ``checkbox``, ``file``, ``address`` (`lutetia.ui.fields.AddressField`), ``group`` (another
    field of several inputs, such as a split date) or ``hidden``."""
    widget_type = bound_field.widget_type
    if widget_type in FIELD_KINDS:
        return FIELD_KINDS[widget_type]
    if getattr(bound_field.field.widget, "widgets", None):
        return "group"
    return "input"


def _field(values):
    bound = values["field"]
    kind = field_kind(bound)
    derived = {
        "kind": kind,
        "hint_id": f"{bound.auto_id}-hint",
        "error_id": f"{bound.auto_id}-error",
    }
    if kind == "address":
        from .fields import address_parts

        derived["parts"] = address_parts(bound)
    return derived


def _first_input_id(bound) -> str:
    """The id an error summary links to: the field's input, or the first of its inputs."""
    kind = field_kind(bound)
    if kind == "choices":
        return f"{bound.auto_id}_0"
    if kind == "address":
        return f"{bound.auto_id}_street"
    return bound.auto_id


def error_links(form) -> list[dict]:
    """A form's errors as {message, url}: the form's own errors first (linking to its first
    field), then each field's, linking to its input (the first option of a list)."""
    links = []
    fields = [form[name] for name in form.fields if not form[name].is_hidden]
    first = f"#{_first_input_id(fields[0])}" if fields else ""
    for message in form.non_field_errors():
        links.append({"message": message, "url": first})
    for bound in fields:
        target = _first_input_id(bound)
        for message in bound.errors:
            if bound.label:
                message = _("%(label)s: %(message)s") % {"label": bound.label, "message": message}
            links.append({"message": message, "url": f"#{target}"})
    return links


def _error_summary(values):
    return {"links": error_links(values["form"])}


def _form(values):
    form = values["form"]
    return {
        "multipart": form.is_multipart(),
        "has_errors": bool(form.errors),
        "visible_fields": form.visible_fields(),
        "hidden_fields": form.hidden_fields(),
    }


HEADING_LEVEL = Param("heading level of the title, 2 to 6", default=3)
LINKS_EXAMPLE = [
    {"label": "Démarches", "url": "/demarches/", "current": True},
    {"label": "Actualités", "url": "/actualites/"},
]

COMPONENTS: dict[str, Component] = {
    c.name: c
    for c in [
        # --- page structure ---------------------------------------------------------------
        _component(
            "skip_links",
            "Links to jump over the header, first in the page.",
            {
                "links": Param("list of {label, url}", required=True),
                "label": Param("accessible name", default=_("Quick access")),
            },
            "<nav aria-label> holding a list of same-page links; visible on focus.",
            example={"links": [{"label": "Aller au contenu", "url": "#content"}]},
        ),
        _component(
            "header",
            "The site's header: brand, search, account links, language switcher.",
            {
                "site_name": Param("the site's name", required=True),
                "home_url": Param("URL of the home page", required=True),
                "tagline": Param("a line under the name"),
                "logo_url": Param("URL of the logo image (its alt text is the site name)"),
                "search_url": Param("action of the search form; no form when empty"),
                "search_query": Param("the words searched, to fill the field"),
                "account_links": Param("list of {label, url, current}: My account, Sign in"),
                "sign_out_url": Param("action of the sign-out form (POST), when signed in"),
                "csrf_token": Param("the CSRF token, for the sign-out form"),
                "languages": Param("list of {code, name, url, current}, see language_switcher"),
                "menu": Param("the main menu: list of {label, url, current}"),
                "menu_label": Param("accessible name of the menu", default=_("Main menu")),
                "account_label": Param(
                    "accessible name of the account links", default=_("Your account")
                ),
                "search_label": Param("label of the search field", default=_("Search the site")),
                "search_button_label": Param("text of the search button", default=_("Search")),
                "sign_out_label": Param("text of the sign-out button", default=_("Sign out")),
                "languages_label": Param("accessible name of the languages", default=_("Language")),
            },
            "<header> with a link home named by the site's name in text (the logo inside it is "
            'decorative, alt=""); a '
            "<form role=search> whose input has a <label>; account links in <nav aria-label>; "
            "sign-out as a POST form button; the language links as language_switcher; then the "
            "main menu as navigation (<nav aria-label=menu_label id=main-menu>).",
            example={
                "site_name": "Ville de Beaumont-sur-Loire",
                "home_url": "/",
                "tagline": "Mairie",
                "search_url": "/search/",
                "account_links": [{"label": "Se connecter", "url": "/account/login/"}],
                "menu": LINKS_EXAMPLE,
            },
        ),
        _component(
            "navigation",
            "The main menu, or any list of links.",
            {
                "links": Param("list of {label, url, current}", required=True),
                "label": Param("the accessible name of the <nav>", required=True),
            },
            "<nav aria-label=label><ul> of links; the current one has aria-current=page.",
            example={"links": LINKS_EXAMPLE, "label": "Menu principal"},
        ),
        _component(
            "breadcrumb",
            "Where the page sits in the site.",
            {
                "links": Param("list of {label, url}, from the home page down", required=True),
                "current": Param("the current page's title", required=True),
                "label": Param("accessible name", default=_("Breadcrumb")),
            },
            "<nav aria-label><ol>: one <li><a> per ancestor, then the current page as "
            "<li aria-current=page> without a link.",
            example={"links": [{"label": "Accueil", "url": "/"}], "current": "Démarches"},
        ),
        _component(
            "footer",
            "The site's footer: text, contact address, links.",
            {
                "site_name": Param("the site's name", required=True),
                "text": Param("rich text (already safe HTML)"),
                "address": Param("postal address, several lines"),
                "phone": Param("telephone number, shown as a tel: link"),
                "email": Param("e-mail address, shown as a mailto: link"),
                "links": Param("list of {label, url}"),
                "links_label": Param("accessible name of the links' <nav>", default=_("Footer")),
            },
            "<footer id=footer>; contact details in <address>; links in <nav aria-label>.",
            example={
                "site_name": "Ville de Beaumont-sur-Loire",
                "address": "1 place de la Mairie\n45190 Beaumont-sur-Loire",
                "phone": "02 38 00 00 00",
                "email": "mairie@beaumont.example",
                "links": [{"label": "Mentions légales", "url": "/mentions-legales/"}],
            },
        ),
        _component(
            "language_switcher",
            "One link per language of the page.",
            {
                "languages": Param("list of {code, name, url, current}", required=True),
                "label": Param("accessible name", default=_("Language")),
            },
            "<nav aria-label> with links carrying hreflang and lang; the current language "
            "has aria-current=true.",
            example={
                "languages": [
                    {"code": "fr", "name": "Français", "url": "/", "current": True},
                    {"code": "en", "name": "English", "url": "/en/"},
                    {"code": "hu", "name": "Magyar", "url": "/hu/"},
                ]
            },
        ),
        # --- actions ---------------------------------------------------------------------
        _component(
            "button",
            "A button of a form.",
            {
                "label": Param("its text", required=True),
                "type": Param("submit or button", choices=("submit", "button"), default="submit"),
                "variant": Param(
                    "its weight",
                    choices=("primary", "secondary", "tertiary", "danger"),
                    default="primary",
                ),
                "name": Param("the name sent with the form"),
                "value": Param("the value sent with the form"),
                "disabled": Param("true: cannot be pressed", default=False),
                "id": Param("its id"),
                "form": Param("id of the form it submits, when outside it"),
            },
            "<button type=...> with its label as text.",
            example={"label": "Envoyer"},
        ),
        _component(
            "link",
            "A link, plain or looking like a button.",
            {
                "label": Param("its text", required=True),
                "url": Param("where it goes", required=True),
                "variant": Param(
                    "its look", choices=("plain", "button", "secondary", "back"), default="plain"
                ),
                "external": Param("true: opens another site (said to screen readers)"),
                "current": Param("true: the page itself (aria-current=page)"),
                "external_text": Param(
                    "what an external link adds for screen readers",
                    default=_("(another site)"),
                ),
            },
            "<a href>; an external link opens in the same window and says so in visually "
            "hidden text (external_text).",
            example={"label": "Prendre rendez-vous", "url": "/rendez-vous/", "variant": "button"},
        ),
        # --- messages --------------------------------------------------------------------
        _component(
            "alert",
            "A message about what just happened (form sent, error).",
            {
                "level": Param("its kind", required=True, choices=LEVELS),
                "message": Param("the text (or the enclosed content)"),
                "title": Param("a short title"),
                "content": Param("enclosed HTML"),
            },
            "role=alert for error and warning, role=status otherwise; the title in a <p> or a "
            "heading, never only colour to say the kind.",
            block=True,
            example={"level": "success", "message": "Votre message a été envoyé."},
        ),
        _component(
            "notice",
            "A site-wide banner (works, closures), at the top of the page.",
            {
                "title": Param("its text", required=True),
                "url": Param("a link to read more"),
                "link_label": Param("the text of that link"),
            },
            "A <div role=note> (or <aside>) with the text and its link.",
            example={"title": "La mairie sera fermée le 11 novembre."},
        ),
        # --- content ---------------------------------------------------------------------
        _component(
            "card",
            "An item of a list of pages, news, services.",
            {
                "title": Param("its title", required=True),
                "url": Param("where the title links (the whole card is clickable)"),
                "description": Param("a short text"),
                "meta": Param("a detail above the title: a date, a category"),
                "image_url": Param("an illustration"),
                "image_alt": Param("its text alternative (empty: decorative)", default=""),
                "heading_level": HEADING_LEVEL,
                "content": Param("enclosed HTML, under the description"),
            },
            "An element with a heading <hN> holding the link; the image before it in the "
            "source has alt.",
            block=True,
            example={
                "title": "Inscriptions scolaires",
                "url": "/demarches/inscriptions/",
                "description": "Inscrire votre enfant à l’école maternelle ou élémentaire.",
                "meta": "Enfance",
            },
        ),
        _component(
            "tile",
            "A large link to a service or a section.",
            {
                "title": Param("its title", required=True),
                "url": Param("where it goes", required=True),
                "description": Param("a short text"),
                "heading_level": HEADING_LEVEL,
            },
            "A heading <hN> holding the link, the description after it.",
            example={"title": "État civil", "url": "/etat-civil/"},
        ),
        _component(
            "tag",
            "A keyword, possibly a link or a filter.",
            {
                "label": Param("its text", required=True),
                "url": Param("a link"),
                "selected": Param("true: a filter in use (aria-current=true)"),
            },
            "<span> or <a> with the text.",
            example={"label": "Voirie"},
        ),
        _component(
            "badge",
            "A short status: new, closed, in progress.",
            {
                "label": Param("its text", required=True),
                "level": Param("its kind", choices=(*LEVELS, "new", "neutral"), default="neutral"),
            },
            "A <span> with the text (the text says the status, not the colour).",
            example={"label": "En cours", "level": "info"},
        ),
        _component(
            "table",
            "A data table.",
            {
                "caption": Param("what it holds", required=True),
                "columns": Param(
                    "list of {label, sort_url, sorted} (sorted: ascending, descending or empty)",
                    required=True,
                ),
                "rows": Param("list of lists of cells (text or safe HTML)", required=True),
                "caption_hidden": Param("true: the caption is for screen readers only"),
                "empty_text": Param("said when there is no row", default=_("Nothing to show.")),
            },
            "<table><caption>; <th scope=col> per column; a sortable column's header holds a "
            "link and aria-sort on the sorted one.",
            example={
                "caption": "Horaires d’ouverture",
                "columns": [{"label": "Jour"}, {"label": "Horaires"}],
                "rows": [["Lundi", "8 h 30 – 17 h"], ["Samedi", "9 h – 12 h"]],
            },
        ),
        _component(
            "pagination",
            "Links to the pages of a long list.",
            {
                "page": Param("a Django Page (from Paginator.get_page)", required=True),
                "query": Param("the rest of the query string, without page", default=""),
                "param": Param("the page parameter's name", default="page"),
                "label": Param("accessible name", default=_("Pagination")),
                "previous_label": Param("text of the previous link", default=_("Previous")),
                "next_label": Param("text of the next link", default=_("Next")),
            },
            "<nav aria-label><ul> of links; the current page has aria-current=page; previous "
            "and next links have text, not only arrows. Derived: pages (list of {number, url, "
            "current, label} with None for a gap), previous_url, next_url.",
            derive=_pagination,
        ),
        _component(
            "tabs",
            "Panels shown one at a time.",
            {
                "tabs": Param("list of {id, label, content}", required=True),
                "label": Param("accessible name of the tab list", required=True),
            },
            "role=tablist / tab / tabpanel with aria-selected and aria-controls, arrow keys "
            "move between tabs (the theme's script, from a static file); without script every "
            "panel is shown.",
            example={
                "label": "Informations",
                "tabs": [
                    {"id": "tab-horaires", "label": "Horaires", "content": "Du lundi au vendredi."},
                    {"id": "tab-acces", "label": "Accès", "content": "Bus ligne 3."},
                ],
            },
        ),
        _component(
            "accordion",
            "Sections that open and close (questions and answers).",
            {
                "items": Param("list of {id, title, content}", required=True),
                "heading_level": HEADING_LEVEL,
            },
            "Each title is a button (aria-expanded, aria-controls) inside a heading <hN>, or a "
            "<details><summary>.",
            example={
                "items": [
                    {
                        "id": "q1",
                        "title": "Quels justificatifs ?",
                        "content": "Une pièce d’identité.",
                    }
                ]
            },
        ),
        _component(
            "stepper",
            "Where the citizen is in a multi-step form.",
            {
                "steps": Param("list of step titles", required=True),
                "current": Param("the current step, from 1", required=True),
                "next_step_label": Param("what introduces the next step", default=_("Next step:")),
            },
            "A heading-like text “Step 2 of 4: Title” and the list of steps; the current one "
            "with aria-current=step. Derived: items (list of {number, title, state: done, "
            "current or todo}), status (“Step 2 of 4”), current_title, next_title.",
            derive=_stepper,
            example={
                "steps": ["Identité", "Demande", "Pièces jointes", "Récapitulatif"],
                "current": 2,
            },
        ),
        # --- forms -----------------------------------------------------------------------
        _component(
            "field",
            "One form field, whatever its type, with its label, hint and errors.",
            {
                "field": Param("a BoundField", required=True),
                "hide_label": Param("true: the label is for screen readers only"),
            },
            "Text, textarea, email, tel, number, date, time, select: <label for> + hint "
            "(aria-describedby) + error (aria-describedby, aria-invalid=true) + the input; "
            "radio and checkbox lists: <fieldset><legend>; a single checkbox: input then label; "
            "file: <input type=file> with the accepted types in the hint; address "
            "(lutetia.ui.fields.AddressField): a <fieldset><legend> of street, postcode and town, "
            "each input labelled, with autocomplete. Derived: kind (input, textarea, select, "
            "choices, checkbox, file, address, group, hidden: what the template branches on), "
            "hint_id and error_id (what {% ui_widget %} puts in aria-describedby), parts for an "
            "address (list of {id, name, label, value, autocomplete}).",
            derive=_field,
        ),
        _component(
            "fieldset",
            "A group of fields under a legend.",
            {
                "legend": Param("its title", required=True),
                "hint": Param("a text under the legend"),
                "id": Param("its id; its hint's is <id>-hint (needed for the hint)"),
                "content": Param("the enclosed fields", required=True),
            },
            "<fieldset><legend>, the hint referenced by aria-describedby.",
            block=True,
            example={"legend": "Vos coordonnées", "content": "<p>…</p>"},
        ),
        _component(
            "error_summary",
            "The list of a form's errors, at its top.",
            {
                "form": Param("a bound form with errors", required=True),
                "title": Param("its heading", default=_("There is a problem")),
            },
            "A region (role=alert, tabindex=-1, focused on load by the page) with a heading and "
            "one link per error to the field's id; the form's own errors first. Derived: links "
            "(list of {message, url}).",
            derive=_error_summary,
        ),
        _component(
            "form",
            "A whole form: CSRF token, error summary, every field, the submit button.",
            {
                "form": Param("the Django form", required=True),
                "submit_label": Param("the button's text", required=True),
                "action": Param("where it posts (default: this page)", default=""),
                "method": Param("post or get", choices=("post", "get"), default="post"),
                "csrf_token": Param("the CSRF token (given by the tag)"),
                "novalidate": Param("true: leave checks to the server", default=True),
            },
            "<form> with enctype multipart when a field is a file; the error summary, each "
            "field through the field component, then the button. Derived: multipart, "
            "has_errors, visible_fields, hidden_fields.",
            derive=_form,
        ),
        _component(
            "slot_calendar",
            "Free time slots to choose one from (appointments).",
            {
                "name": Param("the name of the radio inputs", required=True),
                "legend": Param("what is chosen", required=True),
                "days": Param(
                    "list of {label, slots: [{value, label, available, selected}]}; a value "
                    "is unique and has no space (it makes the radio's id)",
                    required=True,
                ),
                "previous_url": Param("link to the previous period"),
                "next_url": Param("link to the next period"),
                "previous_label": Param("its text", default=_("Earlier dates")),
                "next_label": Param("its text", default=_("Later dates")),
                "unavailable_text": Param("said of a taken slot", default=_("unavailable")),
            },
            "<fieldset><legend>, one group per day with its label as a heading, one radio per "
            "slot; a slot not available is disabled and says so in text.",
            example={
                "name": "slot",
                "legend": "Choisissez un créneau",
                "days": [
                    {
                        "label": "Lundi 30 novembre",
                        "slots": [
                            {"value": "2026-11-30T09:00", "label": "9 h 00", "available": True},
                            {"value": "2026-11-30T09:30", "label": "9 h 30", "available": False},
                        ],
                    }
                ],
            },
        ),
        _component(
            "map",
            "A container for a map drawn by a plugin's script.",
            {
                "id": Param("its id", required=True),
                "label": Param("what the map shows (accessible name)", required=True),
                "latitude": Param("centre"),
                "longitude": Param("centre"),
                "zoom": Param("zoom level", default=13),
                "fallback": Param("text or link shown without script (an address, a list)"),
            },
            "<div role=region aria-label> with the centre in data-* attributes and the "
            "fallback inside.",
            example={
                "id": "map-mairie",
                "label": "Plan d’accès à la mairie",
                "fallback": "1 place de la Mairie",
            },
        ),
        _component(
            "modal",
            "A dialog opened by a button.",
            {
                "id": Param("its id", required=True),
                "title": Param("its title", required=True),
                "open_label": Param("the text of the button that opens it", required=True),
                "content": Param("enclosed HTML", required=True),
                "close_label": Param("text of the close button", default=_("Close")),
            },
            "A <dialog aria-labelledby> (or role=dialog aria-modal=true) with a heading and a "
            "close button; focus moves in and back; Escape closes it.",
            block=True,
            example={
                "id": "modal-aide",
                "title": "Aide",
                "open_label": "Besoin d’aide ?",
                "content": "<p>Appelez le 02 38 00 00 00.</p>",
            },
        ),
    ]
}


def get_component(name: str) -> Component:
    """The component ``name``; `ComponentError` when the contract has none."""
    try:
        return COMPONENTS[name]
    except KeyError:
        raise ComponentError(
            f"there is no component {name!r}; the contract has {', '.join(sorted(COMPONENTS))}"
        ) from None


def _code(text: str) -> str:
    """HTML elements written as code, so Markdown shows them."""
    return re.sub(r"(<[^>]+>)", r"`\1`", text)


def reference_markdown() -> str:
    """The contract as Markdown, for ``docs/ui.md`` (a test keeps the two in step)."""
    from django.utils import translation

    with translation.override("en"):
        return _reference_markdown()


def _reference_markdown() -> str:
    lines = []
    for component in COMPONENTS.values():
        call = "uiblock" if component.block else "ui"
        lines += [f"### `{component.name}`", "", component.summary, ""]
        lines += ["| parameter | required | what |", "|---|---|---|"]
        for name, param in component.params.items():
            what = param.doc
            if param.choices:
                what += f" ({' / '.join(param.choices)})"
            if param.default not in (None, ""):
                what += f"; default `{param.default}`"
            lines.append(f"| `{name}` | {'yes' if param.required else ''} | {_code(what)} |")
        lines += ["", f"Outcome: {_code(component.outcome)}", ""]
        if component.block:
            lines += [f'Called with `{{% {call} "{component.name}" … %}}…{{% end{call} %}}`.', ""]
    return "\n".join(lines).rstrip() + "\n"
