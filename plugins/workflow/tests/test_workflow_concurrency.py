"""Two agents clicking at once on PostgreSQL, each on its own connection: one action applies,
the other agent is told the resource changed. Nothing is locked between page and click."""

import threading
import time

import pytest
from django.db import connections
from lutetia_workflow import engine, services
from lutetia_workflow.models import Case, Workflow
from lutetia_workflow.tasks import TaskOutcome, TaskType, task_types

from lutetia.testing.pytest_plugin import in_site_language

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def definition(sound_definition):
    """Here the message workflow is published: its sound version."""
    return sound_definition


class Slow(TaskType):
    """Holds the action's transaction open a while, so the other agent's click lands inside it."""

    verbose_name = "slow"

    def run(self, context, config):
        time.sleep(0.3)
        return TaskOutcome("slow")


@pytest.fixture
def slow_workflow(site_admin, definition):
    task_types.register("test_slow")(Slow())
    for action in definition["actions"]:
        if action["key"] == "take":
            action["tasks"].append({"type": "test_slow", "config": {}})
    flow = Workflow.objects.create(name="Slow", draft=definition)
    services.publish(flow, site_admin)
    services.bind("contact.message", "", flow, site_admin)
    yield flow
    task_types.unregister("test_slow")


def run_together(*calls):
    """Run each call in its own thread (its own database connection) at the same moment."""
    barrier = threading.Barrier(len(calls))
    outcomes = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait()
            outcomes[index] = ("done", call())
        except engine.WorkflowError as exc:
            outcomes[index] = (type(exc).__name__, str(exc))
        except Exception as exc:  # reported by the assertion that follows
            outcomes[index] = ("crash", repr(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def test_two_agents_two_actions_at_once_exactly_one_applies(
    slow_workflow, send_message, processing_agent, site_admin
):
    from lutetia.testing.pytest_plugin import grant

    message = send_message()
    case_id = Case.objects.get(resource_id=str(message.pk)).pk
    admin = grant(site_admin, "workflow.process_case")

    def click(user, action, data=None):
        def call():
            case = Case.objects.select_related("version", "site").get(pk=case_id)
            return engine.perform(case, action, user, revision=1, data=data).action

        return call

    first, second = run_together(
        click(processing_agent, "take"),
        click(admin, "note", {"task0-comment": "Forwarded to the roads team."}),
    )
    outcomes = sorted([first[0], second[0]])
    assert outcomes == ["StaleCase", "done"], (first, second)
    loser = first if first[0] == "StaleCase" else second
    # Threads speak the site's language (the test's English does not reach them).
    assert loser[1] == in_site_language(lambda: str(engine.StaleCase()))
    case = Case.objects.get(pk=case_id)
    assert case.revision == 2
    assert case.history.exclude(outcome="started").count() == 1


def test_eight_agents_taking_the_same_case_one_wins(slow_workflow, send_message, processing_agent):
    message = send_message()
    case_id = Case.objects.get(resource_id=str(message.pk)).pk

    def take():
        case = Case.objects.select_related("version", "site").get(pk=case_id)
        return engine.perform(case, "take", processing_agent, revision=1).action

    outcomes = run_together(*[take] * 8)
    assert sorted(kind for kind, _detail in outcomes) == ["StaleCase"] * 7 + ["done"], outcomes
    assert Case.objects.get(pk=case_id).history.filter(action="take").count() == 1
