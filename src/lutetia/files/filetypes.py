"""The types of file Lutetia knows, and how a file's type is found from its content.

A citizen's browser reports a type, and the file name has an extension: both are whatever the
sender wants them to be. The type that counts is the one libmagic reads in the content;
the extension must then agree with it, so the file opens as what it is on an agent's computer.

Only the types listed in `KNOWN_TYPES` can ever be accepted. SVG, HTML, executables and
archives are absent on purpose: each can carry script or hide other files. HEIC is absent
too: no browser but Safari shows it, so an agent could not read it, and iPhones already send
JPEG to a file input that does not ask for HEIC.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from typing import IO

import magic
from django.utils.translation import gettext_lazy as _

#: How much of a file libmagic reads: enough for the ZIP-based office formats, whose telling
#: entries may come after a few others.
SNIFF_BYTES = 1024 * 1024

# Types libmagic (depending on its version and on the order of a ZIP's entries) gives to the
# OOXML and ODF formats when it cannot tell which office format a ZIP holds.
VAGUE_ZIP_TYPES = frozenset({"application/zip", "application/x-zip-compressed"})
VAGUE_TYPES = VAGUE_ZIP_TYPES | {"application/octet-stream"}
ZIP_SIGNATURE = b"PK\x03\x04"

# The mapping that settles a vague ZIP, as Open Forms does: an ODF file's first entry,
# "mimetype", holds its type; an OOXML file's [Content_Types].xml names its main part. The
# macro-enabled variants (docm, xlsm) are deliberately not listed: they stay "application/zip"
# and are refused.
ODF_TYPES = frozenset(
    {
        "application/vnd.oasis.opendocument.text",
        "application/vnd.oasis.opendocument.spreadsheet",
        "application/vnd.oasis.opendocument.presentation",
    }
)
OOXML_MAIN_PARTS = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    ),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    ),
    "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml": (
        "application/vnd.openxmlformats-officedocument.presentationml.presentation"
    ),
}
# Other names libmagic has used for a type we know.
SNIFFED_ALIASES = {"application/csv": "text/csv", "image/pjpeg": "image/jpeg"}
# Entries of a ZIP read to settle its type: small, read with a bound (a ZIP bomb inflates
# nothing past it).
ZIP_ENTRY_LIMIT = 256 * 1024


@dataclass(frozen=True)
class FileType:
    """A type of file we accept when asked to: its MIME type and the extensions its files
    may carry (lower case, with the dot; the first is the usual one)."""

    mime: str
    extensions: tuple[str, ...]
    #: The family (`FAMILIES`) an administrator picks it through, if any.
    family: str = ""


KNOWN_TYPES: dict[str, FileType] = {
    filetype.mime: filetype
    for filetype in (
        FileType("application/pdf", (".pdf",), "pdf"),
        FileType("image/png", (".png",), "image"),
        FileType("image/jpeg", (".jpg", ".jpeg"), "image"),
        FileType("image/gif", (".gif",), "image"),
        FileType("image/webp", (".webp",), "image"),
        # libmagic calls most CSV files plain text, some text/csv: either may carry either name.
        FileType("text/plain", (".txt", ".csv"), "text"),
        FileType("text/csv", (".csv", ".txt"), "text"),
        FileType("application/vnd.oasis.opendocument.text", (".odt",), "office"),
        FileType("application/vnd.oasis.opendocument.spreadsheet", (".ods",), "office"),
        FileType(
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            (".docx",),
            "office",
        ),
        FileType(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            (".xlsx",),
            "office",
        ),
        # Presentations: known, in no family; a plugin asks for them by name ("pptx").
        FileType("application/vnd.oasis.opendocument.presentation", (".odp",)),
        FileType(
            "application/vnd.openxmlformats-officedocument.presentationml.presentation",
            (".pptx",),
        ),
    )
}

#: What an administrator picks from for a file field: (value, label). Each value is a valid
#: entry of ``allowed`` (`resolve_allowed`).
TYPE_CHOICES = [
    ("pdf", _("PDF document")),
    ("image", _("Image (PNG, JPEG, GIF, WebP)")),
    ("office", _("Office document (ODF, OOXML)")),
    ("text", _("Text (TXT, CSV)")),
]
FAMILIES = frozenset(value for value, _label in TYPE_CHOICES)

#: The safe set accepted when a field names no type: every family above.
DEFAULT_ALLOWED: tuple[str, ...] = tuple(value for value, _label in TYPE_CHOICES)


def resolve_allowed(allowed: Iterable[str]) -> frozenset[str]:
    """The MIME types ``allowed`` stands for; empty: `DEFAULT_ALLOWED`.

    An entry is a family of `TYPE_CHOICES` ("image"), a MIME type ("application/pdf"), a
    wildcard ("image/*", among the known types only) or an extension ("pdf", ".jpg"). An
    entry that names no known type is a programming or configuration error: `ValueError`,
    rather than a field that silently accepts nothing.
    """
    entries = [str(entry).strip().lower() for entry in allowed if str(entry).strip()]
    types: set[str] = set()
    for entry in entries or DEFAULT_ALLOWED:
        found = _types_for_entry(entry)
        if not found:
            raise ValueError(f"no known file type for {entry!r} (see lutetia.files.KNOWN_TYPES)")
        types |= found
    return frozenset(types)


def _types_for_entry(entry: str) -> set[str]:
    if entry in FAMILIES:
        return {t.mime for t in KNOWN_TYPES.values() if t.family == entry}
    if entry.endswith("/*"):
        return {mime for mime in KNOWN_TYPES if mime.startswith(entry[:-1])}
    if "/" in entry:
        return {entry} if entry in KNOWN_TYPES else set()
    extension = entry if entry.startswith(".") else f".{entry}"
    return {t.mime for t in KNOWN_TYPES.values() if extension in t.extensions}


def accept_attribute(allowed: Iterable[str] = ()) -> str:
    """The ``accept`` attribute of an ``<input type="file">`` for ``allowed``: a hint that
    spares citizens a refusal, never a check."""
    types = resolve_allowed(allowed)
    items: list[str] = []
    for mime in sorted(types):
        for item in (mime, *KNOWN_TYPES[mime].extensions):
            if item not in items:
                items.append(item)
    return ",".join(items)


def describe(types: Iterable[str]) -> str:
    """The accepted types as citizens know them: their usual extensions ("PDF, PNG, JPG")."""
    names: list[str] = []
    for mime in sorted(types, key=_family_order):
        name = KNOWN_TYPES[mime].extensions[0].lstrip(".").upper()
        if name not in names:
            names.append(name)
    return ", ".join(names)


def _family_order(mime: str) -> tuple[int, int]:
    order = list(KNOWN_TYPES)
    family = KNOWN_TYPES[mime].family
    rank = DEFAULT_ALLOWED.index(family) if family in DEFAULT_ALLOWED else len(DEFAULT_ALLOWED)
    return (rank, order.index(mime))


def sniff(fileobj: IO[bytes]) -> str:
    """The MIME type libmagic reads in the content (the file is read from its start; its
    position is left at the start)."""
    fileobj.seek(0)
    head = fileobj.read(SNIFF_BYTES)
    fileobj.seek(0)
    sniffed = magic.from_buffer(head, mime=True) if head else "application/x-empty"
    sniffed = SNIFFED_ALIASES.get(sniffed, sniffed)
    if sniffed in VAGUE_TYPES and head.startswith(ZIP_SIGNATURE):
        sniffed = office_type(fileobj) or sniffed
    return sniffed


def office_type(fileobj: IO[bytes]) -> str | None:
    """The ODF or OOXML type of a ZIP, read from its own declarations, or None.

    Used when libmagic only says "a ZIP": this is where the office formats say what they are.
    """
    try:
        with zipfile.ZipFile(fileobj) as archive:
            names = set(archive.namelist())
            if "mimetype" in names:
                declared = _read_entry(archive, "mimetype").decode("ascii", "replace").strip()
                if declared in ODF_TYPES:
                    return declared
            if "[Content_Types].xml" in names:
                content_types = _read_entry(archive, "[Content_Types].xml")
                for main_part, mime in OOXML_MAIN_PARTS.items():
                    # A plain search, not an XML parser: nothing to expand, nothing to fetch.
                    if f'ContentType="{main_part}"'.encode() in content_types:
                        return mime
    except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, ValueError):
        return None  # a broken or encrypted ZIP: it stays what libmagic said
    finally:
        fileobj.seek(0)
    return None


def _read_entry(archive: zipfile.ZipFile, name: str) -> bytes:
    with archive.open(name) as entry:
        return entry.read(ZIP_ENTRY_LIMIT)


def extension_agrees(name: str, mime: str) -> bool:
    """Whether the file name ends with an extension files of type ``mime`` carry."""
    filetype = KNOWN_TYPES.get(mime)
    return filetype is not None and name.lower().endswith(filetype.extensions)
