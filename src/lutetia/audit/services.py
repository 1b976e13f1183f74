"""Recording, verifying and purging the access log.

When an entry is written
------------------------
``record()`` called outside any transaction writes at once: one short transaction that takes
the chain lock (`chain.lock`), reads the last hash, inserts, commits. Called inside a
``transaction.atomic()`` block (a use case in progress), it defers the write to
``transaction.on_commit``:

- a use case that rolls back leaves no entry claiming it succeeded;
- the chain lock is taken only for the insert, after the use case committed, never for the
  length of a request (two citizens booking at once are not serialised by the log).

The context (address, session, request id, site, actor's role) is captured when ``record()``
is called, so a deferred entry says what was true then. An entry recorded inside a block that
rolls back is gone with it: record a refusal or a failure (``denied``, ``error``) after the
block, where nothing undoes it; that is where views and services catch them anyway.

A deferred write that fails is logged (with the entry's fields) and does not turn the already
committed use case into an error page; a direct write that fails raises.

Every entry written is also one line on the ``lutetia.audit`` logger, for a SIEM; the line
carries the entry's id and hash, so the SIEM holds an outside copy of the chain.
"""

from __future__ import annotations

import contextlib
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import partial

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.utils import timezone

from . import chain, context
from .models import AuditCheckpoint, AuditEntry, Category, Origin, Outcome

logger = logging.getLogger("lutetia.audit")

#: The category of an action recorded without one, by origin.
DEFAULT_CATEGORY = {
    Origin.FRONT: Category.FRONT,
    Origin.API: Category.FRONT,
    Origin.BACK: Category.ADMIN,
    Origin.SYSTEM: Category.SYSTEM,
}

#: Actions whose prefix says their category (``auth.login`` is "auth", whatever the origin).
PREFIX_CATEGORY = {
    "auth.": Category.AUTH,
    "personal_data.": Category.PERSONAL_DATA,
    "wagtail.": Category.ADMIN,
    "admin.": Category.ADMIN,
}

_LIMITS = {field.name: field.max_length for field in AuditEntry._meta.concrete_fields}


def enabled(category: str) -> bool:
    """Whether ``LUTETIA_AUDIT_CATEGORIES`` lets entries of ``category`` be recorded."""
    return category in settings.LUTETIA_AUDIT_CATEGORIES


def category_for(action: str, origin: str) -> str:
    """The category of ``action``: named by its prefix, else the origin's default."""
    for prefix, category in PREFIX_CATEGORY.items():
        if action.startswith(prefix):
            return category
    return DEFAULT_CATEGORY.get(origin, Category.SYSTEM)


@dataclass(frozen=True)
class Target:
    """What an action was done to, when it is not a model instance at hand."""

    type: str
    id: str = ""
    label: str = ""


def target_of(target) -> Target:
    """A model instance, a model class, a `Target`, a ``(type, id[, label])`` tuple, or None."""
    if target is None:
        return Target("")
    if isinstance(target, Target):
        return target
    if isinstance(target, tuple):
        return Target(*(str(part) for part in target))
    meta = getattr(target, "_meta", None)
    if meta is not None:
        if isinstance(target, type):  # a model: "all of them" (a listing, an export)
            return Target(meta.label_lower)
        pk = target.pk
        return Target(meta.label_lower, "" if pk is None else str(pk), _label(target))
    return Target(type(target).__name__, "", str(target))


def _label(obj) -> str:
    try:
        return str(obj)
    except Exception:  # a __str__ that queries a deleted relation must not stop the entry
        return ""


def _text(value, field: str) -> str:
    text = "" if value is None else str(value)
    # PostgreSQL refuses NUL in text; a database would otherwise truncate (or refuse) what is
    # too long *after* the hash was computed over the full value.
    text = text.replace("\x00", "")
    limit = _LIMITS.get(field)
    return text[:limit] if limit else text


def canonical_json(details) -> str:
    """``details`` as canonical JSON text (sorted keys, no spaces); anything not JSON as str."""
    return json.dumps(
        details or {}, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str
    ).replace("\\u0000", "")


def _actor_name(user) -> str:
    if user is None or not getattr(user, "is_authenticated", False):
        return ""
    return getattr(user, "email", "") or user.get_username()


def record(
    actor,
    action: str,
    target=None,
    outcome: str = Outcome.SUCCESS,
    origin: str | None = None,
    details: dict | None = None,
    *,
    category: str | None = None,
    request=None,
) -> AuditEntry | None:
    """Record that ``actor`` did ``action`` to ``target``, with ``outcome``.

    - ``actor``: a user, or None for "whoever is signed in on the current request" (anonymous,
      with the session's hash, when nobody is), or the system outside a request.
    - ``action``: a dotted name, ``<app>.<verb>`` (``contact.message_sent``, ``auth.login``).
    - ``target``: a model instance, a model class, a `Target`, ``(type, id[, label])`` or None.
    - ``outcome``: ``success``, ``denied`` or ``error``.
    - ``origin``: ``front``, ``back``, ``api`` or ``system``; None: from the request's path,
      ``system`` outside a request.
    - ``details``: a small JSON-able dict (never a password, a token or a document's content).
    - ``category``: one of `Category`; None: from the action's prefix, else from the origin.
    - ``request``: the request, when the caller has it and the middleware may not have run
      (signals sent with ``request``); else the current one (`context.current_request`).

    Returns the entry when written at once; None when deferred to the end of the current
    transaction (see the module's docstring) or when its category is switched off.
    """
    if request is not None:
        ctx = context.from_request(request)
    else:
        request, ctx = context.current()
    origin = str(origin or ctx.origin)
    category = str(category or category_for(action, origin))
    if not enabled(category):
        return None
    if outcome not in Outcome.values:
        raise ValueError(f"unknown audit outcome {outcome!r}")
    if actor is None and request is not None:
        actor = getattr(request, "user", None)
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    aimed = target_of(target)
    fields = {
        "timestamp": timezone.now(),
        "category": category,
        "action": _text(action, "action"),
        "outcome": str(outcome),
        "origin": origin,
        "actor_id": "" if actor is None else _text(actor.pk, "actor_id"),
        "actor_name": _text(_actor_name(actor), "actor_name"),
        "role": str(context.role_of(actor, in_request=request is not None)),
        "session_hash": ctx.session_hash,
        "target_type": _text(aimed.type, "target_type"),
        "target_id": _text(aimed.id, "target_id"),
        "target_label": _text(aimed.label, "target_label"),
        "ip": ctx.ip,
        "user_agent": _text(ctx.user_agent, "user_agent"),
        "request_id": _text(ctx.request_id, "request_id"),
        "site_id": ctx.site_id,
        "site_name": _text(ctx.site_name, "site_name"),
        "details": canonical_json(details),
    }
    if _in_use_case(DEFAULT_DB_ALIAS):
        if connections[DEFAULT_DB_ALIAS].vendor == "sqlite":
            # The use case's IMMEDIATE transaction already holds SQLite's only write lock:
            # the entry joins it (one commit, not two) and goes if it rolls back.
            entry = write(fields, log=False)
            transaction.on_commit(partial(_log, entry))
            return entry
        transaction.on_commit(partial(_write_deferred, fields), robust=True)
        return None
    return write(fields)


def _in_use_case(using: str) -> bool:
    """Whether an ``atomic()`` block of the application (not of a test case) is open."""
    connection = connections[using]
    if not connection.in_atomic_block:
        return False
    # Django marks the blocks a TestCase opens around each test; they are not a use case and
    # never commit, so an entry recorded directly inside them is written at once.
    return any(not getattr(block, "_from_testcase", False) for block in connection.atomic_blocks)


def _write_deferred(fields: dict) -> None:
    try:
        write(fields)
    except Exception:
        logger.exception(
            "audit entry could not be written",
            extra={key: _loggable(value) for key, value in fields.items()},
        )
        raise


def write(fields: dict, using: str = DEFAULT_DB_ALIAS, log: bool = True) -> AuditEntry:
    """Append one entry: lock the chain, read the last hash, insert, log the JSON line.

    PostgreSQL: one call of ``lutetia_audit_append`` (migration 0002), a single statement
    that locks, reads and inserts. SQLite: plain SQL in a short IMMEDIATE transaction. No
    ORM ``save()``: a request pays a fraction of a millisecond for its entry.
    """
    connection = connections[using]
    values = [fields[f] for f in chain.FIELDS]
    canonical = chain.canonical(values)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(APPEND_SQL, [*values, canonical])
            entry_id, previous, entry_hash = cursor.fetchone()
        if entry_hash != chain.digest(previous, canonical):
            raise RuntimeError("lutetia_audit_append and lutetia.audit.chain disagree")
    else:
        with transaction.atomic(using=using):
            chain.lock(using)
            previous = last_hash(using)
            entry_hash = chain.digest(previous, canonical)
            params = [
                connection.ops.adapt_datetimefield_value(values[0]),
                *values[1:],
                previous,
                entry_hash,
            ]
            with connection.cursor() as cursor:
                cursor.execute(_insert_sql(connection), params)
                entry_id = cursor.fetchone()[0]
    entry = AuditEntry(id=entry_id, **fields, previous_hash=previous, hash=entry_hash)
    if log:
        _log(entry)
    return entry


_PLACEHOLDERS = ", ".join(["%s"] * (len(chain.FIELDS) + 1))
APPEND_SQL = f"SELECT * FROM lutetia_audit_append({_PLACEHOLDERS})"  # noqa: S608 (no input)


def _insert_sql(connection) -> str:
    quote = connection.ops.quote_name
    columns = [*chain.FIELDS, "previous_hash", "hash"]
    return (
        f"INSERT INTO {quote(AuditEntry._meta.db_table)} "  # noqa: S608 (names are ours)
        f"({', '.join(quote(c) for c in columns)}) "
        f"VALUES ({', '.join(['%s'] * len(columns))}) RETURNING {quote('id')}"
    )


def last_hash(using: str = DEFAULT_DB_ALIAS) -> str:
    """The hash the next entry chains onto: the last entry's, the last purge's, or `GENESIS`."""
    connection = connections[using]
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {quote('hash')} FROM {quote(AuditEntry._meta.db_table)} "  # noqa: S608
            f"ORDER BY {quote('id')} DESC LIMIT 1"
        )
        row = cursor.fetchone()
    if row is not None:
        return row[0]
    checkpoint = (
        AuditCheckpoint.objects.using(using).order_by("-id").values_list("last_hash", flat=True)
    )
    for value in checkpoint[:1]:
        return value
    return chain.GENESIS


def _loggable(value):
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def log_fields(entry: AuditEntry) -> dict:
    """The entry's fields as the JSON log line carries them (flat, for a SIEM)."""
    return {
        "event": "audit",
        "audit_id": entry.pk,
        "audit_time": entry.timestamp.isoformat(),
        "category": entry.category,
        "action": entry.action,
        "outcome": entry.outcome,
        "origin": entry.origin,
        "actor_id": entry.actor_id,
        "actor": entry.actor_name,
        "role": entry.role,
        "session": entry.session_hash,
        "target_type": entry.target_type,
        "target_id": entry.target_id,
        "target": entry.target_label,
        "ip": entry.ip,
        "user_agent": entry.user_agent,
        "audit_request_id": entry.request_id,
        "site_id": entry.site_id,
        "site": entry.site_name,
        "details": entry.details,
        "hash": entry.hash,
        "previous_hash": entry.previous_hash,
    }


def _log(entry: AuditEntry) -> None:
    if logger.isEnabledFor(logging.INFO):
        logger.info(
            "%s %s %s", entry.action, entry.outcome, entry.actor_name or entry.role,
            extra=log_fields(entry),
        )  # fmt: skip


# --- helpers for views --------------------------------------------------------------------


def personal_data_viewed(request, obj, details: dict | None = None) -> AuditEntry | None:
    """Record that ``request.user`` saw ``obj``'s personal data (an inspect or edit page)."""
    return record(
        request.user,
        "personal_data.view",
        obj,
        details=details,
        category=Category.PERSONAL_DATA,
        request=request,
    )


def personal_data_exported(
    request, model, count: int | None = None, details: dict | None = None
) -> AuditEntry | None:
    """Record that ``request.user`` downloaded a listing of ``model`` (CSV, XLSX...)."""
    return record(
        request.user,
        "personal_data.export",
        model,
        details={**({"count": count} if count is not None else {}), **(details or {})},
        category=Category.PERSONAL_DATA,
        request=request,
    )


# --- verify -------------------------------------------------------------------------------


@dataclass
class Verification:
    """What ``verify()`` found: how many entries it checked, and the first broken one."""

    checked: int = 0
    seconds: float = 0.0
    broken_id: int | None = None
    reason: str = ""
    checkpoint: AuditCheckpoint | None = None

    @property
    def ok(self) -> bool:
        return self.broken_id is None

    @property
    def rate(self) -> float:
        return self.checked / self.seconds if self.seconds else 0.0


VERIFY_CHUNK = 10_000


def verify(using: str = DEFAULT_DB_ALIAS, progress: Callable[[int], None] | None = None):
    """Recompute the chain from the latest checkpoint (or the start); stop at the first break.

    Reasons a break is reported on entry N:
    - "content": N's fields no longer give N's hash (N was changed after it was written);
    - "link": N does not chain onto the entry before it (an entry between was removed, or the
      one before was changed and its hash rewritten).
    """
    started = time.perf_counter()
    result = Verification()
    checkpoint = AuditCheckpoint.objects.using(using).order_by("-id").first()
    result.checkpoint = checkpoint
    previous = checkpoint.last_hash if checkpoint else chain.GENESIS
    connection = connections[using]
    quote = connection.ops.quote_name
    timestamp = quote("timestamp")
    if connection.vendor == "sqlite":
        # As text: Django's converter for datetime columns costs more than the hash.
        timestamp = f"CAST({timestamp} AS TEXT)"
    elif connection.vendor == "postgresql":
        # Microseconds computed by the server (exact: EXTRACT gives a numeric), no datetime
        # built per row on this side.
        timestamp = f"(EXTRACT(EPOCH FROM {timestamp}) * 1000000)::bigint"
    columns = ", ".join(
        [
            quote("id"),
            timestamp,
            *(quote(f) for f in chain.FIELDS[1:]),
            quote("previous_hash"),
            quote("hash"),
        ]
    )
    table = quote(AuditEntry._meta.db_table)
    canonical, digest = chain.canonical, chain.digest
    # Every remaining entry is checked, from the first: a purge removes a prefix of the chain,
    # so the first remaining entry must chain onto the latest checkpoint's hash. One query,
    # read in chunks: a server-side cursor on PostgreSQL (in a read-only transaction, as it
    # needs), and SQLite's own cursor, which steps through the rows as they are fetched
    # (outside a transaction: the project's SQLite transactions take the write lock).
    converters = _timestamp_converter(connection)
    server_side = connection.vendor == "postgresql"
    outer = transaction.atomic(using=using) if server_side else contextlib.nullcontext()
    with outer, connection.chunked_cursor() as cursor:
        cursor.execute(f"SELECT {columns} FROM {table} ORDER BY id")  # noqa: S608
        while result.broken_id is None:
            rows = cursor.fetchmany(VERIFY_CHUNK)
            if not rows:
                break
            for row in rows:
                entry_id, *values, previous_hash, stored_hash = row
                values[0] = converters(values[0])
                if previous_hash != previous:
                    result.broken_id, result.reason = entry_id, "link"
                    break
                if digest(previous, canonical(values)) != stored_hash:
                    result.broken_id, result.reason = entry_id, "content"
                    break
                previous = stored_hash
                result.checked += 1
            if progress is not None:
                progress(result.checked)
    result.seconds = time.perf_counter() - started
    return result


def _timestamp_converter(connection):
    """PostgreSQL gives the microseconds already; SQLite the text Django stored (naive UTC),
    turned straight into microseconds."""
    if connection.vendor == "sqlite":
        return chain.microseconds_of_text
    return lambda value: value


# --- purge --------------------------------------------------------------------------------


def purge_preview(before: datetime, using: str = DEFAULT_DB_ALIAS) -> int:
    """How many entries ``purge(before)`` would remove."""
    first_kept = _first_kept_id(before, using)
    entries = AuditEntry.objects.using(using)
    if first_kept is not None:
        entries = entries.filter(id__lt=first_kept)
    return entries.count()


def _first_kept_id(before: datetime, using: str) -> int | None:
    return (
        AuditEntry.objects.using(using)
        .filter(timestamp__gte=before)
        .order_by("id")
        .values_list("id", flat=True)
        .first()
    )


def purge(before: datetime, by: str = "", using: str = DEFAULT_DB_ALIAS) -> AuditCheckpoint | None:
    """Remove the entries older than ``before`` and write the checkpoint that keeps the chain.

    Removes a prefix of the chain: every entry before the first one dated ``before`` or later
    (an entry written a few milliseconds out of order at the boundary is kept, never one newer
    than ``before`` removed). The checkpoint keeps the hash of the last entry removed, which the
    first remaining entry chains onto, with the count, the ids and dates removed, and ``by``.
    The purge itself is then recorded (category "system"). Returns None when nothing is older.
    """
    connection = connections[using]
    with transaction.atomic(using=using):
        chain.lock(using)
        first_kept = _first_kept_id(before, using)
        doomed = AuditEntry.objects.using(using).order_by("id")
        if first_kept is not None:
            doomed = doomed.filter(id__lt=first_kept)
        last = doomed.reverse().values("id", "timestamp", "hash").first()
        if last is None:
            return None
        first = doomed.values("id", "timestamp").first()
        count = doomed.count()
        checkpoint = AuditCheckpoint.objects.using(using).create(
            created_at=timezone.now(),
            created_by=by[:255],
            before=before,
            count=count,
            first_id=first["id"],
            last_id=last["id"],
            first_timestamp=first["timestamp"],
            last_timestamp=last["timestamp"],
            last_hash=last["hash"],
        )
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                # The append-only trigger lets this transaction, and only it, delete.
                cursor.execute("SET LOCAL lutetia.audit_purge = 'on'")
        with connection.cursor() as cursor:
            cursor.execute(
                f"DELETE FROM {AuditEntry._meta.db_table} WHERE id <= %s",  # noqa: S608
                [last["id"]],
            )
    record(
        None,
        "audit.purged",
        checkpoint,
        origin=Origin.SYSTEM,
        category=Category.SYSTEM,
        details={
            "before": before.isoformat(),
            "count": count,
            "first_id": first["id"],
            "last_id": last["id"],
            "by": by,
        },
    )
    return checkpoint
