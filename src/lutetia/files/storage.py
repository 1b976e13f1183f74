"""The private storage: where citizens' checked files are kept, and how they leave it.

It is Django's storage named "private" (``STORAGES``, built in `lutetia.conf.django`): a folder
of the data directory beside MEDIA_ROOT (never under it, so no URL reaches it), or a private
prefix of the S3 bucket. Files go in under a random name and come out only through
`file_response`, called by a plugin's view once it has checked who asks.
"""

from __future__ import annotations

import re
import secrets
from typing import Any

from django.core.files.storage import FileSystemStorage, Storage, storages
from django.http import FileResponse, Http404
from django.utils import timezone

from .checks import CheckedFile

STORAGE_ALIAS = "private"
# A prefix is chosen by a plugin ("forms", "appointments/attachments"): a relative path of
# plain segments, nothing a citizen wrote.
_PREFIX = re.compile(r"^[a-z0-9][a-z0-9_-]*(/[a-z0-9][a-z0-9_-]*)*$")
_EXTENSION = re.compile(r"^\.[a-z0-9]{1,10}$")

#: Sent with every private file: the browser takes the type as given, keeps no copy, and even a
#: file opened inline runs no script and loads nothing (a sandboxed, resource-less document).
RESPONSE_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "private, no-store",
    "Content-Security-Policy": "default-src 'none'; sandbox",
    "Cross-Origin-Resource-Policy": "same-origin",
}


class PrivateFileSystemStorage(FileSystemStorage):
    """A `FileSystemStorage` with no URL: a private file has no address of its own, so a
    template cannot link to one by mistake (``{{ file.url }}`` raises instead)."""

    def url(self, name: str | None) -> str:
        raise NotImplementedError(
            "private files have no URL: serve them with lutetia.files.file_response from a "
            "view that checks who asks"
        )


def private_storage() -> Storage:
    """The storage citizens' files live in (``STORAGES["private"]``)."""
    return storages[STORAGE_ALIAS]


def store(uploaded_file: Any, checked: CheckedFile, *, prefix: str) -> str:
    """Keep a checked file; return its storage name, which the plugin records.

    The name is ``{prefix}/{yyyy}/{mm}/{random token}{extension}``: the citizen's file name
    (often personal data, sometimes hostile) is never part of a path; it stays in
    ``checked.name``, for display. ``checked`` must come from `check_upload` on this file.
    """
    if not _PREFIX.match(prefix):
        raise ValueError(f"storage prefix {prefix!r}: lower-case path segments only")
    size = getattr(uploaded_file, "size", None)
    if size is not None and size != checked.size:
        raise ValueError("this file is not the one that was checked")
    now = timezone.now()
    name = f"{prefix}/{now:%Y}/{now:%m}/{secrets.token_urlsafe(18)}{_extension(checked.name)}"
    uploaded_file.seek(0)
    return private_storage().save(name, uploaded_file)


def _extension(name: str) -> str:
    extension = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    return extension if _EXTENSION.match(extension) else ""


def file_response(
    storage_name: str, *, display_name: str, content_type: str, inline: bool = False
) -> FileResponse:
    """The file, to send from a view that has checked the person may see it.

    A download by default (``attachment``, the display name encoded per RFC 5987 by Django);
    ``inline`` lets a browser show it, still under the headers above. A file that is not (or
    no longer) there is a 404.
    """
    storage = private_storage()
    if not storage_name or not storage.exists(storage_name):
        raise Http404("no such file")
    try:
        handle = storage.open(storage_name, "rb")
    except FileNotFoundError:
        raise Http404("no such file") from None
    response = FileResponse(
        handle, as_attachment=not inline, filename=display_name, content_type=content_type
    )
    for header, value in RESPONSE_HEADERS.items():
        response[header] = value
    return response


def delete(storage_name: str) -> None:
    """Remove a stored file; one already gone is not an error (a retried deletion, a purge
    that ran twice)."""
    if not storage_name:
        return
    try:
        private_storage().delete(storage_name)
    except FileNotFoundError:
        pass
