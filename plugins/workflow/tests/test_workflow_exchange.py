"""Sharing workflows between cities: export to a JSON file, import it elsewhere."""

import json

import pytest
from lutetia_workflow import definition as wf
from lutetia_workflow import services
from lutetia_workflow.exchange import MAX_BYTES, ImportRefused, dumps, export, import_workflow
from lutetia_workflow.models import Workflow
from workflow_samples import message_workflow

from lutetia.audit.models import AuditEntry

pytestmark = pytest.mark.django_db

WEBHOOK = {
    "type": "webhook",
    "config": {"url": "https://partner.example.org/hook", "secret": "s3cr3t-do-not-share"},
}


@pytest.fixture
def shared(workflow, site_admin):
    """The message workflow, with a signed webhook in its draft (not published)."""
    draft = message_workflow()
    draft["actions"][0]["tasks"].append(WEBHOOK)
    draft["states"][3]["on_arrival"] = [WEBHOOK]
    services.save_draft(workflow, draft, site_admin)
    workflow.description = "How the town hall answers its mail."
    workflow.save()
    return workflow


def test_an_export_carries_the_draft_without_its_secrets(shared):
    document = export(shared)
    assert document["lutetia_workflow"] == 1
    assert document["uid"] == str(shared.uid)
    assert document["name"] == "Messages to the town hall"
    assert document["description"] == "How the town hall answers its mail."
    assert document["exported_at"]
    webhook = document["definition"]["actions"][0]["tasks"][-1]
    assert webhook["type"] == "webhook" and webhook["config"]["secret"] == ""
    assert webhook["config"]["url"] == "https://partner.example.org/hook"
    assert document["definition"]["states"][3]["on_arrival"][0]["config"]["secret"] == ""
    assert len(document["notes"]) == 2
    assert "“Take it”" in document["notes"][1] and "“Answered”" in document["notes"][0]

    text = dumps(document)
    assert "s3cr3t" not in text and shared.hook_secret not in text
    # The workflow itself keeps its secret.
    shared.refresh_from_db()
    assert shared.draft["actions"][0]["tasks"][-1]["config"]["secret"] == "s3cr3t-do-not-share"


def test_a_version_can_be_exported_instead_of_the_draft(shared):
    version = shared.latest_version()
    document = export(shared, version)
    assert document["definition"] == version.definition != shared.draft
    assert document["version"] == version.number and document["notes"] == []


def test_export_then_import_gives_the_same_workflow_disabled(shared, site_admin):
    text = dumps(export(shared))
    imported = import_workflow(text.encode(), site_admin)

    assert imported.pk != shared.pk
    assert imported.enabled is False  # nothing starts before an administrator checks it
    assert not imported.versions.exists() and not imported.bindings.exists()
    assert imported.description == shared.description
    expected = json.loads(json.dumps(shared.draft))
    expected["actions"][0]["tasks"][-1]["config"]["secret"] = ""
    expected["states"][3]["on_arrival"][0]["config"]["secret"] = ""
    assert wf.parse(imported.draft) == wf.parse(expected)
    assert imported.draft == wf.parse(expected).to_json()
    # Same database: the name and uid are taken, so the copy gets its own.
    assert imported.name == "Messages to the town hall (2)"
    assert imported.uid != shared.uid
    assert imported.hook_secret != shared.hook_secret


def test_an_import_into_another_city_keeps_the_uid_and_name(shared):
    document = json.loads(dumps(export(shared)))
    Workflow.objects.filter(pk=shared.pk).update(
        name="Renamed", uid="00000000-0000-4000-8000-000000000001"
    )
    imported = import_workflow(document)
    assert str(imported.uid) == document["uid"]
    assert imported.name == "Messages to the town hall"


def test_names_stay_unique_after_several_imports(shared):
    text = dumps(export(shared))
    names = [import_workflow(text).name for _ in range(3)]
    assert names == [
        "Messages to the town hall (2)",
        "Messages to the town hall (3)",
        "Messages to the town hall (4)",
    ]


def test_an_import_is_audited(shared, site_admin, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        imported = import_workflow(dumps(export(shared)), site_admin)
    entry = AuditEntry.objects.get(action="workflow.imported")
    assert entry.target_id == str(imported.pk)
    assert entry.actor_name == site_admin.email


def test_nothing_in_the_file_is_run(site_admin):
    """Texts with placeholders are kept as written: they are rendered only when a case runs."""
    data = message_workflow()
    data["states"][3]["on_arrival"] = [
        {
            "type": "notify_citizen",
            "config": {
                "channels": ["email"],
                "subject": "{% now 'Y' %} {{ reference }}",
                "body": "{{ fields.name|upper }}",
            },
        }
    ]
    document = {"lutetia_workflow": 1, "uid": "x", "name": "Placeholders", "definition": data}
    imported = import_workflow(document, site_admin)
    config = imported.draft["states"][3]["on_arrival"][0]["config"]
    assert config["subject"] == "{% now 'Y' %} {{ reference }}"
    assert config["body"] == "{{ fields.name|upper }}"


def document(**changes) -> dict:
    data = {
        "lutetia_workflow": 1,
        "uid": "6f1c1f04-7f0e-4a53-9d1b-1a5f8f3f0a11",
        "name": "Shared",
        "description": "",
        "definition": message_workflow(),
    }
    data.update(changes)
    return data


def with_definition(**overrides) -> dict:
    return document(definition=message_workflow(**overrides))


def two_initials() -> dict:
    data = message_workflow()
    data["states"][1]["initial"] = True
    return document(definition=data)


def unknown_task() -> dict:
    data = message_workflow()
    data["actions"][0]["tasks"] = [{"type": "launch_missiles", "config": {}}]
    return document(definition=data)


def unknown_condition() -> dict:
    data = message_workflow()
    data["actions"][0]["conditions"] = {"type": "moon_phase", "phase": "full"}
    return document(definition=data)


def strange_shape() -> dict:
    data = message_workflow()
    data["actions"][0]["alternative_target"] = ["not", "a", "key"]
    return document(definition=data)


REFUSED = [
    pytest.param(b"{not json", "not JSON", id="not-json"),
    pytest.param(b"\xff\xfe\x00garbage", "not JSON", id="not-utf8"),
    pytest.param(b'{"a": NaN}', "not JSON", id="nan"),
    pytest.param(b" " * (MAX_BYTES + 1), "too big", id="too-big"),
    pytest.param("[1, 2, 3]", "not a Lutetia workflow", id="a-list"),
    pytest.param({"name": "A form", "fields": []}, "not a Lutetia workflow", id="other-json"),
    pytest.param(document(lutetia_workflow="1"), "not a Lutetia workflow", id="format-text"),
    pytest.param(document(lutetia_workflow=2), "newer Lutetia", id="format-too-new"),
    pytest.param(document(name=""), "needs a name", id="no-name"),
    pytest.param(document(name="x" * 151), "needs a name", id="name-too-long"),
    pytest.param(document(description=["x"]), "description", id="description-not-text"),
    pytest.param(document(definition=[]), "is a JSON object", id="definition-not-object"),
    pytest.param(two_initials(), "exactly one initial state", id="two-initial-states"),
    pytest.param(with_definition(format=9), "Unknown definition format", id="definition-too-new"),
    pytest.param(unknown_task(), "unknown task type “launch_missiles”", id="unknown-task"),
    pytest.param(
        unknown_condition(), "unknown condition type “moon_phase”", id="unknown-condition"
    ),
    pytest.param(strange_shape(), "unexpected shape", id="strange-shape"),
]


@pytest.mark.parametrize(("data", "reason"), REFUSED)
def test_a_refused_import_says_why_and_leaves_nothing(data, reason, site_admin):
    before = Workflow.objects.count()
    with pytest.raises(ImportRefused) as refused:
        import_workflow(data, site_admin)
    assert reason in str(refused.value)
    assert Workflow.objects.count() == before
    assert not AuditEntry.objects.filter(action="workflow.imported").exists()


def test_a_task_naming_a_workgroup_missing_here_is_refused_with_its_place(site_admin):
    data = message_workflow()
    data["actions"][0]["tasks"] = [
        {"type": "assign", "config": {"mode": "workgroup", "workgroup": "somewhere-else"}}
    ]
    with pytest.raises(ImportRefused) as refused:
        import_workflow(document(definition=data), site_admin)
    assert "“take”" in str(refused.value) and "workgroup" in str(refused.value)
    assert not Workflow.objects.exists()
