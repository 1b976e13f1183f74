"""A question only a person answers, for anonymous citizens when a form or a service asks for it.

An arithmetic question in words and digits ("What is 3 plus 4?"): readable by screen readers,
no image, no third-party service, no cookie. The answer travels signed with the page (it
cannot be altered) and each question is accepted once (a robot cannot replay a solved one).
Paired with rate limits (new drafts, bookings); a city that needs stronger may add its own
challenge. Used by Forms and Appointments.
"""

from __future__ import annotations

import secrets

from django.core import signing
from django.core.cache import cache
from django.utils.translation import gettext as _

SALT = "lutetia.captcha"
MAX_AGE = 60 * 60  # seconds a page may stay open


def challenge() -> tuple[str, str]:
    """(question, signed token) for a new challenge."""
    a, b = secrets.randbelow(9) + 1, secrets.randbelow(9) + 1
    token = signing.dumps({"a": a, "b": b, "n": secrets.token_hex(8)}, salt=SALT)
    return _("Anti-robot question: what is %(a)s plus %(b)s? (answer in digits)") % {
        "a": a,
        "b": b,
    }, token


def question_of(token: str) -> str:
    """The question a token asks ("" when the token is not ours)."""
    try:
        data = signing.loads(token, salt=SALT, max_age=MAX_AGE)
    except signing.BadSignature:
        return ""
    return _("Anti-robot question: what is %(a)s plus %(b)s? (answer in digits)") % {
        "a": data["a"],
        "b": data["b"],
    }


def check(token: str, answer: str) -> str:
    """ "" when ``answer`` solves ``token``'s question for the first time, else why not."""
    try:
        data = signing.loads(token, salt=SALT, max_age=MAX_AGE)
    except signing.SignatureExpired:
        return _("The anti-robot question expired: answer the new one.")
    except signing.BadSignature:
        return _("Answer the anti-robot question.")
    if (answer or "").strip() != str(data["a"] + data["b"]):
        return _("The answer to the anti-robot question is not right: try the new one.")
    if not cache.add(f"lutetia.captcha:{data['n']}", 1, MAX_AGE):
        return _("This anti-robot question was already answered: answer the new one.")
    return ""
