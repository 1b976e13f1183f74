"""The hash chain: each entry's canonical form, its SHA-256 over the previous one, the lock.

Canonical form: the entry's fields in a fixed order, each written ``<length>:<value>`` and
joined by "|", so no value can be made to look like two (no separator to escape, nothing to
parse back). Every field is text except ``site_id`` (a number or nothing: ""). The time
is the integer count of microseconds since 1970-01-01 UTC, which both databases return
exactly. ``hash = sha256(previous_hash + "|" + canonical)`` in hex. The first entry chains
onto `GENESIS`; after a purge, the first remaining entry chains onto the checkpoint's hash.

One plain f-string per entry and no JSON parsing (``details`` is stored as canonical JSON text
and hashed as stored): ``lutetia audit verify`` checks hundreds of thousands of entries a
second.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

from django.db import connections

#: What the first entry ever written chains onto.
GENESIS = "0" * 64

#: Arbitrary, fixed key of the PostgreSQL advisory lock that serialises writers ("Lute").
LOCK_KEY = 0x4C757465

#: The fields of the canonical form, in order (``timestamp`` first, ``hash`` excluded).
FIELDS = (
    "timestamp",
    "category",
    "action",
    "outcome",
    "origin",
    "actor_id",
    "actor_name",
    "role",
    "session_hash",
    "target_type",
    "target_id",
    "target_label",
    "ip",
    "user_agent",
    "request_id",
    "site_id",
    "site_name",
    "details",
)

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_NAIVE_EPOCH = datetime(1970, 1, 1)
_MICROSECOND = timedelta(microseconds=1)


def microseconds(moment: datetime) -> int:
    """``moment`` (aware) as whole microseconds since the epoch: exact, zone-independent."""
    return (moment - _EPOCH) // _MICROSECOND


def canonical(values) -> str:
    """The canonical form of one entry's ``FIELDS`` values (a sequence in that order).

    The time is an aware datetime, or already its count of microseconds (`microseconds`).

    Written out field by field (not a loop): verify calls it once per entry.
    """
    (ts, cat, act, out, ori, aid, aname, role, sess, ttype, tid, tlabel, ip, ua, rid, sid,
     sname, det) = values  # fmt: skip
    sid = "" if sid is None else str(sid)
    if type(ts) is not int:
        ts = (ts - _EPOCH) // _MICROSECOND
    return (
        f"v1|{ts}|{len(cat)}:{cat}|{len(act)}:{act}"
        f"|{len(out)}:{out}|{len(ori)}:{ori}|{len(aid)}:{aid}|{len(aname)}:{aname}"
        f"|{len(role)}:{role}|{len(sess)}:{sess}|{len(ttype)}:{ttype}|{len(tid)}:{tid}"
        f"|{len(tlabel)}:{tlabel}|{len(ip)}:{ip}|{len(ua)}:{ua}|{len(rid)}:{rid}"
        f"|{len(sid)}:{sid}|{len(sname)}:{sname}|{len(det)}:{det}"
    )


def microseconds_of_text(value: str) -> int:
    """``microseconds`` of a time SQLite stores as text (naive, UTC), without a datetime."""
    return (datetime.fromisoformat(value) - _NAIVE_EPOCH) // _MICROSECOND


def digest(previous_hash: str, canonical_form: str) -> str:
    """The entry's hash: SHA-256 over the previous entry's hash and its own canonical form."""
    return hashlib.sha256(f"{previous_hash}|{canonical_form}".encode()).hexdigest()


def lock(using: str = "default") -> None:
    """Hold the chain until the current transaction ends; call inside ``atomic()``.

    PostgreSQL: a transaction-level advisory lock, so two processes never read the same last
    hash. SQLite: nothing to do, the project's connections begin IMMEDIATE transactions, which
    already let one writer at a time in.
    """
    connection = connections[using]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])
