"""Export and import of a form as a JSON file, so that cities share their procedures; and the
duplicate of a form, which is the same copy made inside one site.

The file::

    {"lutetia_form": 1, "version": 3 | null,
     "settings": {"title": "…", "slug": "…", "description": "…", "opens_at": "2026-…", …},
     "category": "Schools" | null,
     "definition": {...the definition, format 1...},
     "exported_at": "2026-…"}

What belongs to one site stays there: no site, no workgroup, no identifier; the category travels
by its name. An import reads the file as data only: its settings go through the model's own
checks, its definition through `definition.parse`, and the form it creates is disabled and
unpublished, so no citizen fills it before an administrator has looked at it and published it.
"""

from __future__ import annotations

import copy
import json
from datetime import datetime
from typing import Any

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from lutetia import audit

from . import definition as fd
from .models import Category, Form, FormVersion

#: The marker of the format, and the version of it this code writes (the newest it reads).
MARKER = "lutetia_form"
FORMAT = 1
#: The largest file an import reads (a large form is a few tens of kilobytes).
MAX_BYTES = 1024 * 1024

#: The settings a file carries (what belongs to one site does not travel; an imported form
#: is always disabled, so "online" does not either).
SETTINGS = (
    "title",
    "slug",
    "description",
    "opens_at",
    "closes_at",
    "max_responses",
    "one_per_citizen",
    "login_required",
    "captcha",
    "terms",
    "confirmation_message",
    "reference_prefix",
    "draft_days",
    "retention_days",
    "retention_action",
)


class ImportRefused(ValueError):
    """The file cannot be imported; ``str()`` says why, in the active language."""


# --- export -------------------------------------------------------------------------------


def _setting(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def export(form: Form, version: FormVersion | None = None) -> dict[str, Any]:
    """The form as a shareable document: its settings and its draft, or ``version``'s
    definition."""
    if version is not None and version.form_id != form.pk:
        raise ValueError(_("This version belongs to another form."))
    source = version.definition if version is not None else form.draft
    return {
        MARKER: FORMAT,
        "version": version.number if version is not None else None,
        "settings": {name: _setting(getattr(form, name)) for name in SETTINGS},
        "category": form.category.name if form.category_id else None,
        "definition": copy.deepcopy(source) if source else fd.empty(),
        "exported_at": timezone.now().isoformat(),
    }


def dumps(document: dict[str, Any]) -> str:
    """The exported document as readable JSON (indented, not escaped to ASCII)."""
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


# --- import -------------------------------------------------------------------------------


def _refuse_constant(name: str):
    raise ValueError(name)  # NaN and Infinity are not JSON


def _decode(data: bytes | str) -> dict:
    if isinstance(data, str):
        data = data.encode("utf-8", errors="surrogatepass")
    if not isinstance(data, (bytes, bytearray)):
        raise ImportRefused(_("The file is not JSON."))
    if len(data) > MAX_BYTES:
        raise ImportRefused(
            _("The file is too big to be a form (more than %(size)s MB).")
            % {"size": MAX_BYTES // (1024 * 1024)}
        )
    try:
        document = json.loads(bytes(data).decode("utf-8-sig"), parse_constant=_refuse_constant)
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise ImportRefused(_("The file is not JSON (or not encoded in UTF-8).")) from None
    if not isinstance(document, dict) or MARKER not in document:
        raise ImportRefused(_("The file is not a Lutetia form."))
    return document


def _check_format(document: dict) -> None:
    version = document.get(MARKER)
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise ImportRefused(_("The file is not a Lutetia form (unknown format version)."))
    if version > FORMAT:
        raise ImportRefused(
            _(
                "The file was written by a newer Lutetia (format %(format)s; this one reads up to "
                "format %(expected)s). Update Lutetia to import it."
            )
            % {"format": version, "expected": FORMAT}
        )


def _value(name: str, raw: Any) -> Any:
    """One setting of the file as the model field holds it; `ImportRefused` naming it."""
    field = Form._meta.get_field(name)
    text_field = isinstance(field, (models.CharField, models.TextField))
    wrong_kind = (
        (text_field and not isinstance(raw, str) and raw is not None)
        or (isinstance(field, models.IntegerField) and isinstance(raw, (bool, float, str)))
        or (isinstance(field, models.BooleanField) and not isinstance(raw, bool))
        or (isinstance(field, models.DateTimeField) and not isinstance(raw, (str, type(None))))
    )
    if wrong_kind:
        raise _bad_setting(name, _("a value of the wrong kind"))
    if raw is None and text_field:
        return ""
    try:
        value = field.to_python(raw)
    except ValidationError as exc:
        raise _bad_setting(name, " ".join(exc.messages)) from None
    if isinstance(value, datetime) and timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value


def _bad_setting(name: str, error: str) -> ImportRefused:
    label = Form._meta.get_field(name).verbose_name
    return ImportRefused(
        _("The setting “%(setting)s” of the file is not valid: %(error)s")
        % {"setting": label, "error": error}
    )


def _settings(document: dict) -> dict[str, Any]:
    raw = document.get("settings")
    if not isinstance(raw, dict):
        raise ImportRefused(_("The file is not a Lutetia form (its settings are missing)."))
    values = {name: _value(name, raw[name]) for name in SETTINGS if name in raw}
    if not str(values.get("title") or "").strip():
        raise ImportRefused(_("The form in the file has no title."))
    values["title"] = values["title"].strip()
    values["slug"] = values.get("slug") or ""
    return values


def _parse(raw: Any) -> fd.Definition:
    from .builder_forms import check_drawable

    try:
        parsed = fd.parse(raw)
        check_drawable(parsed)
        return parsed
    except fd.DefinitionError as exc:
        raise ImportRefused(
            _("The form's definition is not valid: %(error)s") % {"error": exc}
        ) from None
    except (TypeError, ValueError, KeyError, AttributeError, RecursionError):
        # A value of a type the format never holds (a list where a key goes, …).
        raise ImportRefused(
            _("The form's definition is not valid: a part of it has an unexpected shape.")
        ) from None


def _checked(form: Form) -> Form:
    """The model's own checks (lengths, choices, the reference prefix…), as one message."""
    try:
        form.full_clean(
            exclude=["site", "workgroup", "category", "draft"],
            validate_unique=False,
            validate_constraints=False,
        )
    except ValidationError as exc:
        problems = []
        for name, messages in exc.message_dict.items():
            try:
                label = str(Form._meta.get_field(name).verbose_name)
            except FieldDoesNotExist:  # "__all__": a non-field error has no label
                label = ""
            problems.append(f"{label}: {' '.join(messages)}" if label else " ".join(messages))
        raise ImportRefused(
            _("The settings of the file are not valid: %(errors)s")
            % {"errors": "; ".join(problems)}
        ) from None
    return form


def unique_slug(site, slug: str, *, exclude_pk=None) -> str:
    """``slug``, or ``slug-2``, ``slug-3``… when another form of the site has it."""
    max_length = Form._meta.get_field("slug").max_length
    base = (slug or "form")[:max_length]
    taken = set(
        Form.objects.filter(site=site).exclude(pk=exclude_pk).values_list("slug", flat=True)
    )
    candidate, number = base, 2
    while candidate in taken:
        suffix = f"-{number}"
        candidate = base[: max_length - len(suffix)] + suffix
        number += 1
    return candidate


def _category(site, name: Any) -> Category | None:
    if not isinstance(name, str) or not name.strip():
        return None
    return Category.objects.filter(site=site, name=name.strip()).first()


def import_form(data: bytes | str, *, site, user=None, workgroup=None) -> Form:
    """Create a new, disabled form from an exported file; `ImportRefused` says why not.

    The slug gets "-2", "-3"… when the site has it already; the category is the site's one of
    the same name, or none. Nothing is published. One transaction, with its audit entry.
    """
    document = _decode(data)
    _check_format(document)
    values = _settings(document)
    raw_definition = document.get("definition")
    _parse(raw_definition)
    try:
        with transaction.atomic():
            form = Form(
                **values,
                site=site,
                workgroup=workgroup,
                category=_category(site, document.get("category")),
                enabled=False,
                draft=raw_definition,
            )
            form.slug = unique_slug(site, values["slug"] or slugify(values["title"])[:80])
            _checked(form).save()
            audit.record(
                user,
                "forms.imported",
                form,
                category="admin",
                details={"title": form.title[:150], "version": document.get("version")},
            )
    except IntegrityError:
        raise ImportRefused(
            _("Another form took the same address at the same moment: import the file again.")
        ) from None
    return form


# --- duplicate --------------------------------------------------------------------------------


def duplicate(form: Form, user=None) -> Form:
    """A copy of the form's settings and draft on the same site: "Copy of …", disabled, with
    its own address; no version, no response."""
    title_length = Form._meta.get_field("title").max_length
    values = {name: getattr(form, name) for name in SETTINGS}
    values["title"] = (_("Copy of %(title)s") % {"title": form.title})[:title_length]
    try:
        with transaction.atomic():
            copied = Form.objects.create(
                **values | {"slug": unique_slug(form.site, form.slug)},
                site=form.site,
                category=form.category,
                workgroup=form.workgroup,
                enabled=False,
                draft=copy.deepcopy(form.draft),
            )
            audit.record(
                user,
                "forms.duplicated",
                copied,
                category="admin",
                details={"from": form.pk, "title": form.title[:150]},
            )
    except IntegrityError:
        raise ImportRefused(
            _("Another form took the same address at the same moment: try again.")
        ) from None
    return copied
