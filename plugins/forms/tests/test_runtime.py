"""The definition, the conditions, the path through the steps and the validation report."""

from __future__ import annotations

import pytest
from django.http import QueryDict
from forms_samples import permit
from lutetia_forms import definition as fd
from lutetia_forms import runtime
from lutetia_forms.conditions import holds
from lutetia_forms.questions import FillContext
from lutetia_forms.validation import errors, report


def test_parsing_names_the_part_at_fault():
    broken = permit()
    broken["steps"][1]["questions"][0]["key"] = "Kind Of"
    with pytest.raises(fd.DefinitionError, match="step 2"):
        fd.parse(broken)
    twice = permit()
    twice["steps"][1]["questions"][0]["key"] = "name"
    with pytest.raises(fd.DefinitionError, match="“name” is used twice"):
        fd.parse(twice)


@pytest.mark.parametrize(
    ("condition", "answers", "expected"),
    [
        ({"question": "a", "op": "eq", "value": 3}, {"a": "3"}, True),
        ({"question": "a", "op": "gt", "value": 3}, {"a": 2}, False),
        ({"question": "a", "op": "ge", "value": "2026-01-01"}, {"a": "2026-03-01"}, True),
        ({"question": "a", "op": "eq", "value": True}, {"a": True}, True),
        ({"question": "a", "op": "eq", "value": True}, {}, False),
        ({"question": "a", "op": "ne", "value": "x"}, {}, True),
        ({"question": "a", "op": "contains", "value": "tue"}, {"a": ["mon", "tue"]}, True),
        ({"question": "a", "op": "in", "value": ["x", "y"]}, {"a": "y"}, True),
        ({"question": "a", "op": "empty"}, {"a": []}, True),
        ({"question": "a", "op": "gt", "value": 3}, {"a": "many"}, False),
        (
            {
                "any": [
                    {"question": "a", "op": "filled"},
                    {"not": {"question": "b", "op": "filled"}},
                ]
            },
            {"b": 1},
            False,
        ),
    ],
)
def test_conditions(condition, answers, expected):
    assert holds(fd.parse_condition(condition, "test"), answers) is expected


def test_the_path_follows_the_first_transition_that_holds():
    definition = fd.parse(permit())
    assert runtime.path(definition, {"kind": "concert"}) == [
        "applicant",
        "request",
        "sound",
        "summary_note",
    ]
    assert runtime.path(definition, {"kind": "market"}) == ["applicant", "request", "summary_note"]


def test_answers_of_questions_hidden_since_are_dropped():
    definition = fd.parse(permit())
    step = definition.step("applicant")
    data = QueryDict(mutable=True)
    data.update(
        {
            "name": "A",
            "email": "a@example.org",
            "age": "30",
            "company": "no",
            "siret": "12345678901234",
        }
    )
    outcome = runtime.check_step(definition, step, {}, FillContext(), data=data)
    assert outcome.valid
    assert "siret" not in outcome.answers
    assert outcome.answers["company"] is False


def test_missing_finds_a_mandatory_answer_of_a_step_on_the_path_only():
    definition = fd.parse(permit())
    answers = {
        "name": "A",
        "email": "a@example.org",
        "age": 30,
        "company": False,
        "kind": "market",
        "day": "2099-01-01",
    }
    assert runtime.missing(definition, answers) == []
    concert = {**answers, "kind": "concert"}
    assert [q.key for _s, q in runtime.missing(definition, concert)] == ["decibels", "plan"]


def test_the_report_finds_conditions_on_later_questions_and_backward_transitions():
    broken = permit()
    broken["steps"][0]["questions"][0]["when"] = {"question": "kind", "op": "filled"}
    broken["steps"][2]["transitions"] = [{"to": "applicant"}]
    broken["steps"][1]["questions"][1]["when"] = {"question": "kind", "op": "eq", "value": "circus"}
    problems = report(fd.parse(broken))
    messages = [problem.message for problem in errors(problems)]
    assert any("comes later" in message for message in messages)
    assert any("steps only go forward" in message for message in messages)
    assert any(
        "none of the choices" in problem.message for problem in problems if not problem.is_error
    )


def test_the_sample_form_is_sound():
    assert errors(report(fd.parse(permit()))) == []


def test_a_repeatable_group_adds_and_removes_repetitions_without_javascript():
    group = {
        "format": 1,
        "steps": [
            {
                "key": "kids",
                "title": "Children",
                "questions": [
                    {
                        "key": "children",
                        "type": "group",
                        "label": "Children",
                        "config": {
                            "min": 1,
                            "max": 3,
                            "questions": [
                                {
                                    "key": "first_name",
                                    "type": "text",
                                    "label": "First name",
                                    "required": True,
                                }
                            ],
                        },
                    }
                ],
            }
        ],
    }
    definition = fd.parse(group)
    step = definition.step("kids")
    data = QueryDict(mutable=True)
    data.update({"children__count": "1", "children__0__first_name": "Léa"})
    added = runtime.check_step(
        definition, step, {}, FillContext(), data=data, action="add:children", lenient=True
    )
    assert added.counts == {"children": 2}
    data = QueryDict(mutable=True)
    data.update(
        {"children__count": "2", "children__0__first_name": "Léa", "children__1__first_name": "Noé"}
    )
    outcome = runtime.check_step(definition, step, {}, FillContext(), data=data)
    assert outcome.valid and outcome.answers["children"] == [
        {"first_name": "Léa"},
        {"first_name": "Noé"},
    ]
    data = QueryDict(mutable=True)
    data.update(
        {"children__count": "2", "children__0__first_name": "Léa", "children__1__first_name": "Noé"}
    )
    removed = runtime.check_step(
        definition, step, {}, FillContext(), data=data, action="remove:children:0", lenient=True
    )
    assert removed.counts == {"children": 1}
    assert removed.answers["children"] == [{"first_name": "Noé"}]
    data = QueryDict(mutable=True)
    data.update({"children__count": "1", "children__0__first_name": ""})
    assert not runtime.check_step(definition, step, {}, FillContext(), data=data).valid


def test_a_computed_value_and_a_table():
    computed = {
        "format": 1,
        "steps": [
            {
                "key": "costs",
                "title": "Costs",
                "questions": [
                    {"key": "adults", "type": "number", "label": "Adults", "required": True},
                    {"key": "children", "type": "number", "label": "Children", "required": True},
                    {
                        "key": "total",
                        "type": "computed",
                        "label": "Total",
                        "config": {"formula": "adults * 12.5 + children * 5", "decimals": 2},
                    },
                    {
                        "key": "grid",
                        "type": "table",
                        "label": "Rooms",
                        "config": {"rows": ["Hall", "Kitchen"], "columns": ["Width", "Length"]},
                    },
                ],
            }
        ],
    }
    definition = fd.parse(computed)
    assert errors(report(definition)) == []
    data = QueryDict(mutable=True)
    data.update(
        {
            "adults": "2",
            "children": "3",
            "grid__0__0": "4",
            "grid__0__1": "5",
            "grid__1__0": "2",
            "grid__1__1": "3",
        }
    )
    outcome = runtime.check_step(definition, definition.step("costs"), {}, FillContext(), data=data)
    assert outcome.valid
    assert outcome.answers["total"] == "40.00"
    assert outcome.answers["grid"] == [["4", "5"], ["2", "3"]]


def test_a_formula_may_not_call_anything():
    bad = {
        "format": 1,
        "steps": [
            {
                "key": "s",
                "title": "S",
                "questions": [
                    {"key": "a", "type": "number", "label": "A"},
                    {
                        "key": "t",
                        "type": "computed",
                        "label": "T",
                        "config": {"formula": "__import__('os').system('x')"},
                    },
                ],
            }
        ],
    }
    assert any("may only use" in problem.message for problem in errors(report(fd.parse(bad))))


def test_settings_of_the_wrong_kind_are_reported_not_raised():
    data = permit()
    data["steps"][0]["questions"][2]["config"] = {"min": "sixteen"}
    data["steps"][1]["questions"].append(
        {
            "key": "tags",
            "type": "choices",
            "label": "Tags",
            "config": {"min": "x", "choices": [{"value": "a"}]},
        }
    )
    messages = [problem.message for problem in errors(report(fd.parse(data)))]
    assert sum("must be a number" in message for message in messages) == 2
