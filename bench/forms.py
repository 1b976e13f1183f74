"""The forms plugin's cost: a step checked, a response submitted end to end, the back-office
list at 100,000 responses, and its exports streamed.

    python bench/forms.py [--runs 300] [--submissions 100] [--responses 100000] [--list-runs 7]

Uses a throw-away SQLite database in a temporary folder, or the PostgreSQL database named by
DATABASE_URL if set (its tables are migrated, and forms and responses are added to it: give it
an empty database). One 5-step, 40-question form with 30 conditions (`big_form`: every common
question type, conditions over earlier answers with all/any/not and most operators, conditions
inside a step, 2 step transitions) is published, and a small workflow is bound to it, as an
administrator would (`services.publish`, `lutetia_workflow.services.bind`). Before measuring,
the bench checks that the form works: the validation report has no error, the sample answers
go through the five steps, `runtime.missing` is empty (it stops otherwise). In the same run, it
measures:

1. step validation: ``runtime.check_step`` on the POSTed QueryDict of the biggest step (15
   questions, a repeatable group of 2 children, 10 conditions on answers of the same step),
   median and p95 of ``--runs`` checks; against a plain Django form holding the same fields,
   built once, validating the same QueryDict (what Django alone costs). The other steps'
   medians too.
2. submissions end to end, each as a citizen's requests do it: a draft (``services.start``),
   then for each of the 5 steps the draft loaded as the step view loads it, the posted step
   checked (``runtime.check_step``) and kept (``services.save_step``), then
   ``services.submit``: numbered, the workflow's case started (its history entry, the
   response's state), the access-log entries, the confirmation e-mail with its PDF receipt
   queued in the outbox (and its delivery task queued, ``LUTETIA_TASK_BACKEND=database``).
   Against the bare SQL the same path writes, through Django's cursor, one transaction each as
   in the end-to-end path: the INSERT of the draft row; per step, one UPDATE of the draft
   (answers, visited steps, current step, dates); at submission, the UPDATE of the reference
   counter (``last = last + 1 ... RETURNING``), the UPDATE of the response (status,
   reference, dates, answers, e-mail, search text, workgroup) and the INSERT of the outbox
   row, its data holding a receipt of the same size made beforehand. The baseline leaves out
   the reads, the PDF rendering, the workflow case and its history, the audit entries and the
   task row. Alternating blocks of 20 so drift hits both alike; submissions/s, the ratio, the
   time of each part, and the SQL statements of one submission by kind.
3. the back-office list (what ``admin_responses.ResponsesView`` runs, without the template):
   ``--responses`` submitted responses (and a twentieth as many drafts) bulk-created across
   three forms, answers and search text as submissions make them, states, assignees,
   submitted over the past year. As an agent of the forms' workgroup: the latest
   definition, ``listing.visible`` / ``apply`` / ``states`` (cached, as between two changes of
   a workflow) / ``list_columns`` / ``listing.page`` (the ids sorted and skipped, then the
   page's rows read by id), the paginator's COUNT and one page of
   ``admin_responses.PAGE_SIZE`` rows with their cells displayed; the list across forms on
   the site (its index), as the view runs it; one form's list
   (first page, a page deep in it), filtered by state, by a choice question, by a text search
   (a family name), and the list across forms. Median of ``--list-runs``.
4. the query plans (after ANALYZE; EXPLAIN ANALYZE on PostgreSQL) of those lists' page
   queries: the main one (one form's first page) in full, whether each uses the index
   ``forms_resp_form_list``, and in full the plans of the lists over the goal.
5. exports of the 100,000 rows across forms as a site administrator (the fixed columns):
   ``exports.write_csv`` into a sink that keeps nothing and ``exports.write_xlsx`` to a
   temporary file, against loading the same rows into a list (``list()`` of the export's
   queryset, the naive way). Each in a forked process of its own: rows/s and the growth of
   the peak RSS (``resource.getrusage``) in one run, the tracemalloc peak in another
   (tracemalloc slows allocation and holds records of its own). Then the family form's
   export with every question (answers read), ``write_csv`` against ``list()`` the same way
   (its XLSX would take the run past ten minutes).

Goals (issue 6): step validation under 20 ms; the filtered list under 200 ms; exports streamed
without loading the rows in memory (peak memory reported).
"""

from __future__ import annotations

import argparse
import gc
import io
import json
import logging
import os
import random
import re
import resource
import secrets
import statistics
import sys
import tempfile
import time
import traceback
import tracemalloc
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BLOCK = 20
WARM_UP = 5
BATCH = 5000
POOL = 2000
LIST_INDEX = "forms_resp_form_list"
STEP_GOAL_MS = 20.0
LIST_GOAL_MS = 200.0
#: the share of the responses each form gets (the third one belongs to another workgroup)
SHARES = (0.7, 0.2, 0.1)


def setup(tmp: Path) -> str:
    for key in [k for k in os.environ if k.startswith("LUTETIA_")]:
        del os.environ[key]
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "lutetia.settings",
            "LUTETIA_DATA_DIR": str(tmp / "var"),
            "LUTETIA_SECRET_KEY": secrets.token_urlsafe(50),
            "LUTETIA_ALLOWED_HOSTS": "testserver,localhost",
            "LUTETIA_LOG_LEVEL": "info",
            "LUTETIA_LOG_FORMAT": "json",
            "LUTETIA_EMAIL_URL": "console://",
            # As in production: e-mails are queued in the database for `lutetia worker`, so a
            # submission pays for queueing its confirmation, not for sending it.
            "LUTETIA_TASK_BACKEND": "database",
        }
    )
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    # The JSON lines (the audit's, the workflow's, Django's) go to a file, as to a collector.
    log_file = (tmp / "log.jsonl").open("w")
    for handler in logging.getLogger().handlers:
        if isinstance(handler, logging.StreamHandler):
            handler.setStream(log_file)
    call_command("migrate", verbosity=0, interactive=False)
    return settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]


# --- the form --------------------------------------------------------------------------------


def _choices(*values: str) -> dict:
    return {"choices": [{"value": v, "label": v.replace("_", " ").capitalize()} for v in values]}


def _eq(key: str, value) -> dict:
    return {"question": key, "op": "eq", "value": value}


def big_form(today: date | None = None) -> dict:
    """A family-services application: 5 steps, 40 questions, 30 conditions, 2 transitions.

    Every common type (text, e-mail, phone, number with ranges, date with limits, time, single
    and multiple choice, yes/no, long text, a repeatable group, computed values); conditions
    over earlier answers with all/any/not and the operators eq ne in not_in gt ge lt le filled
    empty contains; the second step holds the most questions and 10 conditions on answers of
    that same step."""
    today = today or date.today()
    soon = (today + timedelta(days=60)).isoformat()
    person = _eq("applicant_kind", "person")
    has_children = _eq("children", True)
    return {
        "format": 1,
        "steps": [
            {
                "key": "applicant",
                "title": "You",
                "questions": [
                    {
                        "key": "applicant_kind",
                        "type": "choice",
                        "label": "You apply as",
                        "required": True,
                        "column": True,
                        "filter": True,
                        "anonymise": False,
                        "config": _choices("person", "company", "association"),
                    },
                    {
                        "key": "full_name",
                        "type": "text",
                        "label": "Your full name",
                        "required": True,
                        "column": True,
                        "pattern": "letters",
                        "config": {"max_length": 120},
                    },
                    {"key": "email", "type": "email", "label": "E-mail address", "required": True},
                    {"key": "phone", "type": "phone", "label": "Phone number"},
                    {
                        "key": "birth_date",
                        "type": "date",
                        "label": "Date of birth",
                        "required": True,
                        "config": {"min": "-120y", "max": "-16y"},
                        "when": person,
                    },
                    {
                        "key": "company_name",
                        "type": "text",
                        "label": "Name of the company or association",
                        "required": True,
                        "when": {"question": "applicant_kind", "op": "ne", "value": "person"},
                    },
                    {
                        "key": "siret",
                        "type": "text",
                        "label": "SIRET number",
                        "required": True,
                        "pattern": "fr_siret",
                        "when": _eq("applicant_kind", "company"),
                    },
                ],
                "transitions": [
                    {
                        "to": "request",
                        "when": {
                            "all": [
                                _eq("applicant_kind", "association"),
                                {"not": {"question": "company_name", "op": "empty"}},
                            ]
                        },
                    }
                ],
            },
            {
                "key": "household",
                "title": "Your household",
                "questions": [
                    {
                        "key": "household_size",
                        "type": "number",
                        "label": "People in the household",
                        "required": True,
                        "config": {"min": 1, "max": 15},
                    },
                    {
                        "key": "children",
                        "type": "yes_no",
                        "label": "Do you have children under 18?",
                        "required": True,
                        "filter": True,
                    },
                    {
                        "key": "children_count",
                        "type": "number",
                        "label": "How many?",
                        "required": True,
                        "config": {"min": 1, "max": 10},
                        "when": has_children,
                    },
                    {
                        "key": "child_list",
                        "type": "group",
                        "label": "Your children",
                        "config": {
                            "min": 1,
                            "max": 10,
                            "add_label": "Add a child",
                            "questions": [
                                {
                                    "key": "child_name",
                                    "type": "text",
                                    "label": "First name",
                                    "required": True,
                                },
                                {
                                    "key": "child_birth",
                                    "type": "date",
                                    "label": "Date of birth",
                                    "required": True,
                                    "config": {"max": "today"},
                                },
                                {
                                    "key": "child_school",
                                    "type": "choice",
                                    "label": "School",
                                    "config": _choices("none", "nursery", "primary", "secondary"),
                                },
                            ],
                        },
                        "when": {
                            "all": [
                                has_children,
                                {"question": "children_count", "op": "ge", "value": 1},
                            ]
                        },
                    },
                    {
                        "key": "income",
                        "type": "number",
                        "label": "Yearly income of the household (euros)",
                        "config": {"min": 0, "max": 1000000},
                    },
                    {
                        "key": "income_band",
                        "type": "choice",
                        "label": "Then, roughly",
                        "required": True,
                        "config": _choices("low", "middle", "high"),
                        "when": {"question": "income", "op": "empty"},
                    },
                    {
                        "key": "benefits",
                        "type": "choices",
                        "label": "Benefits you receive",
                        "config": {
                            **_choices("housing", "family", "disability", "unemployment", "none"),
                            "max": 3,
                        },
                        "when": {
                            "any": [
                                {"question": "income", "op": "lt", "value": 30000},
                                _eq("income_band", "low"),
                            ]
                        },
                    },
                    {
                        "key": "benefit_number",
                        "type": "text",
                        "label": "Family benefits number",
                        "required": True,
                        "pattern": "digits",
                        "when": {
                            "all": [
                                {"question": "benefits", "op": "contains", "value": "family"},
                                {"not": _eq("children", False)},
                            ]
                        },
                    },
                    {
                        "key": "disability",
                        "type": "yes_no",
                        "label": "Does someone in the household live with a disability?",
                        "required": True,
                    },
                    {
                        "key": "disability_details",
                        "type": "textarea",
                        "label": "What we should know to welcome them",
                        "required": True,
                        "config": {"max_length": 2000},
                        "when": _eq("disability", True),
                    },
                    {
                        "key": "per_person",
                        "type": "computed",
                        "label": "Income per person",
                        "config": {"formula": "income / household_size", "decimals": 2},
                        "when": {"question": "income", "op": "filled"},
                    },
                    {
                        "key": "housing",
                        "type": "choice",
                        "label": "Your home",
                        "required": True,
                        "config": _choices("owner", "tenant", "hosted", "other"),
                    },
                    {
                        "key": "rent",
                        "type": "number",
                        "label": "Monthly rent (euros)",
                        "required": True,
                        "config": {"min": 0, "max": 10000},
                        "when": _eq("housing", "tenant"),
                    },
                    {
                        "key": "rent_aid",
                        "type": "yes_no",
                        "label": "Do you receive a housing allowance?",
                        "required": True,
                        "when": {
                            "all": [
                                _eq("housing", "tenant"),
                                {"question": "rent", "op": "gt", "value": 500},
                            ]
                        },
                    },
                    {
                        "key": "housing_other",
                        "type": "text",
                        "label": "Describe your home",
                        "required": True,
                        "when": _eq("housing", "other"),
                    },
                ],
            },
            {
                "key": "request",
                "title": "Your request",
                "questions": [
                    {
                        "key": "service",
                        "type": "choice",
                        "label": "Service",
                        "required": True,
                        "column": True,
                        "filter": True,
                        "anonymise": False,
                        "config": {
                            **_choices("canteen", "nursery", "leisure", "transport"),
                            "widget": "select",
                        },
                    },
                    {
                        "key": "start_date",
                        "type": "date",
                        "label": "From",
                        "required": True,
                        "column": True,
                        "config": {"min": "today", "max": "+1y"},
                    },
                    {
                        "key": "days",
                        "type": "choices",
                        "label": "Days",
                        "required": True,
                        "config": {**_choices("mon", "tue", "wed", "thu", "fri"), "min": 1},
                        "when": {
                            "question": "service",
                            "op": "in",
                            "value": ["canteen", "nursery", "leisure"],
                        },
                    },
                    {
                        "key": "diet",
                        "type": "choice",
                        "label": "Diet",
                        "required": True,
                        "config": _choices("none", "vegetarian", "no_pork", "medical"),
                        "when": _eq("service", "canteen"),
                    },
                    {
                        "key": "diet_details",
                        "type": "textarea",
                        "label": "The medical diet (we may ask for a certificate)",
                        "required": True,
                        "when": _eq("diet", "medical"),
                    },
                    {
                        "key": "transport_stop",
                        "type": "text",
                        "label": "Bus stop",
                        "required": True,
                        "when": _eq("service", "transport"),
                    },
                    {
                        "key": "urgent",
                        "type": "yes_no",
                        "label": "Is it urgent?",
                        "required": True,
                        "filter": True,
                        "when": {"question": "start_date", "op": "lt", "value": soon},
                    },
                ],
                "transitions": [
                    {
                        "to": "consent",
                        "when": {"all": [_eq("service", "transport"), _eq("urgent", False)]},
                    }
                ],
            },
            {
                "key": "details",
                "title": "Details",
                "questions": [
                    {
                        "key": "reason",
                        "type": "textarea",
                        "label": "Tell us why",
                        "required": True,
                        "when": {
                            "any": [
                                _eq("urgent", True),
                                _eq("income_band", "low"),
                                {"question": "income", "op": "le", "value": 12000},
                            ]
                        },
                    },
                    {
                        "key": "contact_time",
                        "type": "time",
                        "label": "When may we call you?",
                        "config": {"min": "08:00", "max": "19:00"},
                        "when": {"question": "phone", "op": "filled"},
                    },
                    {
                        "key": "previous",
                        "type": "yes_no",
                        "label": "Did you apply before?",
                        "required": True,
                        "when": person,
                    },
                    {
                        "key": "previous_reference",
                        "type": "text",
                        "label": "Its reference",
                        "when": _eq("previous", True),
                    },
                    {
                        "key": "previous_year",
                        "type": "number",
                        "label": "Its year",
                        "required": True,
                        "config": {"min": 2000, "max": 2100},
                        "when": {
                            "all": [
                                _eq("previous", True),
                                {"question": "previous_reference", "op": "filled"},
                            ]
                        },
                    },
                    {
                        "key": "siblings_enrolled",
                        "type": "number",
                        "label": "Brothers and sisters already enrolled",
                        "config": {"min": 0, "max": 10},
                        "when": {
                            "all": [
                                has_children,
                                {
                                    "question": "service",
                                    "op": "in",
                                    "value": ["canteen", "nursery"],
                                },
                            ]
                        },
                    },
                    {
                        "key": "priority",
                        "type": "computed",
                        "label": "Priority points",
                        "config": {
                            "formula": "(household_size + children_count) * 2",
                            "decimals": 0,
                        },
                        "when": has_children,
                    },
                ],
            },
            {
                "key": "consent",
                "title": "Last details",
                "questions": [
                    {
                        "key": "comments",
                        "type": "textarea",
                        "label": "Anything else?",
                        "when": {
                            "any": [
                                {"question": "service", "op": "not_in", "value": ["transport"]},
                                {"question": "applicant_kind", "op": "ne", "value": "person"},
                            ]
                        },
                    },
                    {
                        "key": "newsletter",
                        "type": "yes_no",
                        "label": "Receive the family newsletter?",
                        "required": True,
                        "when": {"question": "email", "op": "filled"},
                    },
                    {
                        "key": "newsletter_topics",
                        "type": "choices",
                        "label": "About",
                        "config": {**_choices("schools", "events", "works"), "min": 1},
                        "when": _eq("newsletter", True),
                    },
                    {
                        "key": "certify",
                        "type": "yes_no",
                        "label": "I certify that these answers are true",
                        "required": True,
                    },
                ],
            },
        ],
    }


def small_form(kind: str) -> dict:
    """The two other forms of the list: an event permit and a report of street works."""
    if kind == "permit":
        questions = [
            {"key": "organiser", "type": "text", "label": "Organiser", "required": True},
            {"key": "email", "type": "email", "label": "E-mail address", "required": True},
            {
                "key": "event",
                "type": "choice",
                "label": "Event",
                "required": True,
                "column": True,
                "filter": True,
                "config": _choices("market", "concert", "sport", "other"),
            },
            {"key": "day", "type": "date", "label": "Day", "required": True},
            {"key": "people", "type": "number", "label": "People", "config": {"min": 1}},
            {"key": "details", "type": "textarea", "label": "Details"},
        ]
    else:
        questions = [
            {"key": "email", "type": "email", "label": "E-mail address", "required": True},
            {
                "key": "problem",
                "type": "choice",
                "label": "Problem",
                "required": True,
                "filter": True,
                "config": _choices("pothole", "lighting", "signs", "other"),
            },
            {"key": "street", "type": "text", "label": "Street", "required": True, "column": True},
            {"key": "danger", "type": "yes_no", "label": "Is it dangerous?", "required": True},
            {"key": "details", "type": "textarea", "label": "Details"},
        ]
    return {
        "format": 1,
        "steps": [{"key": "main", "title": "Your request", "questions": questions}],
    }


def shape(data: dict) -> dict[str, int]:
    """Steps, top-level questions, conditions (each question's or transition's ``when``) and
    transitions of a definition."""
    questions = [q for step in data["steps"] for q in step["questions"]]
    transitions = [t for step in data["steps"] for t in step.get("transitions", [])]
    return {
        "steps": len(data["steps"]),
        "questions": len(questions),
        "conditions": sum(bool(q.get("when")) for q in questions)
        + sum(bool(t.get("when")) for t in transitions),
        "transitions": len(transitions),
    }


def sample_posts(today: date) -> dict[str, dict]:
    """What a citizen posts at each step: every step on the path, most conditional questions
    shown (a person with two children, a canteen with a medical diet, urgent)."""
    return {
        "applicant": {
            "applicant_kind": "person",
            "full_name": "Camille Martin",
            "email": "camille.martin@example.org",
            "phone": "01 23 45 67 89",
            "birth_date": "1985-04-12",
        },
        "household": {
            "household_size": "4",
            "children": "yes",
            "children_count": "2",
            "child_list__count": "2",
            "child_list__0__child_name": "Léa",
            "child_list__0__child_birth": "2016-09-03",
            "child_list__0__child_school": "primary",
            "child_list__1__child_name": "Noé",
            "child_list__1__child_birth": "2020-02-17",
            "child_list__1__child_school": "nursery",
            "income": "24000",
            "benefits": ["housing", "family"],
            "benefit_number": "1234567",
            "disability": "yes",
            "disability_details": "Léa uses a wheelchair: the canteen must be step-free.",
            "housing": "tenant",
            "rent": "720",
            "rent_aid": "yes",
        },
        "request": {
            "service": "canteen",
            "start_date": (today + timedelta(days=14)).isoformat(),
            "days": ["mon", "tue", "thu", "fri"],
            "diet": "medical",
            "diet_details": "No gluten at all (coeliac disease), a certificate follows.",
            "urgent": "yes",
        },
        "details": {
            "reason": "I start a new job on the first of the month and work until 18:00.",
            "contact_time": "17:30",
            "previous": "yes",
            "previous_reference": "FAM-2025-000123",
            "previous_year": "2025",
            "siblings_enrolled": "1",
        },
        "consent": {
            "comments": "Thank you.",
            "newsletter": "yes",
            "newsletter_topics": ["schools", "events"],
            "certify": "yes",
        },
    }


def query_dict(data: dict, shown: list[str] = ()):
    """The POST a browser sends: the answers, the button, and the questions the page showed."""
    from django.http import QueryDict

    posted = QueryDict(mutable=True)
    for name, value in data.items():
        posted.setlist(name, [str(v) for v in value] if isinstance(value, list) else [str(value)])
    posted["_action"] = "next"
    posted.setlist("_shown", list(shown))
    posted._mutable = False
    return posted


def check_the_form(form, fx: dict) -> dict:
    """Fail loudly unless the form works: no error in its report, the sample answers go
    through the five steps, nothing is missing. Returns the posts, step by step."""
    from lutetia_forms import runtime, services, validation
    from lutetia_forms.questions import FillContext

    version = form.latest_version()
    definition = services.definition_of(version)
    problems = validation.report(definition)
    errors = validation.errors(problems)
    if errors:
        raise SystemExit("the form's report has errors: " + "; ".join(p.message for p in errors))
    wanted = {"steps": 5, "questions": 40, "conditions": 30, "transitions": 2}
    if shape(version.definition) != wanted:
        raise SystemExit(f"the form is {shape(version.definition)}, not {wanted}")
    samples = sample_posts(fx["today"])
    context = FillContext(site=fx["site"], user=fx["citizen"])
    answers: dict = {}
    posts, shown, order = {}, {}, []
    key = definition.steps[0].key
    while key != runtime.SUMMARY:
        step = definition.step(key)
        before = runtime.provisional(step, answers, query_dict(samples[key]), context)
        shown[key] = [q.key for q in runtime.shown_questions(step, before)]
        posts[key] = query_dict(samples[key], shown[key])
        outcome = runtime.check_step(
            definition, step, answers, context, data=posts[key], shown_before=shown[key]
        )
        if not outcome.valid:
            raise SystemExit(f"step {key} refused the sample answers: {outcome.form.errors}")
        answers = outcome.answers
        order.append(key)
        key = runtime.next_step(definition, step, answers)
    if order != [step.key for step in definition.steps]:
        raise SystemExit(f"the sample answers go through {order}, not the five steps")
    gaps = runtime.missing(definition, answers)
    if gaps:
        raise SystemExit(f"answers missing: {[question.key for _step, question in gaps]}")
    return {
        "definition": definition,
        "shape": shape(version.definition),
        "posts": posts,
        "shown": shown,
        "order": order,
        "answers": answers,
        "warnings": [p for p in problems if not p.is_error],
        "biggest": max(definition.steps, key=lambda step: len(step.questions)).key,
    }


# --- the people, the forms, the workflow -------------------------------------------------------


WORKFLOW = {
    "format": 1,
    "states": [
        {"key": "received", "name": "Received", "public_label": "Received", "initial": True},
        {"key": "review", "name": "Under review", "public_label": "Being examined"},
        {"key": "accepted", "name": "Accepted", "public_label": "Accepted", "final": True},
        {"key": "refused", "name": "Refused", "public_label": "Refused", "final": True},
    ],
    "actions": [
        {
            "key": "take",
            "name": "Take it",
            "sources": ["received"],
            "target": "review",
            "tasks": [{"type": "assign", "config": {"mode": "actor"}}],
        },
        {"key": "accept", "name": "Accept", "sources": ["review"], "target": "accepted"},
        {"key": "refuse", "name": "Refuse", "sources": ["review"], "target": "refused"},
    ],
}
STATES = [(s["key"], s["name"], s.get("final", False)) for s in WORKFLOW["states"]]


def fixtures() -> dict:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Permission
    from django.utils import timezone
    from lutetia_forms import services
    from lutetia_forms.models import Form
    from lutetia_workflow import services as workflow_services
    from lutetia_workflow.models import Workflow
    from wagtail.models import Site

    from lutetia.accounts import services as accounts
    from lutetia.accounts.models import Workgroup

    site = Site.objects.get(is_default_site=True)
    family = Workgroup.objects.create(name="Family services", code="family")
    roads = Workgroup.objects.create(name="Roads", code="roads")
    admin = accounts.create_user(
        "admin@example.org", None, first_name="Ada", last_name="Admin", is_staff=True
    )
    admin.is_superuser = True
    admin.save(update_fields=["is_superuser"])
    rights = [
        Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin"),
        Permission.objects.get(content_type__app_label="forms", codename="process_response"),
    ]
    agents = []
    for n, (first, last) in enumerate([("Alex", "Agent"), ("Bea", "Bureau"), ("Chris", "Clerc")]):
        user = accounts.create_user(
            f"agent{n}@example.org", None, first_name=first, last_name=last, is_staff=True
        )
        user.user_permissions.add(*rights)
        family.members.add(user)
        agents.append(get_user_model().objects.get(pk=user.pk))
    citizen = accounts.create_user("camille@example.org", None, first_name="Camille")
    made = {}
    for key, title, prefix, workgroup, draft in (
        ("big", "Family services application", "FAM", family, big_form()),
        ("permit", "Event permit", "EVT", family, small_form("permit")),
        ("works", "Street works report", "WRK", roads, small_form("works")),
    ):
        form = Form.objects.create(
            site=site,
            title=title,
            slug=key,
            workgroup=workgroup,
            enabled=True,
            reference_prefix=prefix,
            draft=draft,
        )
        services.publish(form, admin)
        made[key] = form
    flow = Workflow.objects.create(name="Family services", draft=WORKFLOW)
    workflow_services.publish(flow, admin)
    workflow_services.bind("forms.response", f"form:{made['big'].pk}", flow, admin)
    return {
        "site": site,
        "workgroups": (family, roads),
        "admin": get_user_model().objects.get(pk=admin.pk),
        "agents": agents,
        "citizen": citizen,
        "forms": made,
        "today": timezone.localdate(),
    }


# --- 1. step validation ------------------------------------------------------------------------


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(len(ordered) * share) - 1))]


def bench_steps(fx: dict, checked: dict, runs: int) -> dict:
    """check_step on each step (the biggest ``runs`` times), against a plain Django form."""
    from django import forms as django_forms
    from lutetia_forms import runtime, services

    definition = checked["definition"]
    access = services.start(fx["forms"]["big"], site=fx["site"], user=fx["citizen"])
    response = access.response
    context = services.fill_context(response, fx["citizen"])
    answers_before: dict = {}
    per_step = {}
    for key in checked["order"]:
        step = definition.step(key)
        data = checked["posts"][key]

        def check(step=step, data=data, answers=answers_before, shown=checked["shown"][key]):
            return runtime.check_step(
                definition, step, answers, context, data=data, shown_before=shown
            )

        count = runs if key == checked["biggest"] else max(20, runs // 10)
        outcome = check()
        assert outcome.valid
        times = []
        for _ in range(count):
            started = time.perf_counter()
            check()
            times.append((time.perf_counter() - started) * 1000)
        per_step[key] = {
            "median": statistics.median(times),
            "p95": percentile(times, 0.95),
            "runs": count,
            "questions": len(step.questions),
            "fields": len(outcome.form.fields),
        }
        if key == checked["biggest"]:
            # The same fields in a form class written once: only Django's validation.
            plain = type("Plain", (django_forms.Form,), dict(outcome.form.fields))
            assert plain(data=data).is_valid(), plain(data=data).errors
            plain_times = []
            for _ in range(count):
                started = time.perf_counter()
                plain(data=data).is_valid()
                plain_times.append((time.perf_counter() - started) * 1000)
            per_step[key]["plain_median"] = statistics.median(plain_times)
            per_step[key]["plain_p95"] = percentile(plain_times, 0.95)
            per_step[key]["conditions"] = sum(bool(q.when) for q in step.questions)
            per_step[key]["inner"] = sum(
                bool(q.when) and bool(set(_keys(q.when)) & {x.key for x in step.questions})
                for q in step.questions
            )
        answers_before = outcome.answers
    return per_step


def _keys(condition) -> set[str]:
    from lutetia_forms.conditions import referenced

    return referenced(condition)


# --- 2. submissions ----------------------------------------------------------------------------


def statements(queries: list[dict]) -> Counter:
    """SQL statements by kind: ``UPDATE forms_response``, ``INSERT lutetia_audit...``."""
    kinds: Counter = Counter()
    for query in queries:
        sql = query["sql"].strip()
        verb = sql.split(None, 1)[0].upper()
        table = re.search(r'(?:FROM|INTO|UPDATE)\s+"?([\w]+)"?', sql, re.IGNORECASE)
        if verb == "SELECT" and "lutetia_audit_append" in sql:
            kinds["SELECT lutetia_audit_append()"] += 1
        else:
            kinds[f"{verb} {table.group(1) if table else ''}".strip()] += 1
    return kinds


def load_draft(site, uid):
    """The draft as the step view loads it (``views._response_or_404``)."""
    from lutetia_forms.models import Response

    return (
        Response.objects.select_related("form", "version", "site")
        .filter(site=site, uid=uid)
        .first()
    )


def submit_end_to_end(fx: dict, checked: dict, parts: dict | None = None):
    """One citizen's way: a draft, five steps checked and kept, the submission."""
    from lutetia_forms import runtime, services

    form, site, citizen = fx["forms"]["big"], fx["site"], fx["citizen"]
    clock = time.perf_counter
    started = clock()
    uid = services.start(form, site=site, user=citizen).response.uid
    after_start = clock()
    checking = 0.0
    for key in checked["order"]:
        response = load_draft(site, uid)
        definition = services.definition_of(response.version)
        step = definition.step(key)
        context = services.fill_context(response, citizen)
        before = clock()
        outcome = runtime.check_step(
            definition,
            step,
            response.answers,
            context,
            data=checked["posts"][key],
            shown_before=checked["shown"][key],
        )
        checked_at = clock()
        if not outcome.valid:
            raise SystemExit(f"step {key} refused: {outcome.form.errors}")
        going_to = runtime.next_step(definition, step, outcome.answers)
        services.save_step(response, key, outcome, going_to=going_to, valid=True)
        checking += checked_at - before
    before_submit = clock()
    submitted = services.submit(load_draft(site, uid), user=citizen)
    done = clock()
    if parts is not None:
        parts["start"] += after_start - started
        parts["check_step"] += checking
        parts["save_step (with loads)"] += before_submit - after_start - checking
        parts["submit (with load)"] += done - before_submit
    return submitted


class Baseline:
    """The rows a submission writes, with bare SQL through Django's cursor."""

    def __init__(self, fx: dict, checked: dict, receipt: bytes) -> None:
        import base64

        from django.db import connection
        from lutetia_forms.models import ReferenceCounter, Response
        from lutetia_forms.services import hash_secret

        from lutetia.notify.models import OutboxMessage

        self.connection = connection
        self.fx = fx
        quote = connection.ops.quote_name
        jsonb = "::jsonb" if connection.vendor == "postgresql" else ""
        self.response_fields = [f for f in Response._meta.concrete_fields if not f.primary_key]
        columns = ", ".join(quote(f.column) for f in self.response_fields)
        values = ", ".join(["%s"] * len(self.response_fields))
        table = quote(Response._meta.db_table)
        self.insert = (
            f"INSERT INTO {table} ({columns}) "  # noqa: S608
            f"VALUES ({values}) RETURNING id"
        )
        self.step = (
            f"UPDATE {table} SET answers = %s{jsonb}, visited = %s{jsonb}, "  # noqa: S608
            "current_step = %s, updated_at = %s, expires_at = %s, expiry_warned = %s "
            "WHERE id = %s"
        )
        self.counter = (
            f"UPDATE {quote(ReferenceCounter._meta.db_table)} SET last = last + 1 "  # noqa: S608
            "WHERE site_id = %s AND prefix = %s AND year = %s RETURNING last"
        )
        self.submit = (
            f"UPDATE {table} SET status = %s, reference = %s, submitted_at = %s, "  # noqa: S608
            f"updated_at = %s, expires_at = NULL, answers = %s{jsonb}, email = %s, "
            "search_text = %s, workgroup_id = %s, resume_hash = '' WHERE id = %s"
        )
        outbox = [
            "channel",
            "recipient",
            "subject",
            "body",
            "data",
            "site_id",
            "user_id",
            "source",
            "status",
            "attempts",
            "created_at",
            "next_attempt_at",
            "last_error",
        ]
        self.outbox = (
            f"INSERT INTO {quote(OutboxMessage._meta.db_table)} "  # noqa: S608
            f"({', '.join(quote(c) for c in outbox)}) VALUES ({', '.join(['%s'] * len(outbox))})"
        )
        self.attachment = base64.b64encode(receipt).decode("ascii")
        self.hash = hash_secret(secrets.token_urlsafe(24))
        self.year = fx["today"].year
        ReferenceCounter.objects.create(site=fx["site"], prefix="BSL", year=self.year)
        self.answers_after = []
        answers: dict = {}
        visited: list[str] = []
        for key in checked["order"]:
            answers = {**answers, **_step_answers(checked, key)}
            visited = [*visited, key]
            self.answers_after.append((key, json.dumps(answers), json.dumps(visited)))
        self.final = json.dumps(checked["answers"])
        self.search = " ".join(str(v) for v in checked["answers"].values()).casefold()

    def submission(self, n: int) -> None:
        from django.db import transaction
        from django.utils import timezone
        from lutetia_forms.models import Response

        fx, cursor_of = self.fx, self.connection.cursor
        adapt = self.connection.ops.adapt_datetimefield_value
        form, citizen, site = fx["forms"]["big"], fx["citizen"], fx["site"]
        now = timezone.now()
        draft = Response(
            site=site,
            form=form,
            version_id=fx["version_id"],
            owner=citizen,
            email=citizen.email,
            answers={},
            current_step="applicant",
            access_hash=self.hash,
            created_at=now,
            updated_at=now,
            expires_at=now + timedelta(days=30),
        )
        with transaction.atomic(), cursor_of() as cursor:
            values = [
                f.get_db_prep_save(f.pre_save(draft, True), self.connection)
                for f in self.response_fields
            ]
            cursor.execute(self.insert, values)
            pk = cursor.fetchone()[0]
        for key, answers, visited in self.answers_after:
            now = timezone.now()
            with transaction.atomic(), cursor_of() as cursor:
                cursor.execute(
                    self.step,
                    [answers, visited, key, adapt(now), adapt(now + timedelta(days=30)), False, pk],
                )
        now = timezone.now()
        with transaction.atomic(), cursor_of() as cursor:
            cursor.execute(self.counter, [site.pk, "BSL", self.year])
            reference = f"BSL-{self.year}-{cursor.fetchone()[0]:06d}"
            cursor.execute(
                self.submit,
                [
                    "submitted",
                    reference,
                    adapt(now),
                    adapt(now),
                    self.final,
                    citizen.email,
                    f"{reference} {citizen.email} {self.search}",
                    form.workgroup_id,
                    pk,
                ],
            )
            data = {
                "to": [citizen.email],
                "html": "",
                "reply_to": "",
                "attachments": [
                    {
                        "filename": f"{reference}.pdf",
                        "content": self.attachment,
                        "mimetype": "application/pdf",
                    }
                ],
            }
            cursor.execute(
                self.outbox,
                [
                    "email",
                    citizen.email,
                    f"{form.title}: we received your form ({reference})",
                    f"Hello,\n\nWe received your form “{form.title}”. Its reference is "
                    f"{reference}.\n\nYour answers are in the attached receipt.",
                    json.dumps(data),
                    site.pk,
                    citizen.pk,
                    f"forms:response:{pk}",
                    "pending",
                    0,
                    adapt(now),
                    adapt(now),
                    "",
                ],
            )


def _step_answers(checked: dict, key: str) -> dict:
    step = checked["definition"].step(key)
    return {q.key: checked["answers"][q.key] for q in step.questions if q.key in checked["answers"]}


def verify_submission(response, fx: dict) -> None:
    """The submission did everything it should: numbered, case started, audit, e-mail queued."""
    from lutetia_forms.models import Response
    from lutetia_workflow import engine

    from lutetia.audit.models import AuditEntry
    from lutetia.notify.models import OutboxMessage

    response = Response.objects.get(pk=response.pk)
    problems = []
    if response.status != "submitted" or not response.reference.startswith("FAM-"):
        problems.append(f"status {response.status}, reference {response.reference!r}")
    case = engine.case_for(response)
    if case is None or response.state != "received":
        problems.append(f"no workflow case started (state {response.state!r})")
    for action in ("forms.submitted", "workflow.started"):
        if not AuditEntry.objects.filter(action=action, target_id=str(response.pk)).exists():
            problems.append(f"no audit entry {action}")
    message = OutboxMessage.objects.filter(source=f"forms:response:{response.pk}").first()
    if message is None or len(message.data.get("attachments", [])) != 1:
        problems.append("no confirmation e-mail with its receipt in the outbox")
    if problems:
        raise SystemExit("submission incomplete: " + "; ".join(problems))


def bench_submissions(fx: dict, checked: dict, count: int) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from lutetia_forms import services
    from lutetia_forms.models import Response

    form = fx["forms"]["big"]
    fx["version_id"] = form.latest_version().pk
    for _ in range(WARM_UP):
        verify_submission(submit_end_to_end(fx, checked), fx)
    with CaptureQueriesContext(connection) as engine_queries:
        sample = submit_end_to_end(fx, checked)
    verify_submission(sample, fx)
    receipt = services.receipt_pdf(sample)
    pdf_times = []
    for _ in range(20):
        started = time.perf_counter()
        services.receipt_pdf(sample)
        pdf_times.append(time.perf_counter() - started)
    baseline = Baseline(fx, checked, receipt)
    for n in range(WARM_UP):
        baseline.submission(n)
    with CaptureQueriesContext(connection) as base_queries:
        baseline.submission(-1)

    blocks = max(1, count // BLOCK)
    total = blocks * BLOCK
    elapsed = {"end to end": 0.0, "baseline": 0.0}
    parts = Counter(
        {"start": 0.0, "check_step": 0.0, "save_step (with loads)": 0.0, "submit (with load)": 0.0}
    )
    before = Response.objects.filter(form=form, status="submitted").count()
    for _ in range(blocks):
        started = time.perf_counter()
        for _n in range(BLOCK):
            submit_end_to_end(fx, checked, parts)
        elapsed["end to end"] += time.perf_counter() - started
        started = time.perf_counter()
        for n in range(BLOCK):
            baseline.submission(n)
        elapsed["baseline"] += time.perf_counter() - started
    done = Response.objects.filter(form=form, status="submitted").count() - before
    # The baseline's rows are the big form's too: half of what was submitted is theirs.
    if done != 2 * total:
        raise SystemExit(f"{done} responses submitted, {2 * total} expected")
    return {
        "count": total,
        "engine": total / elapsed["end to end"],
        "baseline": total / elapsed["baseline"],
        "parts": {name: seconds / total * 1000 for name, seconds in parts.items()},
        "pdf_ms": statistics.median(pdf_times) * 1000,
        "pdf_bytes": len(receipt),
        "engine_sql": statements(engine_queries.captured_queries),
        "baseline_sql": statements(base_queries.captured_queries),
    }


# --- 3. the responses of a year ------------------------------------------------------------------

FIRST_NAMES = (
    "Camille Lea Noe Jules Louise Adam Chloe Hugo Ines Lucas Manon Arthur Emma Gabriel Jade "
    "Raphael Alice Louis Lina Mael Rose Nathan Anna Paul Zoe Victor Mila Sacha Julia Tom Eva "
    "Ethan Nina Leo Lou Oscar Iris Noah Agathe Timeo Margaux Eliott Clara Aaron Romane Samuel "
    "Juliette Axel Ambre Martin Lucie Basile Celeste Marius Elise Gaspard Maya Simon Yasmine"
).split()
LAST_NAMES = [
    f"{stem}{end}"
    for stem in (
        "Martin Bernard Dubois Thomas Robert Richard Petit Durand Leroy Moreau Simon Laurent "
        "Lefebvre Michel Garcia David Bertrand Roux Vincent Fournier Morel Girard Andre Mercier "
        "Dupont Lambert Bonnet Francois Martinez Legrand Garnier Faure Rousseau Blanc Guerin "
        "Muller Henry Roussel Nicolas Perrin"
    ).split()
    for end in ("", "-Kovacs", "-Nagy", "-Szabo", "-Toth")
]
SURNAME = "Dubois-Szabo"
STREETS = (
    "rue Oberkampf",
    "rue de la Roquette",
    "boulevard Voltaire",
    "avenue Parmentier",
    "rue Saint-Maur",
    "rue de Charonne",
    "passage Thiere",
    "rue Amelot",
)


def big_answers(rng: random.Random, today: date, name: str) -> dict:
    """Answers a family-services application holds after submission (varied, consistent)."""
    kind = rng.choices(["person", "company", "association"], [90, 6, 4])[0]
    answers: dict = {
        "applicant_kind": kind,
        "full_name": name,
        "email": f"{name.lower().replace(' ', '.')}{rng.randint(1, 999)}@example.org",
    }
    if rng.random() < 0.7:
        answers["phone"] = f"06 {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)}"
    if kind == "person":
        answers["birth_date"] = date(rng.randint(1960, 2004), rng.randint(1, 12), 15).isoformat()
    else:
        answers["company_name"] = f"{rng.choice(LAST_NAMES)} et associés"
        if kind == "company":
            answers["siret"] = "".join(str(rng.randint(0, 9)) for _ in range(14))
    size = rng.randint(1, 7)
    answers["household_size"] = size
    children = size > 1 and rng.random() < 0.75
    answers["children"] = children
    if children:
        count = rng.randint(1, min(4, size))
        answers["children_count"] = count
        answers["child_list"] = [
            {
                "child_name": rng.choice(FIRST_NAMES),
                "child_birth": date(rng.randint(2008, 2024), rng.randint(1, 12), 3).isoformat(),
                "child_school": rng.choice(["none", "nursery", "primary", "secondary"]),
            }
            for _ in range(count)
        ]
    if rng.random() < 0.85:
        income = rng.randrange(6000, 90000, 500)
        answers["income"] = income
        answers["per_person"] = f"{income / size:.2f}"
    else:
        answers["income_band"] = rng.choice(["low", "middle", "high"])
    if answers.get("income", 99999) < 30000 or answers.get("income_band") == "low":
        benefits = rng.sample(
            ["housing", "family", "disability", "unemployment"], rng.randint(0, 3)
        )
        answers["benefits"] = benefits
        if "family" in benefits and children:
            answers["benefit_number"] = str(rng.randint(1000000, 9999999))
    disability = rng.random() < 0.08
    answers["disability"] = disability
    if disability:
        answers["disability_details"] = "Needs a step-free access and a quiet room."
    housing = rng.choices(["owner", "tenant", "hosted", "other"], [35, 55, 8, 2])[0]
    answers["housing"] = housing
    if housing == "tenant":
        rent = rng.randrange(300, 1800, 10)
        answers["rent"] = rent
        if rent > 500:
            answers["rent_aid"] = rng.random() < 0.4
    elif housing == "other":
        answers["housing_other"] = "A mobile home on a family plot."
    service = rng.choices(["canteen", "nursery", "leisure", "transport"], [50, 20, 20, 10])[0]
    answers["service"] = service
    answers["start_date"] = (today + timedelta(days=rng.randint(-300, 200))).isoformat()
    if service != "transport":
        answers["days"] = sorted(rng.sample(["mon", "tue", "wed", "thu", "fri"], rng.randint(1, 5)))
    if service == "canteen":
        diet = rng.choices(["none", "vegetarian", "no_pork", "medical"], [70, 15, 10, 5])[0]
        answers["diet"] = diet
        if diet == "medical":
            answers["diet_details"] = "No nuts (allergy), a certificate follows."
    if service == "transport":
        answers["transport_stop"] = f"Stop {rng.choice(STREETS)}"
    urgent = rng.random() < 0.15
    answers["urgent"] = urgent
    if urgent:
        answers["reason"] = "A new job starting at once; no one to look after the children."
    if "phone" in answers and rng.random() < 0.5:
        answers["contact_time"] = f"{rng.randint(8, 18):02d}:{rng.choice(['00', '30'])}"
    if kind == "person":
        previous = rng.random() < 0.3
        answers["previous"] = previous
        if previous:
            answers["previous_reference"] = f"FAM-{today.year - 1}-{rng.randint(1, 9999):06d}"
            answers["previous_year"] = today.year - 1
    if children and service in ("canteen", "nursery"):
        answers["siblings_enrolled"] = rng.randint(0, 2)
    if children:
        answers["priority"] = str((size + answers["children_count"]) * 2)
    if rng.random() < 0.3:
        answers["comments"] = "Thank you for your help. " * rng.randint(1, 4)
    newsletter = rng.random() < 0.4
    answers["newsletter"] = newsletter
    if newsletter:
        answers["newsletter_topics"] = rng.sample(["schools", "events", "works"], rng.randint(1, 3))
    answers["certify"] = True
    return answers


def small_answers(kind: str, rng: random.Random, today: date, name: str) -> dict:
    email = f"{name.lower().replace(' ', '.')}@example.org"
    if kind == "permit":
        return {
            "organiser": name,
            "email": email,
            "event": rng.choice(["market", "concert", "sport", "other"]),
            "day": (today + timedelta(days=rng.randint(-300, 120))).isoformat(),
            "people": rng.randint(10, 2000),
            "details": "Stalls on the square, from 8:00 to 14:00." if rng.random() < 0.5 else "",
        }
    return {
        "email": email,
        "problem": rng.choice(["pothole", "lighting", "signs", "other"]),
        "street": f"{rng.randint(1, 120)} {rng.choice(STREETS)}",
        "danger": rng.random() < 0.3,
        "details": "Seen on my way to work." if rng.random() < 0.5 else "",
    }


def answer_pool(fx: dict, kind: str, form, rng: random.Random) -> list[tuple[dict, str]]:
    """``POOL`` answer sets and their search text as `services.search_text_of` makes it (the
    answers' part; the reference and the citizen are put in front per response)."""
    from lutetia_forms import services
    from lutetia_forms.models import Response

    version = form.latest_version()
    pool = []
    for _ in range(POOL):
        name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
        if kind == "big":
            answers = big_answers(rng, fx["today"], name)
        else:
            answers = small_answers(kind, rng, fx["today"], name)
        text = services.search_text_of(Response(version=version, answers=answers, reference=""))
        pool.append((answers, text))
    return pool


def citizens(count: int) -> list:
    """``count`` citizens' accounts (bulk-created: their names are what lists show)."""
    from django.contrib.auth import get_user_model

    User = get_user_model()
    rng = random.Random(3)
    users = User.objects.bulk_create(
        User(
            email=f"citizen{n}@example.org",
            first_name=rng.choice(FIRST_NAMES),
            last_name=rng.choice(LAST_NAMES),
            password="!",
        )
        for n in range(count)
    )
    return list(
        User.objects.filter(pk__in=[u.pk for u in users]).only(
            "pk", "email", "first_name", "last_name"
        )
    )


def fill_responses(fx: dict, total: int) -> dict:
    """``total`` submitted responses (and a twentieth as many drafts) over the past year."""
    from django.db import transaction
    from django.utils import timezone
    from lutetia_forms.models import ReferenceCounter, Response

    rng = random.Random(42)
    now = timezone.now()
    people = citizens(max(100, total // 50))
    agents = fx["agents"]
    counts = {}
    started = time.perf_counter()
    for (key, form), share in zip(fx["forms"].items(), SHARES, strict=True):
        count = round(total * share) if key != "works" else total - sum(counts.values())
        counts[key] = count
        version = form.latest_version()
        pool = answer_pool(fx, key, form, rng)
        numbers: Counter = Counter()
        for counter in ReferenceCounter.objects.filter(
            site=fx["site"], prefix=form.reference_prefix
        ):
            numbers[counter.year] = counter.last
        drafts = count // 20
        with transaction.atomic():
            for start in range(0, count + drafts, BATCH):
                batch = []
                for n in range(start, min(start + BATCH, count + drafts)):
                    answers, text = rng.choice(pool)
                    owner = rng.choice(people) if rng.random() < 0.6 else None
                    email = owner.email if owner else answers["email"]
                    if n >= count:  # a draft under way
                        at = now - timedelta(days=rng.uniform(0, 25))
                        batch.append(
                            Response(
                                site=fx["site"],
                                form=form,
                                version=version,
                                owner=owner,
                                email=email if owner else "",
                                answers=answers,
                                current_step=version.definition["steps"][-1]["key"],
                                created_at=at,
                                updated_at=at,
                                expires_at=at + timedelta(days=30),
                            )
                        )
                        continue
                    at = now - timedelta(seconds=rng.uniform(0, 365 * 86400))
                    year = timezone.localtime(at).year
                    numbers[year] += 1
                    reference = f"{form.reference_prefix}-{year}-{numbers[year]:06d}"
                    state, label, final = ("", "", False)
                    if key != "works":
                        state, label, final = rng.choices(STATES, [25, 35, 30, 10])[0]
                    assignee = rng.choice(agents) if state in ("review", "accepted") else None
                    batch.append(
                        Response(
                            site=fx["site"],
                            form=form,
                            version=version,
                            status="submitted",
                            reference=reference,
                            owner=owner,
                            email=email,
                            answers=answers,
                            visited=[s["key"] for s in version.definition["steps"]],
                            created_at=at - timedelta(minutes=rng.uniform(3, 90)),
                            updated_at=at,
                            submitted_at=at,
                            workgroup_id=form.workgroup_id,
                            state=state,
                            state_label=label,
                            closed=final,
                            assignee=assignee,
                            search_text=" ".join(
                                part
                                for part in (
                                    reference,
                                    email,
                                    owner.get_full_name() if owner else "",
                                    text,
                                )
                                if part
                            ).casefold()[:20000],
                        )
                    )
                Response.objects.bulk_create(batch)
            for year, last in numbers.items():
                counter, _created = ReferenceCounter.objects.get_or_create(
                    site=fx["site"], prefix=form.reference_prefix, year=year
                )
                ReferenceCounter.objects.filter(pk=counter.pk).update(last=last)
    seconds = time.perf_counter() - started
    analyze()
    return {"counts": counts, "fill_seconds": seconds, "people": len(people)}


def analyze() -> None:
    """Statistics as autovacuum would have them after a year (the citizens' table too: the
    list joins it), and the visibility map set for index-only scans."""
    from django.db import connection
    from lutetia_forms.models import Response

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"VACUUM ANALYZE {connection.ops.quote_name(Response._meta.db_table)}")
        cursor.execute("ANALYZE")


# --- 3. and 4. the back-office lists -------------------------------------------------------------


def list_page(user, form, filters, page_number: int) -> dict:
    """What ``ResponsesView.get`` asks of the database, without the filter form and template:
    the list's queryset built by `listing`, the paginator's COUNT, one page, its cells."""
    from django.core.paginator import Paginator
    from lutetia_forms import listing
    from lutetia_forms.admin_responses import PAGE_SIZE

    clock = time.perf_counter
    started = clock()
    definition = listing.latest_definition(form) if form is not None else None
    questions = listing.filter_questions(definition)
    base = listing.visible(user)
    if form is not None:
        base = base.filter(form=form)
    listing.states(base, listing.states_cache_key(user, form))
    queryset = listing.apply(base, filters, questions)
    columns = listing.list_columns(definition, form=form is not None)
    built = clock()
    page = listing.page(queryset, columns, page_number, PAGE_SIZE)  # its COUNT included
    cells = [[column.display(response) for column in columns] for response in page.object_list]
    done = clock()
    # The COUNT alone, for the table (the view runs it once, inside listing.page).
    paginator = Paginator(listing.ordered(queryset).values_list("pk", flat=True), PAGE_SIZE)
    before_count = clock()
    count = paginator.count
    count_ms = (clock() - before_count) * 1000
    return {
        "total_ms": (done - started) * 1000,
        "count_ms": count_ms,
        "page_ms": (done - built) * 1000 - count_ms,
        "count": count,
        "rows": len(cells),
        "page": page.number,
        "pages": paginator.num_pages,
        "queryset": listing.ordered(queryset).values_list("pk", flat=True),
        "offset": (page.number - 1) * PAGE_SIZE,
        "size": PAGE_SIZE,
    }


def indexes_in(plan: str) -> list[str]:
    """The indexes a plan reads (PostgreSQL's or SQLite's wording)."""
    found = re.findall(
        r"(?:Index|Index Only|Bitmap Index) Scan(?: Backward)? (?:using|on) (\w+)", plan
    )
    found += re.findall(r"USING (?:COVERING )?INDEX (\w+)", plan)
    return list(dict.fromkeys(found))


def explain(queryset, offset: int, size: int) -> str:
    from django.db import connection

    sliced = queryset[offset : offset + size]
    if connection.vendor == "postgresql":
        return sliced.explain(analyze=True)
    return sliced.explain()


def bench_lists(fx: dict, runs: int) -> dict:
    from django.core.cache import cache
    from lutetia_forms import listing

    agent, big = fx["agents"][0], fx["forms"]["big"]
    definition = listing.latest_definition(big)
    service = definition.question("service")
    # A family name about one response in 200 holds, searched as an agent types it.
    surname = SURNAME
    # The cold states query, once (then cached for two minutes, as between two requests).
    cache.clear()
    started = time.perf_counter()
    base = listing.visible(agent).filter(form=big)
    states = listing.states(base, listing.states_cache_key(agent, big))
    states_ms = (time.perf_counter() - started) * 1000
    count = base.count()
    deep = max(1, min(1000, count // 50 * 3 // 4))
    cases = [
        ("one form, first page", big, listing.Filters(form=big.pk), 1),
        (f"one form, page {deep}", big, listing.Filters(form=big.pk), deep),
        ("state 'review', first page", big, listing.Filters(form=big.pk, state="review"), 1),
        (
            "choice service = nursery, first page",
            big,
            listing.Filters(form=big.pk, answers=(("service", "nursery"),)),
            1,
        ),
        (
            "state + choice + yes/no, first page",
            big,
            listing.Filters(
                form=big.pk, state="received", answers=(("service", "canteen"), ("urgent", True))
            ),
            1,
        ),
        (
            f"text search '{surname}', first page",
            big,
            listing.Filters(form=big.pk, query=surname),
            1,
        ),
        ("across forms, first page", None, listing.Filters(site=listing.single_site()), 1),
        (f"across forms, page {deep}", None, listing.Filters(site=listing.single_site()), deep),
    ]
    assert service is not None
    results = []
    for label, form, filters, page_number in cases:
        list_page(agent, form, filters, page_number)  # warm up
        runs_ = [list_page(agent, form, filters, page_number) for _ in range(runs)]
        last = runs_[-1]
        if last["count"] == 0 or last["rows"] == 0:
            raise SystemExit(f"the list '{label}' is empty: the bench measured nothing")
        plan = explain(last["queryset"], last["offset"], last["size"])
        results.append(
            {
                "label": label,
                "one_form": form is not None,
                "total_ms": statistics.median(r["total_ms"] for r in runs_),
                "count_ms": statistics.median(r["count_ms"] for r in runs_),
                "page_ms": statistics.median(r["page_ms"] for r in runs_),
                "count": last["count"],
                "rows": last["rows"],
                "page": last["page"],
                "pages": last["pages"],
                "plan": plan,
                "indexes": indexes_in(plan),
            }
        )
    return {"states_ms": states_ms, "states": states, "cases": results, "surname": surname}


# --- 5. exports ----------------------------------------------------------------------------------


class Sink(io.TextIOBase):
    """A text stream that keeps nothing but the number of characters written."""

    def __init__(self) -> None:
        self.size = 0

    def write(self, text: str) -> int:
        self.size += len(text)
        return len(text)


def in_child(work) -> dict:
    """``work()`` in a forked process (it starts at this process's memory, its own peak RSS
    is its own): its result, or SystemExit with its traceback."""
    from django.db import connections

    connections.close_all()  # the child opens its own connection
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child
        os.close(read)
        try:
            payload = {"ok": work()}
        except BaseException:
            payload = {"error": traceback.format_exc()}
        try:
            connections.close_all()
        finally:
            with os.fdopen(write, "w") as out:
                out.write(json.dumps(payload))
            os._exit(0)
    os.close(write)
    with os.fdopen(read) as inp:
        text = inp.read()
    os.waitpid(pid, 0)
    payload = json.loads(text or '{"error": "the child process died"}')
    if "error" in payload:
        raise SystemExit(f"export child failed:\n{payload['error']}")
    return payload["ok"]


def measured(action, traced: bool) -> dict:
    """Run ``action() -> (rows, bytes written)`` once: seconds and the growth of the peak RSS,
    or the tracemalloc peak."""
    gc.collect()
    if traced:
        tracemalloc.start()
        rows, _size = action()
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        return {"rows": rows, "traced_peak": peak}
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    rows, size = action()
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"rows": rows, "bytes": size, "seconds": seconds, "rss_growth": (after - before) * 1024}


def export_sets(fx: dict) -> list[tuple]:
    """What is exported: every response across forms as a site administrator (the fixed
    columns), and the family form's with every question (answers read)."""
    from lutetia_forms import listing

    admin, agent, big = fx["admin"], fx["agents"][0], fx["forms"]["big"]
    definition = listing.latest_definition(big)
    return [
        (
            "across forms, site admin, fixed columns",
            lambda: listing.apply(
                listing.visible(admin), listing.Filters(site=listing.single_site())
            ),
            listing.export_columns(None, form=False),
            ("write_csv", "write_xlsx", "list()"),
            True,
        ),
        (
            "one form, agent, every question",
            lambda: listing.apply(
                listing.visible(agent).filter(form=big),
                listing.Filters(form=big.pk),
                listing.filter_questions(definition),
            ),
            listing.export_columns(definition, form=True, every_question=True),
            # No XLSX, to keep the run within ten minutes: the same cells as the CSV, then
            # openpyxl's cost per cell, which the first set shows.
            ("write_csv", "list()"),
            True,
        ),
    ]


def bench_exports(label: str, queryset_of, columns, kinds, traced: bool, tmp: Path) -> dict:
    from lutetia_forms import exports

    def to_csv():
        sink = Sink()
        return exports.write_csv(queryset_of(), columns, sink), sink.size

    def to_xlsx():
        path = tmp / "export.xlsx"
        rows = exports.write_xlsx(queryset_of(), columns, str(path), title="Responses")
        size = path.stat().st_size
        path.unlink()
        return rows, size

    def to_list():
        loaded = list(exports.export_queryset(queryset_of(), columns))
        return len(loaded), 0

    actions = {"write_csv": to_csv, "write_xlsx": to_xlsx, "list()": to_list}
    figures = {"label": label, "columns": len(columns), "kinds": kinds, "traced": traced}
    for name in kinds:
        action = actions[name]
        plain = in_child(lambda action=action: measured(action, traced=False))
        if plain["rows"] == 0:
            raise SystemExit(f"{name}: no row exported, the bench measured nothing")
        figures[name] = {**plain, "traced_peak": None}
        if traced:
            again = in_child(lambda action=action: measured(action, traced=True))
            if again["rows"] != plain["rows"]:
                raise SystemExit(f"{name}: {plain['rows']} then {again['rows']} rows")
            figures[name]["traced_peak"] = again["traced_peak"]
    return figures


# --- report --------------------------------------------------------------------------------------


def progress(what: str) -> None:
    """Where the run is, on stderr (the figures go to stdout)."""
    print(f"[{time.strftime('%H:%M:%S')}] {what}", file=sys.stderr, flush=True)


def mib(size: float) -> str:
    return f"{size / 1024 / 1024:7.1f} MiB"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=300, help="checks of the biggest step")
    parser.add_argument("--submissions", type=int, default=100)
    parser.add_argument("--responses", type=int, default=100_000)
    parser.add_argument("--list-runs", type=int, default=7)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "src"))
    began = time.perf_counter()

    # Each part is printed as soon as it is measured.
    with tempfile.TemporaryDirectory(prefix="lutetia-bench-forms-") as tmp:
        database = setup(Path(tmp))
        fx = fixtures()
        checked = check_the_form(fx["forms"]["big"], fx)
        print_header(database, checked)
        progress("step validation")
        print_steps(checked, bench_steps(fx, checked, args.runs))
        progress("submissions")
        print_submissions(bench_submissions(fx, checked, args.submissions))
        progress(f"{args.responses:,} responses")
        filled = fill_responses(fx, args.responses)
        progress("lists")
        lists = bench_lists(fx, args.list_runs)
        print_lists(filled, lists, args)
        exported = []
        for label, queryset_of, columns, kinds, traced in export_sets(fx):
            progress(f"exports: {label}")
            exported.append(bench_exports(label, queryset_of, columns, kinds, traced, Path(tmp)))
        print_exports(exported)
    print_goals(checked, lists, exported, time.perf_counter() - began)
    return 0


def print_header(database: str, checked: dict) -> None:
    shown = checked["shape"]
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    print(
        f"lutetia forms: {database}, {os.cpu_count()} cores (load average {load}), "
        f"Python {sys.version.split()[0]}"
    )
    print(
        f"form: {shown['steps']} steps, {shown['questions']} questions, "
        f"{shown['conditions']} conditions, {shown['transitions']} transitions; report: no error, "
        f"{len(checked['warnings'])} warning(s); sample answers: {len(checked['answers'])} "
        "answers through the 5 steps, nothing missing"
    )
    print(flush=True)


def print_steps(checked: dict, steps: dict) -> None:
    biggest = steps[checked["biggest"]]
    checked["step_figures"] = biggest
    ratio = biggest["median"] / biggest["plain_median"]
    print(
        f"1. step validation: runtime.check_step on the POSTed step '{checked['biggest']}' "
        f"({biggest['questions']} questions, {biggest['fields']} fields, "
        f"{biggest['conditions']} conditions, {biggest['inner']} on answers of the same step)"
    )
    print(
        f"   check_step, {biggest['runs']} checks:       median {biggest['median']:7.2f} ms, "
        f"p95 {biggest['p95']:7.2f} ms"
    )
    print(
        f"   plain Django form, same fields:  median {biggest['plain_median']:7.2f} ms, "
        f"p95 {biggest['plain_p95']:7.2f} ms"
    )
    print(f"   ratio check_step / plain form:   {ratio:7.2f}")
    for key in checked["order"]:
        if key != checked["biggest"]:
            figures = steps[key]
            print(
                f"   step '{key}' ({figures['questions']} questions): median "
                f"{figures['median']:.2f} ms, p95 {figures['p95']:.2f} ms "
                f"({figures['runs']} checks)"
            )
    print(flush=True)


def print_submissions(submissions: dict) -> None:
    ratio = submissions["engine"] / submissions["baseline"]
    print("2. submissions end to end (draft, 5 steps checked and saved, submit: reference,")
    print("   workflow case, audit, confirmation e-mail with PDF receipt in the outbox)")
    print(
        f"   {submissions['count']} each way, one after the other, blocks of {BLOCK} alternating:"
    )
    print(f"   end to end                          {submissions['engine']:9.1f} submissions/s")
    print(f"   baseline (bare SQL with a cursor)   {submissions['baseline']:9.1f} submissions/s")
    print(f"   ratio end to end / baseline         {ratio:9.3f}")
    total = sum(submissions["parts"].values())
    for part, ms in submissions["parts"].items():
        print(f"   {part:32} {ms:7.2f} ms per submission ({ms / total * 100:4.1f} %)")
    print(
        f"   of which the PDF receipt (receipt_pdf, median of 20): {submissions['pdf_ms']:.2f} "
        f"ms, {submissions['pdf_bytes']:,} bytes"
    )
    for name, label in (("engine", "end to end"), ("baseline", "baseline")):
        kinds = submissions[f"{name}_sql"]
        detail = ", ".join(f"{n} {kind}" for kind, n in sorted(kinds.items()))
        print(f"   SQL per submission, {label}: {sum(kinds.values())} ({detail})")
    print(flush=True)


def print_lists(filled: dict, lists: dict, args) -> None:
    counts = filled["counts"]
    print(
        f"3. back-office lists: {sum(counts.values()):,} submitted responses "
        f"({', '.join(f'{k} {v:,}' for k, v in counts.items())}; 'works' is another "
        f"workgroup's) + a twentieth as drafts, {filled['people']:,} citizens, bulk-created in "
        f"{filled['fill_seconds']:.1f} s"
    )
    print(
        f"   as an agent of the family workgroup, median of {args.list_runs}; the form's states "
        f"(uncached, once per 2 min): {lists['states_ms']:.1f} ms"
    )
    print(f"   {'list':40} {'total':>9} {'COUNT':>9} {'page':>9} {'matches':>8}  goal")
    for case in lists["cases"]:
        goal = "met" if case["total_ms"] < LIST_GOAL_MS else "NOT met"
        print(
            f"   {case['label']:40} {case['total_ms']:6.1f} ms {case['count_ms']:6.1f} ms "
            f"{case['page_ms']:6.1f} ms {case['count']:8,}  {goal}"
        )
    print()
    main_case = lists["cases"][0]
    print("4. query plan of the main list query (one form, first page: the page's SELECT)")
    for line in main_case["plan"].splitlines():
        print(f"   | {line}")
    print(f"   uses {LIST_INDEX}: {'yes' if LIST_INDEX in main_case['indexes'] else 'NO'}")
    print("   the other lists' page queries:")
    for case in lists["cases"][1:]:
        used = ", ".join(case["indexes"]) or "none (sequential scan)"
        print(f"   {case['label']:40} indexes: {used}")
    for case in lists["cases"][1:]:
        if case["total_ms"] >= LIST_GOAL_MS:
            print(f"   plan of '{case['label']}' (over {LIST_GOAL_MS:.0f} ms):")
            for line in case["plan"].splitlines():
                print(f"   | {line}")
    print(flush=True)


def print_exports(exported: list[dict]) -> None:
    print("5. exports streamed, each measure in a process of its own")
    for figures in exported:
        baseline = figures["list()"]
        print(f"   {figures['label']}: {baseline['rows']:,} rows, {figures['columns']} columns")
        print(
            f"   {'':11} {'rows/s':>9} {'time':>8} {'peak RSS growth':>16} {'tracemalloc peak':>17}"
        )
        for name in figures["kinds"]:
            f = figures[name]
            peak = mib(f["traced_peak"]) if f["traced_peak"] is not None else "(not run)"
            print(
                f"   {name:11} {f['rows'] / f['seconds']:9.0f} {f['seconds']:6.1f} s "
                f"{mib(f['rss_growth']):>16} {peak:>17}"
                + (f"  ({f['bytes'] / 1024 / 1024:.1f} MiB written)" if f["bytes"] else "")
            )
        for name in figures["kinds"]:
            if name == "list()":
                continue
            share = figures[name]["rss_growth"] / max(1, baseline["rss_growth"])
            line = f"   {name} / list(): RSS growth {share:.3f}"
            if figures["traced"]:
                peak = figures[name]["traced_peak"] / max(1, baseline["traced_peak"])
                line += f", tracemalloc peak {peak:.3f}"
            print(line)
    print(flush=True)


def print_goals(checked: dict, lists: dict, exported: list[dict], seconds: float) -> None:
    biggest = checked["step_figures"]
    step_met = biggest["median"] < STEP_GOAL_MS and biggest["p95"] < STEP_GOAL_MS
    slow = [case for case in lists["cases"] if case["total_ms"] >= LIST_GOAL_MS]
    # Streamed: the export's peak (tracemalloc's where measured, else the RSS growth) is
    # under a quarter of what holding the rows in a list takes.
    key = {True: "traced_peak", False: "rss_growth"}
    streamed = all(
        f[name][key[f["traced"]]] < f["list()"][key[f["traced"]]] / 4
        for f in exported
        for name in f["kinds"]
        if name != "list()"
    )
    peaks = "; ".join(
        f"{name} {mib(f[name][key[f['traced']]]).strip()} against "
        f"{mib(f['list()'][key[f['traced']]]).strip()} "
        f"({'tracemalloc' if f['traced'] else 'RSS growth'}, {f['label']})"
        for f in exported
        for name in f["kinds"]
        if name != "list()"
    )
    from lutetia_forms.exports import CHUNK_SIZE

    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    print(f"run: {seconds / 60:.1f} min, load average at the end {load}")
    print(
        f"goal: step validation < {STEP_GOAL_MS:.0f} ms: median {biggest['median']:.2f} ms, "
        f"p95 {biggest['p95']:.2f} ms ({'met' if step_met else 'NOT met'})"
    )
    if slow:
        names = "; ".join(f"{case['label']} {case['total_ms']:.0f} ms" for case in slow)
        print(
            f"goal: lists < {LIST_GOAL_MS:.0f} ms: NOT met by {len(slow)} of "
            f"{len(lists['cases'])}: {names}"
        )
    else:
        print(f"goal: lists < {LIST_GOAL_MS:.0f} ms: met by all {len(lists['cases'])}")
    verdict = "met" if streamed else "NOT met"
    if min(f["list()"]["rows"] for f in exported) < 10 * CHUNK_SIZE:
        verdict = (
            f"cannot tell under {10 * CHUNK_SIZE:,} rows (exports read {CHUNK_SIZE:,} at a time)"
        )
    print(f"goal: exports streamed (their peak under a quarter of list()'s): {verdict} ({peaks})")


if __name__ == "__main__":
    sys.exit(main())
