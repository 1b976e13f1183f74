"""The library of answer patterns, and relative date limits.

Administrators pick a named pattern (a French postcode, an IBAN...) rather than write a regular
expression; a form may still use its own with ``re:<expression>``. Each pattern carries the
message a citizen reads, so "Enter a valid value" never reaches them.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

#: name → (regular expression, label for the builder, message for the citizen)
PATTERNS = {
    "fr_postcode": (
        r"^(?:0[1-9]|[1-8]\d|9[0-8])\d{3}$",
        gettext_lazy("French postcode"),
        gettext_lazy("Enter a French postcode of five digits, e.g. 75004."),
    ),
    "hu_postcode": (
        r"^[1-9]\d{3}$",
        gettext_lazy("Hungarian postcode"),
        gettext_lazy("Enter a Hungarian postcode of four digits, e.g. 1051."),
    ),
    "fr_siret": (
        r"^\d{14}$",
        gettext_lazy("SIRET number"),
        gettext_lazy("Enter the 14 digits of the SIRET number, without spaces."),
    ),
    "fr_siren": (
        r"^\d{9}$",
        gettext_lazy("SIREN number"),
        gettext_lazy("Enter the 9 digits of the SIREN number, without spaces."),
    ),
    "iban": (
        r"^[A-Z]{2}\d{2}[A-Z0-9]{11,30}$",
        gettext_lazy("IBAN"),
        gettext_lazy("Enter an IBAN in capitals without spaces, e.g. FR7630006000011234567890189."),
    ),
    "vehicle_fr": (
        r"^[A-Z]{2}-\d{3}-[A-Z]{2}$",
        gettext_lazy("French registration plate"),
        gettext_lazy("Enter the registration plate as AB-123-CD."),
    ),
    "digits": (
        r"^\d+$",
        gettext_lazy("Digits only"),
        gettext_lazy("Enter digits only."),
    ),
    "letters": (
        r"^[^\W\d_]+(?:[ '’-][^\W\d_]+)*$",
        gettext_lazy("Letters only (names)"),
        gettext_lazy("Enter letters only (spaces, hyphens and apostrophes are allowed)."),
    ),
}


def pattern_choices() -> list[tuple[str, str]]:
    return [(name, str(label)) for name, (_regex, label, _message) in PATTERNS.items()]


def pattern_error(pattern: str) -> str:
    """Why the pattern is unusable ("" when fine)."""
    if pattern.startswith("re:"):
        try:
            re.compile(pattern[3:])
        except re.error as error:
            return _("The regular expression is invalid: %(error)s.") % {"error": error}
        return ""
    if pattern not in PATTERNS:
        return _("Unknown pattern “%(name)s”.") % {"name": pattern}
    return ""


def pattern_validator(question) -> RegexValidator:
    """The validator of the question's pattern, with its message (the question's own first)."""
    if question.pattern.startswith("re:"):
        regex, message = question.pattern[3:], _("The answer does not have the expected form.")
    else:
        regex, _label, message = PATTERNS[question.pattern]
    return RegexValidator(regex, question.error_message or message, code="pattern")


RELATIVE = re.compile(r"^(?:today|([+-]\d{1,4})([dwmy]))$")


def resolve_date(limit: str, today: date) -> date | None:
    """An absolute ISO date, ``today``, or a delay from today such as ``-18y``, ``+2w``, ``+30d``.
    None when ``limit`` is empty; ValueError when it is none of those."""
    limit = (limit or "").strip()
    if not limit:
        return None
    match = RELATIVE.match(limit)
    if match is None:
        return date.fromisoformat(limit)
    if limit == "today":
        return today
    amount, unit = int(match.group(1)), match.group(2)
    if unit == "d":
        return today + timedelta(days=amount)
    if unit == "w":
        return today + timedelta(weeks=amount)
    months = amount if unit == "m" else amount * 12
    year, month = divmod(today.month - 1 + months, 12)
    year += today.year
    day = min(today.day, _days_in(year, month + 1))
    return date(year, month + 1, day)


def _days_in(year: int, month: int) -> int:
    following = date(year + (month == 12), month % 12 + 1, 1)
    return (following - timedelta(days=1)).day


def date_limit_error(limit: str) -> str:
    try:
        resolve_date(limit, date.today())
    except ValueError:
        return _(
            "“%(limit)s” is not a date limit: write a date (2026-09-01), “today”, or a delay "
            "such as -18y, +2w, +30d."
        ) % {"limit": limit}
    return ""


def check_date_range(value: date, minimum: date | None, maximum: date | None) -> None:
    from django.utils.formats import date_format

    if minimum and value < minimum:
        raise ValidationError(
            _("The date must be on or after %(date)s.") % {"date": date_format(minimum)},
            code="min_value",
        )
    if maximum and value > maximum:
        raise ValidationError(
            _("The date must be on or before %(date)s.") % {"date": date_format(maximum)},
            code="max_value",
        )
