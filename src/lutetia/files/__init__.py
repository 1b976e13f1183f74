"""Citizens' uploads, done once for every plugin: check, store privately, serve to the owner.

A plain package (no models): the plugin keeps the storage name and the `CheckedFile`'s facts
on its own model. In a plugin::

    from lutetia import files

    # forms.py: the field's clean() (or the service), with the field's configuration
    checked = files.check_upload(
        upload, allowed=field.allowed_types, max_size=field.max_size, max_width=4000
    )  # ValidationError (translated, with a code) when refused; ClamAV scan included

    # services.py, in the use case's transaction
    attachment.storage_name = files.store(upload, checked, prefix="forms")
    attachment.name, attachment.content_type = checked.name, checked.content_type
    attachment.size, attachment.sha256 = checked.size, checked.sha256
    transaction.on_commit(...)  # and on rollback: files.delete(storage_name)

    # views.py: its own view, which decides who may see the file
    def download(request, pk):
        attachment = get_object_or_404(Attachment.objects.owned_by(request.user), pk=pk)
        return files.file_response(
            attachment.storage_name,
            display_name=attachment.name,
            content_type=attachment.content_type,
        )

An administrator chooses a field's types from `TYPE_CHOICES`; `accept_attribute` gives the
matching ``<input accept>`` hint; `lutetia.files.scan.scan` sends any file to ClamAV.
See docs/files.md.
"""

from .checks import MESSAGES, CheckedFile, check_upload, safe_name, size_limit
from .filetypes import (
    DEFAULT_ALLOWED,
    KNOWN_TYPES,
    TYPE_CHOICES,
    FileType,
    accept_attribute,
    resolve_allowed,
    sniff,
)

# The scanner itself stays `lutetia.files.scan.scan`: re-exported here, the function would hide
# its module.
from .scan import ScanError, ScanResult, check_clean
from .storage import delete, file_response, private_storage, store

__all__ = [
    "DEFAULT_ALLOWED",
    "KNOWN_TYPES",
    "MESSAGES",
    "TYPE_CHOICES",
    "CheckedFile",
    "FileType",
    "ScanError",
    "ScanResult",
    "accept_attribute",
    "check_clean",
    "check_upload",
    "delete",
    "file_response",
    "private_storage",
    "resolve_allowed",
    "safe_name",
    "size_limit",
    "sniff",
    "store",
]
