"""Which language an address is in, and when a signed-in person switched languages.

Content addresses carry their language (``/`` French, ``/en/``, ``/hu/``: ``i18n_patterns``
without a prefix for the default language); other addresses (``/services/...``,
``/admin/``) do not, and speak the language the visitor chose (`lutetia.site.middleware`).
See ``docs/languages.md``.
"""

from __future__ import annotations

from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.urls import LocalePrefixPattern, Resolver404, get_script_prefix, resolve
from django.utils import translation


def supported(code: str | None) -> str | None:
    """``code`` when the site speaks it (``settings.LANGUAGES``), else None."""
    return code if code in {language for language, _name in settings.LANGUAGES} else None


def supported_variant(code: str | None) -> str | None:
    """The site's language for ``code`` (``en-GB`` is ``en``), or None when it speaks none."""
    if not code:
        return None
    try:
        return supported(translation.get_supported_language_variant(code))
    except LookupError:
        return None


def language_of_path(path: str) -> str | None:
    """The language an address (path only, no script prefix) is in, or None when its
    language is not part of the address.

    ``/en/account/`` is English, ``/account/`` and ``/demarches/`` are in the default language,
    ``/services/contact/`` has no language of its own. An unsupported prefix (``/de/...``) is
    the default language's address of a page called ``de``.
    """
    code = supported(translation.get_language_from_path(path))
    if code:
        return code
    with translation.override(settings.LANGUAGE_CODE):
        try:
            match = resolve(unquote(path))
        except Resolver404:
            return None
    # The matched chain of patterns, from the top: the language-prefixed routes start with
    # ``i18n_patterns``'s resolver.
    chain = match.tried[-1] if match.tried else []
    if chain and isinstance(getattr(chain[0], "pattern", None), LocalePrefixPattern):
        return settings.LANGUAGE_CODE
    return None


def switched_to(path: str, referer: str | None, host: str) -> str | None:
    """The language a person switched to by following a link from a page of this site in
    another language to ``path`` (the language switcher), else None.

    A visit without a ``Referer`` from this host (a bookmark, a link in an e-mail or from
    another site) is no switch: the address alone says what the person reads, not what they
    prefer.
    """
    if not referer:
        return None
    parts = urlsplit(referer)
    if parts.netloc != host:
        return None
    previous_path = parts.path
    prefix = get_script_prefix()
    if prefix != "/" and previous_path.startswith(prefix):
        previous_path = "/" + previous_path[len(prefix) :]
    now = language_of_path(path)
    if now is None:
        return None
    before = language_of_path(previous_path)
    return now if before is not None and before != now else None
