"""Each request in its language and its time zone (docs/languages.md).

- `LocaleMiddleware`: content addresses carry their language (``/``, ``/en/``, ``/hu/``);
  the others (``/services/...``, ``/admin/``) speak the one the visitor chose (cookie).
- `UserLanguageMiddleware`: a signed-in person's language is remembered.
- `TimeZoneMiddleware`: times in the person's zone, else the site's, else the installation's.
"""

from __future__ import annotations

from django.conf import settings
from django.middleware import locale
from django.utils import timezone, translation
from django.utils.cache import patch_vary_headers
from wagtail.models import Site

from lutetia.accounts import services as accounts

from . import languages, timezones


class LocaleMiddleware(locale.LocaleMiddleware):
    """Django's, except for the addresses outside the language-prefixed routes.

    With ``i18n_patterns(prefix_default_language=False)`` Django gives every address without
    a language prefix the default language, plugins' services and the back office included,
    whatever the visitor chose. Here content addresses keep that rule (``/demarches/`` is
    French by its address), and the others speak the language of the cookie when it names a
    language the site speaks: set by the language form (``/i18n/setlang/``) or, for a
    signed-in person, to their own language (`UserLanguageMiddleware`). Otherwise, as any
    unsupported code, the default: ``LUTETIA_LANGUAGE_CODE``. The browser's
    ``Accept-Language`` is not followed: a city's back office and services speak its
    language until someone chooses another.
    """

    def process_request(self, request):
        super().process_request(request)
        path = request.path_info
        if translation.get_language_from_path(path) or languages.language_of_path(path):
            return
        request.lutetia_language_from_cookie = True
        language = languages.supported_variant(request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME))
        if language:
            translation.activate(language)
            request.LANGUAGE_CODE = translation.get_language()

    def process_response(self, request, response):
        response = super().process_response(request, response)
        if getattr(request, "lutetia_language_from_cookie", False):
            patch_vary_headers(response, ("Cookie",))
        return response


class UserLanguageMiddleware:
    """A signed-in person's language is remembered (``User.language``).

    - Following a link from a page of the site in one language to a page in another (the
      language switcher) records the new language as theirs. The page a sign-in lands on
      (``?next=``) is no choice, nor is an address opened from a bookmark or an e-mail.
    - Each answer to a signed-in person whose language differs from the language cookie
      carries the cookie of their language, so the addresses without a language of their own
      (``/services/...``, the back office) speak it from the next request; content
      addresses keep the language of their prefix.

    Place it after ``AuthenticationMiddleware``.
    """

    #: Session key set by a sign-in: the next page is where it lands, not a choice.
    LANDING = "lutetia_language_landing"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        was_signed_in = user is not None and user.is_authenticated
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return response
        if not was_signed_in:
            request.session[self.LANDING] = True
        elif (
            request.method == "GET"
            and 200 <= response.status_code < 300
            and not request.session.pop(self.LANDING, False)
        ):
            switched = languages.switched_to(
                request.path_info, request.META.get("HTTP_REFERER"), request.get_host()
            )
            if switched:
                accounts.remember_language(user, switched)
        language = accounts.preferred_language(user)
        cookie = settings.LANGUAGE_COOKIE_NAME
        if language and request.COOKIES.get(cookie) != language and cookie not in response.cookies:
            response.set_cookie(
                cookie,
                language,
                max_age=settings.LANGUAGE_COOKIE_AGE,
                path=settings.LANGUAGE_COOKIE_PATH,
                domain=settings.LANGUAGE_COOKIE_DOMAIN,
                secure=settings.LANGUAGE_COOKIE_SECURE,
                httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
                samesite=settings.LANGUAGE_COOKIE_SAMESITE,
            )
        return response


class TimeZoneMiddleware:
    """Activate the zone dates and times are shown in: the signed-in person's own zone
    (``User.time_zone``), else the site's (Settings → Site identity), else the installation's
    (``LUTETIA_TIME_ZONE``). Stored times stay UTC.

    The zone is looked up when a time is first converted (`timezones.RequestZone`): probes and
    pages served from the cache never read the site's settings.

    Place it after ``AuthenticationMiddleware``. In the back office Wagtail activates its own
    preference instead (Account → Preferences → time zone, else ``LUTETIA_TIME_ZONE``).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        timezone.activate(
            timezones.RequestZone(
                lambda: timezones.zone_for(user, lambda: Site.find_for_request(request))
            )
        )
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
