"""The engine as agents and citizens meet it: starting, acting, failing, timing, versions."""

from datetime import timedelta

import pytest
from django.utils import timezone
from lutetia_workflow import engine, services
from lutetia_workflow.models import Case, HistoryEntry

from lutetia.audit.models import AuditEntry

pytestmark = pytest.mark.django_db(transaction=True)


def renamed(definition, old, new):
    """The definition with the state ``old`` renamed ``new`` everywhere."""
    import json

    text = json.dumps(definition).replace(f'"{old}"', f'"{new}"')
    return json.loads(text)


def case_of(message):
    return Case.objects.select_related("version", "site").get(resource_id=str(message.pk))


def test_a_new_message_starts_in_the_initial_state_of_its_workflow(workflow, send_message, citizen):
    message = send_message(owner=citizen)
    case = case_of(message)
    assert case.state == "received"
    assert case.reference == message.reference
    assert case.owner == citizen
    assert case.workgroup == message.workgroup
    assert case.version.number == 1
    [started] = engine.history(case, public=True)
    assert started.outcome == "started" and started.to_state == "received"


def test_without_a_bound_workflow_nothing_is_processed(db, send_message):
    message = send_message()
    assert not Case.objects.filter(resource_id=str(message.pk)).exists()


def test_an_agent_takes_then_answers_and_the_citizen_sees_the_public_part(
    workflow, send_message, processing_agent, citizen
):
    message = send_message(owner=citizen)
    case = case_of(message)
    assert [a.key for a in engine.available_actions(case, processing_agent)] == ["take", "note"]

    engine.perform(case, "take", processing_agent)
    case = case_of(message)
    assert case.state == "in_progress" and case.assignee == processing_agent

    engine.perform(case, "note", processing_agent, data={"task0-comment": "Called the roads team."})
    engine.perform(
        case_of(message), "answer", processing_agent, data={"task0-comment": "Repaired on Monday."}
    )
    case = case_of(message)
    message.refresh_from_db()
    assert case.state == "answered"
    assert message.status == "answered"  # the set_field task changed the resource itself

    agent_view = [(e.action, e.comment) for e in engine.history(case)]
    assert ("note", "Called the roads team.") in agent_view
    citizen_view = [(e.action, e.comment) for e in engine.history(case, public=True)]
    assert ("answer", "Repaired on Monday.") in citizen_view
    assert all(comment != "Called the roads team." for _action, comment in citizen_view)
    assert AuditEntry.objects.filter(action="workflow.action_done").count() == 3


def test_a_required_comment_missing_is_refused_and_nothing_moves(
    workflow, send_message, processing_agent
):
    message = send_message()
    engine.perform(case_of(message), "take", processing_agent)
    with pytest.raises(engine.InvalidInput) as refused:
        engine.perform(case_of(message), "answer", processing_agent, data={"task0-comment": ""})
    assert "task0-comment" in refused.value.errors
    assert case_of(message).state == "in_progress"


def test_an_agent_of_another_workgroup_may_not_act(workflow, send_message, other_processing_agent):
    case = case_of(send_message())
    assert engine.available_actions(case, other_processing_agent) == []
    with pytest.raises(engine.ActionNotAllowed):
        engine.perform(case, "take", other_processing_agent)
    assert Case.objects.get(pk=case.pk).state == "received"


def test_an_action_reserved_to_a_role(workflow, send_message, processing_agent):
    from django.contrib.auth.models import Group

    message = send_message()
    engine.perform(case_of(message), "take", processing_agent)
    engine.perform(case_of(message), "answer", processing_agent, data={"task0-comment": "Done."})
    case = case_of(message)
    assert "reopen" not in [a.key for a in engine.available_actions(case, processing_agent)]
    processing_agent.groups.add(Group.objects.create(name="Supervisors"))
    assert "reopen" in [a.key for a in engine.available_actions(case, processing_agent)]


def test_a_stale_page_gets_the_resource_changed_message(workflow, send_message, processing_agent):
    message = send_message()
    seen = case_of(message)  # two agents opened the page at revision 1
    engine.perform(seen, "take", processing_agent, revision=1)
    with pytest.raises(engine.StaleCase) as stale:
        engine.perform(
            case_of(message), "note", processing_agent, revision=1, data={"task0-comment": "late"}
        )
    assert "changed" in str(stale.value)
    assert case_of(message).history.filter(action="note").count() == 0


def test_a_failing_task_rolls_the_whole_action_back_and_the_failure_is_in_the_history(
    workflow, send_message, processing_agent
):
    message = send_message()
    engine.perform(case_of(message), "take", processing_agent)
    before = case_of(message)
    with pytest.raises(engine.ActionFailed) as failed:
        engine.perform(before, "break", processing_agent)
    assert "status" in str(failed.value)
    after = case_of(message)
    assert after.state == "in_progress"
    assert after.assignee == processing_agent  # the first task (unassign) was undone too
    assert after.revision == before.revision
    failure = after.history.get(outcome="failed")
    assert failure.action == "break" and "nonsense" in failure.error
    assert [t["ok"] for t in failure.tasks] == [True, False]
    assert AuditEntry.objects.filter(action="workflow.action_failed", outcome="error").exists()


def test_a_failing_task_can_send_the_resource_down_the_alternative_path(
    workflow, send_message, processing_agent
):
    message = send_message()
    engine.perform(case_of(message), "take", processing_agent)
    entry = engine.perform(case_of(message), "break_softly", processing_agent)
    case = case_of(message)
    assert case.state == "problem"
    assert case.assignee == processing_agent  # the tasks' work was undone
    assert entry.outcome == "alternative" and "nonsense" in entry.error


def test_timed_action_applies_after_its_delay_only(workflow, send_message):
    now = timezone.now()
    fresh, old = send_message(), send_message()
    Case.objects.filter(resource_id=str(old.pk)).update(entered_at=now - timedelta(days=31))
    report = engine.run_timed(now)
    assert report.applied == 1
    assert case_of(fresh).state == "received"
    archived = case_of(old)
    assert archived.state == "closed" and archived.closed_at is not None
    assert archived.history.get(action="close_silent").actor_name == "Scheduler"
    assert engine.run_timed(now).applied == 0  # archived cases are no longer swept


def test_the_citizen_withdraws_their_own_message_only(
    workflow, send_message, citizen, other_citizen
):
    case = case_of(send_message(owner=citizen))
    assert [a.key for a in engine.available_actions(case, citizen, "citizen")] == ["withdraw"]
    assert engine.available_actions(case, other_citizen, "citizen") == []
    with pytest.raises(engine.ActionNotAllowed):
        engine.perform(case, "withdraw", other_citizen, trigger="citizen")
    engine.perform(case, "withdraw", citizen, trigger="citizen")
    assert Case.objects.get(pk=case.pk).state == "closed"


def test_a_mass_action_takes_each_case_it_can(workflow, send_message, processing_agent):
    cases = [case_of(send_message()) for _ in range(3)]
    engine.perform(cases[0], "take", processing_agent)
    done, refused = engine.perform_many(
        [Case.objects.get(pk=c.pk) for c in cases], "take", processing_agent
    )
    assert len(done) == 2
    assert len(refused) == 1 and refused[0][0].pk == cases[0].pk


def test_an_edited_workflow_is_a_new_version_and_cases_keep_theirs_until_migrated(
    workflow, send_message, site_admin
):
    old_case = case_of(send_message())
    workflow.draft = renamed(workflow.draft, "received", "new")
    workflow.save()
    services.publish(workflow, site_admin)
    new_case = case_of(send_message())
    assert (old_case.version.number, new_case.version.number) == (1, 2)
    assert Case.objects.get(pk=old_case.pk).state == "received"
    assert new_case.state == "new"

    v1, v2 = workflow.versions.order_by("number")
    preview = services.preview_migration(v1, v2)
    assert preview.stranded == {"received": 1}
    with pytest.raises(ValueError):
        services.migrate_cases(preview, site_admin)
    preview = services.preview_migration(v1, v2, {"received": "new"})
    assert preview.moves["received"] == (1, "new") and not preview.stranded
    assert services.migrate_cases(preview, site_admin) == 1
    moved = Case.objects.get(pk=old_case.pk)
    assert (moved.version.number, moved.state) == (2, "new")
    assert moved.history.filter(outcome=HistoryEntry.Outcome.MIGRATED).count() == 1


def test_publishing_an_unchanged_draft_is_refused(workflow, site_admin):
    with pytest.raises(services.PublishRefused):
        services.publish(workflow, site_admin)


def test_the_scheduler_job_runs_the_sweep_one_case_at_a_time(workflow, send_message):
    from lutetia.jobs import services as jobs
    from lutetia.jobs.registry import periodic_jobs

    job = periodic_jobs["workflow.timed_actions"]
    assert job.plugin == "workflow" and not job.atomic
    old = send_message()
    Case.objects.filter(resource_id=str(old.pk)).update(
        entered_at=timezone.now() - timedelta(days=40)
    )
    assert jobs.run_job("workflow.timed_actions") == "success"
    assert case_of(old).state == "closed"


def test_a_disabled_workflow_starts_nothing_new_but_its_cases_go_on(
    workflow, send_message, processing_agent
):
    under_way = case_of(send_message())
    workflow.enabled = False
    workflow.save()
    new = send_message()
    assert not Case.objects.filter(resource_id=str(new.pk)).exists()
    engine.perform(
        Case.objects.select_related("version", "site").get(pk=under_way.pk),
        "take",
        processing_agent,
    )
    assert Case.objects.get(pk=under_way.pk).state == "in_progress"


def test_a_scope_removed_with_its_object_takes_its_binding_away(
    workflow, site_admin, django_capture_on_commit_callbacks
):
    """A service or form deleted: the workflow bound to its scope no longer waits for it."""
    from lutetia_workflow.models import Binding

    from lutetia.resources import remove_scope

    services.bind("contact.message", "topic:roads", workflow, site_admin)
    with django_capture_on_commit_callbacks(execute=True):  # PostgreSQL: audit at commit
        remove_scope("contact.message", "topic:roads", actor=site_admin)
    assert not Binding.objects.filter(scope="topic:roads").exists()
    assert Binding.objects.filter(resource_type="contact.message", scope="").exists()  # others
    unbound = AuditEntry.objects.filter(action="workflow.bound").order_by("-pk").first()
    import json

    assert json.loads(unbound.details)["scope"] == "topic:roads"
    assert unbound.actor_id == str(site_admin.pk)
    remove_scope("contact.message", "topic:parks")  # nothing bound there: nothing happens
