"""A service's question asked only after a given answer to a single choice or yes/no question
before it: checked when saved, said on the page, required only when asked, dropped otherwise;
set in the back office without JSON, and kept consistent when questions move or go."""

from __future__ import annotations

import pytest
from appointments_samples import a_working_day, identity_cards, slot_at
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from lutetia_appointments import questions
from test_config_admin import admin, question_data, text, url  # noqa: F401 (admin: a fixture)
from test_front_office import DETAILS, INDEX, book_through_pages, held_in, hold_page

from lutetia.testing.pytest_plugin import in_site_language

pytestmark = pytest.mark.django_db

DOCUMENT = {
    "key": "document",
    "label": "Document",
    "type": "choice",
    "required": True,
    "choices": [["id_card", "Identity card"], ["passport", "Passport"]],
}
CHILDREN = {
    "key": "children",
    "label": "Children on the passport",
    "type": "number",
    "required": True,
    "shown_if": {"key": "document", "value": "passport"},
}


def test_a_condition_names_an_earlier_choice_and_one_of_its_answers():
    kept = questions.validate([DOCUMENT, CHILDREN])
    assert kept[1]["shown_if"] == {"key": "document", "value": "passport"}
    wrong = [
        [CHILDREN, DOCUMENT],  # on a later question
        [DOCUMENT, {**CHILDREN, "shown_if": {"key": "document", "value": "visa"}}],
        [{**DOCUMENT, "type": "text"}, CHILDREN],  # on a question of free text
        [DOCUMENT, {**CHILDREN, "shown_if": "document=passport"}],
    ]
    for listed in wrong:
        with pytest.raises(ValidationError) as refused:
            questions.validate(listed)
        assert "its condition must name" in " ".join(refused.value.messages)


def test_the_citizen_answers_a_conditional_question_only_when_it_is_asked(client, default_site):
    agenda = identity_cards(default_site, questions=[DOCUMENT, CHILDREN])
    day = a_working_day(agenda)
    held = held_in(hold_page(client, agenda, slot_at(agenda, day, 9)))
    page = client.get(f"{INDEX}h/{held.uid}/")
    hint = in_site_language(
        lambda: (
            _("Only if %(condition)s.")
            % {"condition": questions.describe_condition(CHILDREN, [DOCUMENT, CHILDREN])}
        )
    )
    assert "Passport" in hint and hint in page.content.decode()
    # the script hides it until then: it knows which answer shows it
    assert 'data-shown-if="q_document" data-shown-if-value="passport"' in page.content.decode()

    # asked (a passport) and not answered: refused at the question, nothing kept
    answer = client.post(f"{INDEX}h/{held.uid}/", {**DETAILS, "q_document": "passport"})
    assert answer.status_code == 400
    assert answer.context["form"].errors["q_children"] == [
        in_site_language("This field is required.")
    ]
    held.refresh_from_db()
    assert held.answers == {}

    # not asked (an identity card): an answer given anyway is dropped
    booked = book_through_pages(
        client,
        agenda,
        slot_at(agenda, day, 10),
        {**DETAILS, "q_document": "id_card", "q_children": "two"},  # even not a number
    )
    assert booked.answers == {"document": "id_card"}
    # asked and answered
    booked = book_through_pages(
        client,
        agenda,
        slot_at(agenda, day, 11),
        {**DETAILS, "email": "dominique@example.org", "q_document": "passport", "q_children": "2"},
    )
    assert booked.answers == {"document": "passport", "children": "2"}


def test_the_back_office_sets_a_condition_and_keeps_it_consistent(admin, agenda):  # noqa: F811
    service = agenda.service
    service.questions = [DOCUMENT]
    service.save()
    form = text(admin.get(url("question_add", service.pk) + "?type=number"))
    assert 'value="document=passport"' in form  # the answers a new question may depend on
    answer = admin.post(
        url("question_add", service.pk) + "?type=number",
        question_data(
            label="Children on the passport", required="on", shown_if="document=passport"
        ),
    )
    assert answer.status_code == 302
    service.refresh_from_db()
    assert service.questions[1]["shown_if"] == {"key": "document", "value": "passport"}
    listing = text(admin.get(url("questions", service.pk)))
    assert "Passport" in listing

    # moving it before the question it depends on, or removing that one, is refused
    key = service.questions[1]["key"]
    for command in ((key, "up"), ("document", "delete")):
        refused = admin.post(url("question_command", service.pk, *command))
        assert refused.status_code == 302
        shown = text(admin.get(refused["Location"]))
        assert in_site_language(
            "its condition must name a single choice or yes/no question before it, and one of "
            "its answers."
        ) in shown.replace("&#x27;", "'")
    service.refresh_from_db()
    assert [q["key"] for q in service.questions] == ["document", key]
