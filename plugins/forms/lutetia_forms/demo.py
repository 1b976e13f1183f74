"""The demo city's forms: a school canteen registration (steps, a repeatable group, conditions,
a file) and a report of a problem in the street (anonymous, with an address and a photo)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.utils import translation
from django.utils.translation import pgettext

from . import services
from .models import Category, Form

# Texts are data in the site's language; the context keeps another app's translation of the
# same English word from winning (see docs/plugins.md, "Translations").


def canteen_definition() -> dict:
    return {
        "format": 1,
        "steps": [
            {
                "key": "family",
                "title": pgettext("demo form", "Your family"),
                "questions": [
                    {
                        "key": "parent_name",
                        "type": "profile",
                        "label": pgettext("demo form", "Your name"),
                        "required": True,
                        "config": {"attribute": "full_name", "locked": False},
                        "column": True,
                    },
                    {
                        "key": "phone",
                        "type": "phone",
                        "label": pgettext("demo form", "Your phone number"),
                        "required": True,
                    },
                    {
                        "key": "address",
                        "type": "address",
                        "label": pgettext("demo form", "Your address"),
                        "required": True,
                    },
                    {
                        "key": "quotient",
                        "type": "yes_no",
                        "label": pgettext("demo form", "Do you know your family quotient?"),
                        "required": True,
                        "filter": True,
                        "column": True,
                    },
                    {
                        "key": "quotient_value",
                        "type": "number",
                        "label": pgettext("demo form", "Family quotient (euros)"),
                        "required": True,
                        "config": {"min": 0, "max": 10000},
                        "when": {"question": "quotient", "op": "eq", "value": True},
                    },
                ],
            },
            {
                "key": "children",
                "title": pgettext("demo form", "Your children"),
                "questions": [
                    {
                        "key": "children",
                        "type": "group",
                        "label": pgettext("demo form", "Children to register"),
                        "required": True,
                        "config": {
                            "min": 1,
                            "max": 6,
                            "add_label": pgettext("demo form", "Add another child"),
                            "item_label": pgettext("demo form", "Child"),
                            "questions": [
                                {
                                    "key": "first_name",
                                    "type": "text",
                                    "label": pgettext("demo form", "First name"),
                                    "required": True,
                                },
                                {
                                    "key": "birth_date",
                                    "type": "date",
                                    "label": pgettext("demo form", "Date of birth"),
                                    "required": True,
                                    "config": {"min": "-12y", "max": "-2y"},
                                },
                                {
                                    "key": "school",
                                    "type": "choice",
                                    "label": pgettext("demo form", "School"),
                                    "required": True,
                                    "config": {
                                        "widget": "select",
                                        "choices": [
                                            {
                                                "value": "jaures",
                                                "label": pgettext(
                                                    "demo form", "Jean Jaurès school"
                                                ),
                                            },
                                            {
                                                "value": "curie",
                                                "label": pgettext(
                                                    "demo form", "Marie Curie school"
                                                ),
                                            },
                                        ],
                                    },
                                },
                            ],
                        },
                    },
                    {
                        "key": "days",
                        "type": "choices",
                        "label": pgettext("demo form", "Days at the canteen"),
                        "required": True,
                        "filter": True,
                        "config": {
                            "min": 1,
                            "choices": [
                                {"value": "mon", "label": pgettext("demo form", "Monday")},
                                {"value": "tue", "label": pgettext("demo form", "Tuesday")},
                                {"value": "thu", "label": pgettext("demo form", "Thursday")},
                                {"value": "fri", "label": pgettext("demo form", "Friday")},
                            ],
                        },
                    },
                    {
                        "key": "diet",
                        "type": "choice",
                        "label": pgettext("demo form", "Meals"),
                        "required": True,
                        "column": True,
                        "filter": True,
                        "config": {
                            "choices": [
                                {"value": "standard", "label": pgettext("demo form", "Standard")},
                                {
                                    "value": "no_meat",
                                    "label": pgettext("demo form", "Without meat"),
                                },
                                {
                                    "value": "medical",
                                    "label": pgettext("demo form", "Medical diet (care plan)"),
                                },
                            ]
                        },
                    },
                ],
                "transitions": [
                    {
                        "to": "documents",
                        "when": {"question": "diet", "op": "eq", "value": "medical"},
                    },
                    {"to": "consent"},
                ],
            },
            {
                "key": "documents",
                "title": pgettext("demo form", "Care plan"),
                "questions": [
                    {
                        "key": "care_plan",
                        "type": "file",
                        "label": pgettext("demo form", "The child's individual care plan (PAI)"),
                        "required": True,
                        "config": {
                            "types": ["application/pdf", "image/jpeg", "image/png"],
                            "max_size_mb": 5,
                            "max_count": 2,
                        },
                    },
                ],
            },
            {
                "key": "consent",
                "title": pgettext("demo form", "Photos and outings"),
                "questions": [
                    {
                        "key": "photos",
                        "type": "yes_no",
                        "label": pgettext(
                            "demo form", "May your children appear in the school's photos?"
                        ),
                        "required": True,
                    },
                    {
                        "key": "remarks",
                        "type": "textarea",
                        "label": pgettext("demo form", "Anything else we should know"),
                        "config": {"max_length": 1000},
                    },
                ],
            },
        ],
    }


def ensure_demo_forms(site, stdout=None) -> Form:
    """Once: the canteen form, published; the demo's agents may process responses."""
    existing = Form.objects.filter(site=site, slug="canteen").first()
    if existing is not None:
        return existing
    with translation.override(settings.LANGUAGE_CODE):
        form = _canteen(site)
    services.publish(form)
    agents = Group.objects.filter(name="Agents").first()
    if agents is not None:
        agents.permissions.add(
            Permission.objects.get(content_type__app_label="forms", codename="process_response")
        )
    if stdout is not None:
        stdout.write(f"form: {form.title} (/services/forms/{form.slug}/)")
    return form


def _canteen(site) -> Form:
    category, _created = Category.objects.get_or_create(
        site=site, name=pgettext("demo form", "Schools and children")
    )
    return Form.objects.create(
        site=site,
        slug="canteen",
        title=pgettext("demo form", "School canteen registration"),
        description=pgettext(
            "demo form", "Register your children at the school canteen for the school year."
        ),
        category=category,
        enabled=True,
        reference_prefix="CAN",
        confirmation_message=pgettext(
            "demo form", "The schools department answers within ten days."
        ),
        terms=pgettext(
            "demo form",
            "The information you give is used by the schools department to register your children at the canteen and is kept for two years.",
        ),
        retention_days=730,
        draft=canteen_definition(),
    )
