"""`check_upload`: everything a citizen's file must pass before it is kept.

In order, cheapest first: not empty, not too large (the field's limit and the installation's
hard cap, ``LUTETIA_UPLOAD_MAX_SIZE``), a type the field accepts *as read in the content*, an
extension that agrees with that type, for images dimensions read from the header only (no
decompression bomb is ever decoded), and last the virus scan. Each refusal is a
`ValidationError` with a message in the citizen's language and a ``code`` a plugin can test:
"empty", "size", "type", "extension", "dimensions", "virus", "scan_failed".
"""

from __future__ import annotations

import hashlib
import os
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _
from PIL import Image

from .filetypes import describe, extension_agrees, resolve_allowed, sniff
from .scan import check_clean

DEFAULT_MAX_SIZE = 20 * 1024 * 1024
MAX_NAME_LENGTH = 120
# Longer than this after the last dot, it is part of the name, not an extension.
MAX_EXTENSION_LENGTH = 10
READ_CHUNK = 64 * 1024

# The Pillow decoder that must read each image type: a file libmagic calls PNG is opened as a
# PNG, not as whatever else Pillow could make of it.
PILLOW_FORMATS = {
    "image/png": "PNG",
    "image/jpeg": "JPEG",
    "image/gif": "GIF",
    "image/webp": "WEBP",
}

# Characters Windows refuses in a file name: the name is offered again on download.
_RESERVED = re.compile(r'[<>:"|?*]')
_SPACES = re.compile(r"\s+")

MESSAGES = {
    "empty": _("“%(name)s” is empty."),
    "size": _("“%(name)s” is too large (%(size)s): the limit is %(limit)s."),
    "type": _("The content of “%(name)s” is not one of the accepted types of file: %(accepted)s."),
    "extension": _(
        "The content of “%(name)s” does not match its extension: it is a %(kind)s file. "
        "Rename it with the right extension, or choose another file."
    ),
    "unreadable": _("“%(name)s” cannot be read as an image."),
    "bomb": _("“%(name)s” is an image too large to be opened."),
    "width": _("“%(name)s” is %(width)s pixels wide: the limit is %(limit)s."),
    "height": _("“%(name)s” is %(height)s pixels high: the limit is %(limit)s."),
    "pixels": _("“%(name)s” has too many pixels (%(width)s × %(height)s): the limit is %(limit)s."),
}


@dataclass(frozen=True)
class CheckedFile:
    """What the checks found: what a plugin stores beside the storage name."""

    #: The display name (`safe_name`), never a path.
    name: str
    #: The type read in the content, not the one the browser claimed.
    content_type: str
    size: int
    sha256: str
    #: In pixels, for images; None otherwise.
    width: int | None = None
    height: int | None = None


def safe_name(name: str) -> str:
    """A file name fit to show and to offer again on download: the last part of a path only
    (browsers may send "C:\\Users\\…\\scan.pdf"), no control or direction-override
    characters (which can disguise "exe" as "pdf"), at most 120 characters, extension kept."""
    name = unicodedata.normalize("NFC", str(name)).replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(" " if _is_separator(c) else c for c in name if not _is_invisible(c))
    name = _SPACES.sub(" ", _RESERVED.sub("_", name)).strip(" .")
    stem, extension = os.path.splitext(name)
    if len(extension) > MAX_EXTENSION_LENGTH:
        stem, extension = name, ""
    stem = stem[: MAX_NAME_LENGTH - len(extension)].rstrip(" .")
    return f"{stem}{extension}" if stem else f"file{extension}"


def _is_invisible(char: str) -> bool:
    # Cc: control, Cf: format (right-to-left override, zero-width), Cs/Co/Cn: not characters.
    return unicodedata.category(char).startswith("C") and char not in "\t\n\r"


def _is_separator(char: str) -> bool:
    return char in "\t\n\r" or unicodedata.category(char) in {"Zl", "Zp"}


def check_upload(
    uploaded_file: Any,
    *,
    allowed: Iterable[str] = (),
    max_size: int | None = None,
    max_width: int | None = None,
    max_height: int | None = None,
    max_pixels: int | None = None,
    scan: bool = True,
) -> CheckedFile:
    """Check a citizen's file (a Django ``UploadedFile`` or any ``File`` with a name) and
    describe it, or raise `ValidationError`.

    ``allowed``: families ("pdf", "image", "office", "text"), MIME types, "image/*" or
    extensions; empty: `DEFAULT_ALLOWED`. ``max_size`` in bytes, never above
    ``LUTETIA_UPLOAD_MAX_SIZE``. ``scan``: send the file to ClamAV when
    ``LUTETIA_CLAMAV_URL`` is set (a plugin turns it off only for files it made itself).
    The file's position is back at its start afterwards.
    """
    name = safe_name(getattr(uploaded_file, "name", "") or "")
    types = resolve_allowed(allowed)
    limit = size_limit(max_size)
    _check_size(name, getattr(uploaded_file, "size", None), limit)  # before reading anything
    digest, size = _digest(uploaded_file)
    _check_size(name, size, limit)
    content_type = _check_type(uploaded_file, name, types)
    width = height = None
    if content_type.startswith("image/"):
        width, height = _image_size(uploaded_file, name, content_type)
        _check_dimensions(name, width, height, max_width, max_height, max_pixels)
    if scan:
        check_clean(uploaded_file, name=name, sha256=digest)
    uploaded_file.seek(0)
    return CheckedFile(name, content_type, size, digest, width, height)


def size_limit(max_size: int | None = None) -> int:
    """The field's limit, or the installation's cap when it is lower or the field sets none."""
    cap = getattr(settings, "LUTETIA_UPLOAD_MAX_SIZE", DEFAULT_MAX_SIZE)
    return cap if max_size is None else min(max_size, cap)


def _check_size(name: str, size: int | None, limit: int) -> None:
    if size is None:
        return
    if size == 0:
        raise ValidationError(MESSAGES["empty"], code="empty", params={"name": name})
    if size > limit:
        raise ValidationError(
            MESSAGES["size"],
            code="size",
            params={"name": name, "size": filesizeformat(size), "limit": filesizeformat(limit)},
        )


def _digest(fileobj: IO[bytes]) -> tuple[str, int]:
    """SHA-256 and the true size: the size the upload announced is not trusted."""
    digest, size = hashlib.sha256(), 0
    fileobj.seek(0)
    while chunk := fileobj.read(READ_CHUNK):
        digest.update(chunk)
        size += len(chunk)
    fileobj.seek(0)
    return digest.hexdigest(), size


def _check_type(fileobj: IO[bytes], name: str, types: frozenset[str]) -> str:
    content_type = sniff(fileobj)
    if content_type not in types:
        raise ValidationError(
            MESSAGES["type"], code="type", params={"name": name, "accepted": describe(types)}
        )
    if not extension_agrees(name, content_type):
        raise ValidationError(
            MESSAGES["extension"],
            code="extension",
            params={"name": name, "kind": describe([content_type])},
        )
    return content_type


def _image_size(fileobj: IO[bytes], name: str, content_type: str) -> tuple[int, int]:
    """Width and height read from the header: ``Image.open`` decodes no pixel, and refuses an
    image whose declared size makes a decompression bomb; ``verify`` then walks the file's
    structure, still decoding nothing."""
    fileobj.seek(0)
    formats = [PILLOW_FORMATS[content_type]] if content_type in PILLOW_FORMATS else None
    try:
        with Image.open(fileobj, formats=formats) as image:
            width, height = image.size
            image.verify()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        # The error past twice Pillow's limit; the warning too, where warnings are errors.
        raise ValidationError(MESSAGES["bomb"], code="dimensions", params={"name": name})
    except Exception:  # a crafted file can make any of Pillow's decoders raise anything
        raise ValidationError(MESSAGES["unreadable"], code="type", params={"name": name})
    finally:
        fileobj.seek(0)
    # Between Pillow's limit and twice it, Pillow only warns: refused here by a plain
    # comparison, since turning the warning into an error (warnings.catch_warnings) would
    # change process-wide state under a threaded server.
    if Image.MAX_IMAGE_PIXELS and width * height > Image.MAX_IMAGE_PIXELS:
        raise ValidationError(MESSAGES["bomb"], code="dimensions", params={"name": name})
    return width, height


def _check_dimensions(
    name: str,
    width: int,
    height: int,
    max_width: int | None,
    max_height: int | None,
    max_pixels: int | None,
) -> None:
    params = {"name": name, "width": _number(width), "height": _number(height)}
    if max_width is not None and width > max_width:
        raise ValidationError(
            MESSAGES["width"], code="dimensions", params={**params, "limit": _number(max_width)}
        )
    if max_height is not None and height > max_height:
        raise ValidationError(
            MESSAGES["height"], code="dimensions", params={**params, "limit": _number(max_height)}
        )
    if max_pixels is not None and width * height > max_pixels:
        raise ValidationError(
            MESSAGES["pixels"], code="dimensions", params={**params, "limit": _number(max_pixels)}
        )


def _number(value: int) -> str:
    return number_format(value, force_grouping=True)
