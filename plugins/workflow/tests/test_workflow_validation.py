"""The checks the designer shows before publishing: what must be fixed, what should be known."""

import pytest
from django.contrib.auth.models import Group
from lutetia_workflow import definition as wf
from lutetia_workflow.validation import ERROR, WARNING, errors, report
from workflow_samples import message_workflow

pytestmark = pytest.mark.django_db


def sound_workflow() -> dict:
    """The message workflow with its two mistakes fixed: "waiting" (reached by nothing) is gone
    and the "problem" state, reached when a task fails, has a way out."""
    data = message_workflow()
    data["states"] = [state for state in data["states"] if state["key"] != "waiting"]
    data["actions"].append(
        {"key": "retry", "name": "Try again", "sources": ["problem"], "target": "in_progress"}
    )
    return data


def check(data: dict, resource_type: str | None = None):
    return report(wf.parse(data), resource_type)


def about(problems, *, state="", action=""):
    return [
        p
        for p in problems
        if (not state or p.state == state) and (not action or p.action == action)
    ]


def action(key, source, target, **options):
    return {
        "key": key,
        "name": key.replace("_", " ").capitalize(),
        "sources": [source],
        "target": target,
        **options,
    }


def test_a_sound_workflow_has_no_error():
    problems = check(sound_workflow())
    assert errors(problems) == []
    # What is left is worth knowing, not blocking.
    assert {p.level for p in problems} <= {WARNING}


def test_a_state_nobody_can_reach_is_named():
    problems = check(message_workflow())
    [unreachable] = [p for p in about(problems, state="waiting") if "initial state" in p.message]
    assert unreachable.level == WARNING
    assert "Waiting for the citizen" in unreachable.message
    # "problem" is reached only when a task fails: the alternative target counts as a way in.
    assert not [p for p in about(problems, state="problem") if "initial state" in p.message]


def test_a_state_reached_only_through_a_rule_is_reachable():
    data = sound_workflow()
    data["states"].append({"key": "urgent", "name": "Urgent"})
    data["actions"].append(action("solve", "urgent", "answered"))
    data["actions"][0]["tasks"].append(
        {
            "type": "choose_state",
            "config": {
                "rules": [
                    {
                        "conditions": {
                            "type": "field",
                            "field": "subject",
                            "op": "contains",
                            "value": "urgent",
                        },
                        "state": "urgent",
                    }
                ],
            },
        }
    )
    assert not about(check(data), state="urgent")


def test_a_dead_end_is_an_error_that_blocks_publishing():
    problems = check(message_workflow())
    dead_ends = [p for p in errors(problems) if "No way out" in p.message]
    assert {p.state for p in dead_ends} == {"problem", "waiting"}
    assert any("“Problem”" in p.message for p in dead_ends)


def test_a_final_state_with_an_action_leaving_it_is_a_warning():
    [problem] = about(check(sound_workflow()), state="answered")
    assert problem.level == WARNING
    assert "“Answered” is final" in problem.message and "“Reopen”" in problem.message


def test_an_action_that_stays_and_does_nothing_is_a_warning():
    data = sound_workflow()
    data["actions"].append(action("look", "in_progress", "in_progress"))
    [problem] = about(check(data), action="look")
    assert problem.level == WARNING and "does nothing" in problem.message
    # The internal note stays too, but it writes a comment: it does something.
    assert not about(check(data), action="note")


def test_automatic_actions_without_conditions_that_loop_are_an_error():
    data = sound_workflow()
    data["states"].append({"key": "ping", "name": "Ping"})
    data["actions"] += [
        action("to_ping", "problem", "ping", trigger="automatic"),
        action("to_problem", "ping", "problem", trigger="automatic"),
    ]
    [loop] = [p for p in errors(check(data)) if "loop" in p.message]
    assert "“To ping”" in loop.message and "“To problem”" in loop.message
    assert "“Ping”" in loop.message and "“Problem”" in loop.message

    # A condition that can stop it: no longer an error.
    data["actions"][-1]["conditions"] = {"type": "time_in_state", "minutes": 60, "op": "ge"}
    assert not [p for p in check(data) if "loop" in p.message]


def test_an_automatic_action_staying_in_its_state_loops():
    data = sound_workflow()
    data["actions"].append(
        action(
            "spin",
            "problem",
            "problem",
            trigger="automatic",
            tasks=[{"type": "assign", "config": {"mode": "unassign"}}],
        )
    )
    assert [p for p in errors(check(data)) if "loop" in p.message and p.action == "spin"]


@pytest.mark.parametrize("trigger", ["automatic", "timed", "citizen", "api"])
def test_an_unattended_action_whose_task_needs_the_agent_is_an_error(trigger):
    data = sound_workflow()
    data["actions"].append(
        action(
            "auto",
            "problem",
            "in_progress",
            trigger=trigger,
            delay_minutes=60 if trigger == "timed" else 0,
            tasks=[{"type": "comment", "config": {"required": True}}],
        )
    )
    [problem] = about(errors(check(data)), action="auto")
    assert "Agent comment" in problem.message


def test_an_unattended_action_with_an_optional_question_is_fine():
    data = sound_workflow()
    data["actions"].append(
        action(
            "auto",
            "problem",
            "in_progress",
            trigger="automatic",
            conditions={"type": "time_in_state", "minutes": 5, "op": "ge"},
            tasks=[
                {"type": "comment", "config": {"required": False}},
                {"type": "assign", "config": {"mode": "unassign"}},
            ],
        )
    )
    assert not about(check(data), action="auto")


def test_an_arrival_task_that_asks_the_agent_is_an_error():
    data = sound_workflow()
    data["states"][1]["on_arrival"] = [
        {
            "type": "agent_fields",
            "config": {"fields": [{"name": "amount", "label": "Amount", "kind": "number"}]},
        }
    ]
    [problem] = about(errors(check(data)), state="in_progress")
    assert "on arrival in “In progress”" in problem.message


def test_ask_citizen_must_name_a_citizen_action():
    data = sound_workflow()
    ask = {
        "type": "ask_citizen",
        "config": {"message": "Your address?", "deadline_days": 10, "then_action": "take"},
    }
    data["actions"][0]["tasks"].append(ask)
    [problem] = about(errors(check(data)), action="take")
    assert "“take”" in problem.message and "citizen action" in problem.message

    ask["config"]["then_action"] = "nowhere"
    assert about(errors(check(data)), action="take")

    # A citizen action leaving the state where the resource waits: fine.
    ask["config"]["then_action"] = "withdraw"
    assert not about(check(data), action="take")


def test_a_rule_choosing_an_unknown_state_is_an_error():
    data = sound_workflow()
    data["actions"][0]["tasks"].append(
        {
            "type": "choose_state",
            "config": {
                "rules": [
                    {
                        "conditions": {
                            "type": "field",
                            "field": "subject",
                            "op": "empty",
                            "value": "",
                        },
                        "state": "in_progress",
                    }
                ],
                "default": "limbo",
            },
        }
    )
    [problem] = about(errors(check(data)), action="take")
    assert "“limbo”" in problem.message and "does not exist" in problem.message


def test_roles_and_workgroups_that_do_not_exist_here_are_warnings(workgroup):
    data = sound_workflow()
    data["actions"][0]["workgroups"] = ["mairie-11", "mairie-99"]
    problems = check(data)
    [role] = about(problems, action="reopen")
    assert role.level == WARNING and "“Supervisors”" in role.message
    [code] = about(problems, action="take")
    assert code.level == WARNING and "“mairie-99”" in code.message

    Group.objects.create(name="Supervisors")
    assert not about(check(data), action="reopen")


def test_fields_are_checked_against_the_resource_type():
    data = sound_workflow()
    data["actions"][0]["tasks"].append(
        {
            "type": "agent_fields",
            "config": {"fields": [{"name": "urgency", "label": "Urgency", "kind": "text"}]},
        }
    )
    data["actions"].append(
        action(
            "sort",
            "problem",
            "in_progress",
            conditions={
                "all": [
                    {"type": "field", "field": "subject", "op": "not_empty", "value": ""},
                    {"type": "field", "field": "data.urgency", "op": "eq", "value": "high"},
                    {"type": "field", "field": "colour", "op": "eq", "value": "red"},
                    {"type": "field", "field": "data.mood", "op": "eq", "value": "bad"},
                ]
            },
            tasks=[
                {"type": "set_field", "config": {"field": "name", "value": "x"}},
                {"type": "set_field", "config": {"field": "size", "value": "x"}},
            ],
        )
    )
    problems = about(check(data, "contact.message"), action="sort")
    texts = [(p.level, p.message) for p in problems]
    assert not any("“subject”" in text or "“data.urgency”" in text for _level, text in texts)
    assert any(level == WARNING and "“colour”" in text for level, text in texts)
    assert any(level == WARNING and "“data.mood”" in text for level, text in texts)
    assert any(
        level == ERROR and "“name”" in text and "may not change" in text for level, text in texts
    )
    assert any(
        level == ERROR and "“size”" in text and "do not have" in text for level, text in texts
    )
    # "status" is writable: the answer action's set_field is fine.
    assert not about(check(data, "contact.message"), action="answer")

    # Without a resource type, only the workflow fields are checked.
    texts = [p.message for p in about(check(data), action="sort")]
    assert any("“data.mood”" in text for text in texts)
    assert not any("“colour”" in text or "“size”" in text for text in texts)


def test_errors_come_first_and_name_what_they_are_about():
    problems = check(message_workflow())
    levels = [p.level for p in problems]
    assert levels == sorted(levels, key=lambda level: level != ERROR)
    assert all(p.state or p.action for p in problems)


def test_an_empty_workflow_cannot_be_published():
    assert [p.level for p in report(wf.parse(wf.empty()))] == [ERROR]
