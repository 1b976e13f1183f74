"""The processing lists' queries: which responses an agent sees, filtered, searched, ordered,
and the columns they are shown and exported with.

Pure functions over querysets, no request: the views, the exports and ``bench/forms.py`` call
the same ones, so what is measured is what agents get.

What keeps a list fast at 100,000 responses (see docs/forms-processing.md):

- only submitted responses, ordered by ``-submitted_at, -pk``: the indexes
  ``(form, status, -submitted_at)`` (one form's list) and ``(site, status, -submitted_at)``
  (across forms, when a site is given) serve the filter, the date range and the order;
- a page loads the columns it shows (`page_queryset`): never ``search_text``, never
  ``answers`` unless a question column is shown, and then only for the rows of the page;
- the states offered as a filter are read once per form and cached briefly (`states`).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.paginator import Page, Paginator
from django.db import connections
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from lutetia.accounts import workgroups

from . import definition as fd
from .models import Form, Response
from .questions import question_types
from .questions.builtin import choices_of

SUBMITTED = Response.Status.SUBMITTED
#: the question types a list can filter by: their answers are one of a few known values
FILTERABLE_TYPES = ("choice", "choices", "yes_no")
#: the filter value meaning "no state" (a response no workflow processes); state keys are
#: slugs, they never start with "-"
NO_STATE = "-"
STATES_CACHE_SECONDS = 120
#: what a page of a list reads (``answers`` joins only when a question column is shown)
PAGE_FIELDS = (
    "pk",
    "site_id",
    "form_id",
    "version_id",
    "reference",
    "owner_id",
    "email",
    "submitted_at",
    "state",
    "state_label",
    "closed",
    "assignee_id",
    "workgroup_id",
    "anonymised_at",
    "form__title",
    "owner__first_name",
    "owner__last_name",
    "owner__email",
)


# --- which responses -----------------------------------------------------------------------


def visible(user, queryset: QuerySet | None = None) -> QuerySet:
    """The submitted responses ``user`` may process: their workgroups' and those of none
    (every one for a site administrator). Drafts are the citizens' and never listed."""
    queryset = Response.objects.all() if queryset is None else queryset
    return workgroups.scope(queryset.filter(status=SUBMITTED), user)


def single_site() -> int | None:
    """The site's pk when there is only one (most towns): the lists across forms then filter
    on it, and ``(site, status, -submitted_at)`` gives their order without sorting."""
    from wagtail.models import Site

    pks = list(Site.objects.values_list("pk", flat=True)[:2])
    return pks[0] if len(pks) == 1 else None


def sites() -> list[tuple[int, str]]:
    """Every site, for the "site" filter of the lists across forms (shown when several)."""
    from wagtail.models import Site

    return [
        (site.pk, site.site_name or site.hostname)
        for site in Site.objects.order_by("site_name", "hostname")
    ]


def visible_forms(user) -> QuerySet:
    """The published forms whose responses ``user`` may process (the "form" filter)."""
    forms = workgroups.scope(Form.objects.all(), user)
    return forms.filter(versions__isnull=False).distinct().order_by("title", "pk")


# --- filters -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    """What an agent narrowed the list to; empty values filter nothing."""

    form: int | None = None
    site: int | None = None
    #: a state key, or `NO_STATE`
    state: str = ""
    submitted_from: date | None = None
    submitted_to: date | None = None
    #: only the responses assigned to this user (pk)
    assignee: int | None = None
    closed: bool | None = None
    anonymised: bool | None = None
    #: (question key, chosen value) for the form's questions flagged ``filter``
    answers: tuple[tuple[str, Any], ...] = ()
    #: text searched in the reference and the answers
    query: str = ""

    def described(self) -> dict[str, Any]:
        """The filters as JSON-able data (the access log says what an export held)."""
        found: dict[str, Any] = {}
        for name in ("form", "site", "state", "assignee", "closed", "anonymised", "query"):
            value = getattr(self, name)
            if value not in (None, ""):
                found[name] = value
        for name in ("submitted_from", "submitted_to"):
            value = getattr(self, name)
            if value is not None:
                found[name] = value.isoformat()
        if self.answers:
            found["answers"] = dict(self.answers)
        return found


def apply(queryset: QuerySet, filters: Filters, questions: Iterable[fd.Question] = ()) -> QuerySet:
    """``queryset`` narrowed by ``filters``; ``questions`` are the form's filter questions
    (an answer filter on any other key is ignored: keys never come from the request)."""
    if filters.form:
        queryset = queryset.filter(form_id=filters.form)
    if filters.site:
        queryset = queryset.filter(site_id=filters.site)
    if filters.state == NO_STATE:
        queryset = queryset.filter(state="")
    elif filters.state:
        queryset = queryset.filter(state=filters.state)
    queryset = _between(queryset, filters.submitted_from, filters.submitted_to)
    if filters.assignee:
        queryset = queryset.filter(assignee_id=filters.assignee)
    if filters.closed is not None:
        queryset = queryset.filter(closed=filters.closed)
    if filters.anonymised is not None:
        queryset = queryset.filter(anonymised_at__isnull=not filters.anonymised)
    by_key = {question.key: question for question in questions}
    for key, value in filters.answers:
        question = by_key.get(key)
        if question is not None:
            queryset = queryset.filter(answer_condition(question, value, queryset.db))
    return search(queryset, filters.query)


def day_start(day: date) -> datetime:
    """Midnight of ``day`` in the current time zone (agents think in their town's days)."""
    return timezone.make_aware(datetime.combine(day, time.min))


def _between(queryset: QuerySet, start: date | None, end: date | None) -> QuerySet:
    """Submitted on ``start`` or later and on ``end`` or earlier, both days included."""
    if start is not None:
        queryset = queryset.filter(submitted_at__gte=day_start(start))
    if end is not None:
        queryset = queryset.filter(submitted_at__lt=day_start(end + timedelta(days=1)))
    return queryset


def answer_condition(question: fd.Question, value: Any, using: str = "default") -> Q:
    """The condition "the answer to ``question`` is (or, for a multiple choice, holds)
    ``value``", on the JSON field.

    A multiple-choice answer is a list: PostgreSQL tests it with jsonb containment (``@>``,
    exact, and what a GIN index would serve); SQLite has no containment, so its JSON text is
    searched for the value written as JSON (quoted: ``"a"`` does not match ``"ab"``; encoded
    as Django stores it, ``\\u00e9`` for "é")."""
    lookup = f"answers__{question.key}"
    if question.type != "choices":
        return Q(**{lookup: value})
    if connections[using].features.supports_json_field_contains:
        return Q(**{f"{lookup}__contains": [value]})
    return Q(**{f"{lookup}__icontains": json.dumps(value)})


def search(queryset: QuerySet, query: str) -> QuerySet:
    """Responses whose reference or text (answers, citizen: ``search_text``) holds ``query``,
    whatever its case. ``search_text`` is kept casefolded, so the casefolded query is searched
    with a plain ``LIKE``: PostgreSQL's ``icontains`` would upper-case every row's text first,
    three to five times slower over a form's responses."""
    query = " ".join(query.split())
    if not query:
        return queryset
    return queryset.filter(
        Q(reference__icontains=query) | Q(search_text__contains=query.casefold())
    )


def ordered(queryset: QuerySet) -> QuerySet:
    """Newest first: the order the list indexes hold."""
    return queryset.order_by("-submitted_at", "-pk")


# --- the questions a form lists and filters by -----------------------------------------------


def latest_definition(form: Form) -> fd.Definition | None:
    """The definition of the form's latest version (its columns and filters), or None."""
    from .services import definition_of

    version = form.latest_version()
    return definition_of(version) if version is not None else None


def filter_questions(definition: fd.Definition | None) -> list[fd.Question]:
    """The questions flagged ``filter`` that a list can filter by (choices, yes/no)."""
    if definition is None:
        return []
    return [q for q in definition.questions if q.filter and q.type in FILTERABLE_TYPES]


def filter_choices(question: fd.Question) -> list[tuple[str, str]]:
    """The values a filter question offers: its choices, or yes and no."""
    if question.type == "yes_no":
        return [("yes", str(_("Yes"))), ("no", str(_("No")))]
    return choices_of(question)


def filter_value(question: fd.Question, chosen: str) -> Any:
    """The stored answer a chosen filter value stands for (yes/no are stored as booleans)."""
    if question.type == "yes_no":
        return chosen == "yes"
    return chosen


def input_questions(definition: fd.Definition | None) -> list[fd.Question]:
    """Every question that holds an answer, back-office ones included (a full export)."""
    if definition is None:
        return []
    return [
        question
        for question in definition.questions
        if (kind := question_types.get(question.type)) is not None and kind.input
    ]


def column_questions(definition: fd.Definition | None) -> list[fd.Question]:
    """The questions flagged ``column``: the form's own columns of the list."""
    return [question for question in input_questions(definition) if question.column]


# --- the states present ----------------------------------------------------------------------


def states(queryset: QuerySet, cache_key: str = "") -> list[tuple[str, str]]:
    """The (state, label) pairs present in ``queryset`` (the workflow copies them onto the
    responses), for the state filter. ``cache_key``: keep them a short while under it (a
    state appears or goes when a workflow changes, not at every request)."""
    if cache_key:
        found = cache.get(cache_key)
        if found is not None:
            return found
    pairs = queryset.order_by().values_list("state", "state_label").distinct()
    labels: dict[str, str] = {}
    for state, label in pairs:
        labels.setdefault(state, label or state)
    found = sorted(
        (
            (state or NO_STATE, label if state else str(_("no state")))
            for state, label in labels.items()
        ),
        key=lambda pair: (pair[0] == NO_STATE, str(pair[1]).casefold()),
    )
    if cache_key:
        cache.set(cache_key, found, STATES_CACHE_SECONDS)
    return found


def states_cache_key(user, form: Form | None) -> str:
    """One cache entry per form and per set of workgroups (what the agent may see)."""
    who = (
        "all"
        if workgroups.sees_all(user)
        else ",".join(str(pk) for pk in sorted(workgroups.workgroup_ids(user)))
    )
    return f"lutetia_forms:states:{form.pk if form else '*'}:{who}"


# --- columns ---------------------------------------------------------------------------------


Label = str | Promise


@dataclass(frozen=True)
class Column:
    """One column of a list or an export: its title, the text a page shows, the typed cell an
    export writes (numbers, dates and datetimes stay themselves)."""

    key: str
    label: Label
    display: Callable[[Response], str]
    cell: Callable[[Response], Any]
    #: reads ``answers`` (the page must load them)
    answers: bool = False
    #: a question's column (its key is the question's)
    question: fd.Question | None = field(default=None, compare=False)


def citizen_of(response: Response) -> str:
    """Who sent it: their account's name, else its address, else the address they gave."""
    if response.owner_id and response.owner is not None:
        return response.owner.get_full_name() or response.owner.email
    return response.email


def email_of(response: Response) -> str:
    if response.owner_id and response.owner is not None and response.owner.email:
        return response.owner.email
    return response.email


def submitted_local(response: Response) -> datetime | None:
    """The submission time in the current time zone, without it (spreadsheets have none)."""
    if response.submitted_at is None:
        return None
    return timezone.localtime(response.submitted_at).replace(tzinfo=None)


def _submitted_text(response: Response) -> str:
    """The submission time as the agent's language writes it."""
    if response.submitted_at is None:
        return ""
    return date_format(timezone.localtime(response.submitted_at), "SHORT_DATETIME_FORMAT")


def _state_text(response: Response) -> str:
    return response.state_label or response.state


def _yes_no(flag: bool) -> str:
    return str(_("Yes") if flag else _("No"))


REFERENCE = Column("reference", _("Reference"), lambda r: r.reference, lambda r: r.reference)
FORM = Column("form", _("Form"), lambda r: r.form.title, lambda r: r.form.title)
CITIZEN = Column("citizen", _("Citizen"), citizen_of, citizen_of)
EMAIL = Column("email", _("E-mail address"), email_of, email_of)
SUBMITTED_AT = Column("submitted_at", _("Submitted at"), _submitted_text, submitted_local)
STATE = Column("state", _("State"), _state_text, _state_text)
CLOSED = Column(
    "closed", _("Processing over"), lambda r: _yes_no(r.closed), lambda r: _yes_no(r.closed)
)

#: the list across forms
ACROSS_COLUMNS = (REFERENCE, FORM, CITIZEN, SUBMITTED_AT, STATE)
#: one form's list, before its question columns
FORM_COLUMNS = (REFERENCE, CITIZEN, SUBMITTED_AT, STATE)
#: an export across forms
ACROSS_EXPORT_COLUMNS = (REFERENCE, FORM, CITIZEN, EMAIL, SUBMITTED_AT, STATE, CLOSED)
#: an export of one form, before its questions
FORM_EXPORT_COLUMNS = (REFERENCE, CITIZEN, EMAIL, SUBMITTED_AT, STATE, CLOSED)


def question_column(question: fd.Question) -> Column:
    """A question's column: shown with its type's ``display``, exported with ``export`` (a
    date question's ISO answer becomes a date)."""
    kind = question_types.get(question.type)

    def value(response: Response) -> Any:
        return (response.answers or {}).get(question.key)

    def display(response: Response) -> str:
        return kind.display(question, value(response)) if kind else ""

    def cell(response: Response) -> Any:
        answer = value(response)
        if kind is None:
            return ""
        if question.type == "date":
            return _date_or_text(answer)
        return kind.export(question, answer)

    return Column(question.key, question.label, display, cell, answers=True, question=question)


def _date_or_text(answer: Any) -> Any:
    if not answer:
        return ""
    try:
        return date.fromisoformat(str(answer))
    except ValueError:
        return str(answer)


def list_columns(definition: fd.Definition | None = None, *, form: bool = False) -> list[Column]:
    """The columns of a list: across forms, or one form's with its ``column`` questions."""
    if not form:
        return list(ACROSS_COLUMNS)
    return [*FORM_COLUMNS, *(question_column(q) for q in column_questions(definition))]


def export_columns(
    definition: fd.Definition | None = None, *, form: bool = False, every_question: bool = True
) -> list[Column]:
    """The columns of an export: across forms the fixed ones; one form's with every question
    that holds an answer, or only its ``column`` ones."""
    if not form:
        return list(ACROSS_EXPORT_COLUMNS)
    chosen = input_questions(definition) if every_question else column_questions(definition)
    return [*FORM_EXPORT_COLUMNS, *(question_column(q) for q in chosen)]


def page_queryset(queryset: QuerySet, columns: Iterable[Column]) -> QuerySet:
    """``queryset`` reading only what ``columns`` need: the shown fields, the form's title and
    the citizen's name; ``answers`` only when a question column is shown. The citizens come
    in a second query: joined, PostgreSQL misjudges the rows a filter on answers keeps and
    scans the accounts once per row."""
    fields = list(PAGE_FIELDS)
    if any(column.answers for column in columns):
        fields.append("answers")
    owner_fields = [name for name in fields if name.startswith("owner__")]
    fields = [name for name in fields if not name.startswith("owner__")]
    owners = get_user_model().objects.only(
        "pk", *(name.removeprefix("owner__") for name in owner_fields)
    )
    return (
        queryset.select_related("form")
        .prefetch_related(Prefetch("owner", queryset=owners))
        .only(*fields)
    )


def page(queryset: QuerySet, columns: Iterable[Column], number, size: int) -> Page:
    """One page of the (filtered) list: the database sorts and skips only the ids (narrow rows,
    no join), then the page's rows are read by id. A deep page then costs the sort of the ids,
    not of whole responses with their answers."""
    ids = Paginator(ordered(queryset).values_list("pk", flat=True), size).get_page(number)
    by_id = page_queryset(Response.objects.filter(pk__in=list(ids.object_list)), columns).in_bulk()
    ids.object_list = [by_id[pk] for pk in ids.object_list if pk in by_id]
    return ids
