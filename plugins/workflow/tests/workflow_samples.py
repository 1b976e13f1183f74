"""The workflow the tests design: a town hall's handling of contact messages."""


def message_workflow(*, sound: bool = False, **overrides) -> dict:
    """A town hall's handling of messages, as an administrator would design it: a draft with two
    mistakes the checks find ("waiting" is reached by nothing, "problem" has no way out), or,
    with ``sound``, fixed so that it can be published."""
    definition = {
        "format": 1,
        "states": [
            {
                "key": "received",
                "name": "Received",
                "public_label": "Received",
                "colour": "#000091",
                "initial": True,
            },
            {"key": "in_progress", "name": "In progress", "public_label": "Being handled"},
            {
                "key": "waiting",
                "name": "Waiting for the citizen",
                "public_label": "Waiting for you",
            },
            {"key": "answered", "name": "Answered", "public_label": "Answered", "final": True},
            {"key": "closed", "name": "Closed", "public_label": "Closed", "final": True},
            {"key": "problem", "name": "Problem", "public_label": "Being handled"},
        ],
        "actions": [
            {
                "key": "take",
                "name": "Take it",
                "sources": ["received"],
                "target": "in_progress",
                "mass": True,
                "tasks": [{"type": "assign", "config": {"mode": "actor"}}],
            },
            {
                "key": "answer",
                "name": "Answer",
                "sources": ["in_progress"],
                "target": "answered",
                "tasks": [
                    {"type": "comment", "config": {"visible_to_citizen": True, "required": True}},
                    {"type": "set_field", "config": {"field": "status", "value": "answered"}},
                ],
            },
            {
                "key": "note",
                "name": "Internal note",
                "sources": ["received", "in_progress"],
                "target": "in_progress",
                "public": False,
                "tasks": [
                    {"type": "comment", "config": {"visible_to_citizen": False, "required": True}}
                ],
            },
            {
                "key": "break",
                "name": "Set a wrong status",
                "sources": ["in_progress"],
                "target": "answered",
                "tasks": [
                    {"type": "assign", "config": {"mode": "unassign"}},
                    {"type": "set_field", "config": {"field": "status", "value": "nonsense"}},
                ],
            },
            {
                "key": "break_softly",
                "name": "Try, else flag",
                "sources": ["in_progress"],
                "target": "answered",
                "alternative_target": "problem",
                "on_failure": "alternative",
                "tasks": [
                    {"type": "assign", "config": {"mode": "unassign"}},
                    {"type": "set_field", "config": {"field": "status", "value": "nonsense"}},
                ],
            },
            {
                "key": "close_silent",
                "name": "Close unanswered",
                "sources": ["received"],
                "target": "closed",
                "trigger": "timed",
                "delay_minutes": 30 * 24 * 60,
                "tasks": [{"type": "archive", "config": {}}],
            },
            {
                "key": "withdraw",
                "name": "Withdraw my message",
                "sources": ["received", "in_progress"],
                "target": "closed",
                "trigger": "citizen",
            },
            {
                "key": "paid",
                "name": "Payment received",
                "sources": ["in_progress"],
                "target": "answered",
                "trigger": "api",
            },
            {
                "key": "reopen",
                "name": "Reopen",
                "sources": ["answered"],
                "target": "in_progress",
                "roles": ["Supervisors"],
            },
        ],
    }
    if sound:
        definition["actions"] += [
            {
                "key": "ask",
                "name": "Ask the citizen",
                "sources": ["in_progress"],
                "target": "waiting",
            },
            {
                "key": "completed",
                "name": "I answered",
                "sources": ["waiting"],
                "target": "in_progress",
                "trigger": "citizen",
            },
            {"key": "retry", "name": "Try again", "sources": ["problem"], "target": "in_progress"},
        ]
    definition.update(overrides)
    return definition
