"""Statistics of responses, for one form or across forms: per day over a period, per state,
drafts in progress against submitted responses, median time to close.

Each figure is one grouped query over the list indexes (``(form|site, status, -submitted_at)``
hold the period); nothing loads responses. Pure functions over querysets: the view scopes
them to the agent's workgroups first.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone

from .listing import day_start

#: the longest period one page counts day by day
MAX_DAYS = 366
DEFAULT_DAYS = 30


@dataclass(frozen=True)
class Period:
    """From ``start`` to ``end``, both days included."""

    start: date
    end: date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def dates(self) -> list[date]:
        return [self.start + timedelta(days=n) for n in range(self.days)]


def default_period(today: date | None = None) -> Period:
    """The last 30 days, today included."""
    today = today or timezone.localdate()
    return Period(today - timedelta(days=DEFAULT_DAYS - 1), today)


def in_period(queryset: QuerySet, period: Period) -> QuerySet:
    return queryset.filter(
        submitted_at__gte=day_start(period.start),
        submitted_at__lt=day_start(period.end + timedelta(days=1)),
    )


@dataclass(frozen=True)
class Bar:
    """One bar of a chart: its label, its count, its length as a share of the longest."""

    label: str
    count: int
    share: float
    day: date | None = None


def _bars(pairs: list[tuple[str, int, date | None]]) -> list[Bar]:
    highest = max((count for _label, count, _day in pairs), default=0)
    return [
        Bar(label, count, (count / highest) if highest else 0.0, day) for label, count, day in pairs
    ]


def per_day(submitted: QuerySet, period: Period) -> list[Bar]:
    """Responses submitted each day of ``period`` (days without any count 0), by the day in
    the current time zone."""
    counted = dict(
        in_period(submitted, period)
        .annotate(day=TruncDate("submitted_at", tzinfo=timezone.get_current_timezone()))
        .values_list("day")
        .annotate(count=Count("pk"))
        .order_by("day")
        .values_list("day", "count")
    )
    return _bars([(day.isoformat(), counted.get(day, 0), day) for day in period.dates()])


def per_state(submitted: QuerySet) -> list[Bar]:
    """Responses in each state (the workflow's label; "" when none processes them), most
    first."""
    counted: dict[str, int] = {}
    rows = (
        submitted.order_by()
        .values_list("state", "state_label")
        .annotate(count=Count("pk"))
        .values_list("state", "state_label", "count")
    )
    for state, label, count in rows:
        name = label or state
        counted[name] = counted.get(name, 0) + count
    ranked = sorted(counted.items(), key=lambda pair: (-pair[1], pair[0]))
    return _bars([(name, count, None) for name, count in ranked])


def per_form(submitted: QuerySet) -> list[Bar]:
    """Responses to each form, most first (the view across forms)."""
    rows = (
        submitted.order_by()
        .values_list("form__title")
        .annotate(count=Count("pk"))
        .values_list("form__title", "count")
    )
    ranked = sorted(rows, key=lambda pair: (-pair[1], pair[0]))
    return _bars([(title, count, None) for title, count in ranked])


@dataclass(frozen=True)
class Progress:
    drafts: int
    submitted: int
    closed: int

    @property
    def open(self) -> int:
        return self.submitted - self.closed


def progress(drafts: QuerySet, submitted: QuerySet) -> Progress:
    """Drafts in progress (now) against submitted responses, and how many are closed."""
    totals = submitted.order_by().aggregate(
        submitted=Count("pk"), closed=Count("pk", filter=Q(closed=True))
    )
    return Progress(
        drafts=drafts.order_by().count(),
        submitted=totals["submitted"] or 0,
        closed=totals["closed"] or 0,
    )


def median_time_to_close(submitted: QuerySet) -> timedelta | None:
    """The median time from submission to the end of processing, over the closed responses;
    None when none is closed. Two queries: a count, then the middle row of the ordered
    durations (the database sorts; no row is loaded but one)."""
    closed = submitted.filter(closed=True, closed_at__isnull=False).order_by()
    count = closed.count()
    if not count:
        return None
    durations = closed.annotate(duration=F("closed_at") - F("submitted_at")).order_by("duration")
    middle = list(durations.values_list("duration", flat=True)[(count - 1) // 2 : count // 2 + 1])
    return sum(middle, timedelta()) / len(middle)
