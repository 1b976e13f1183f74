"""Languages and time zones: the remembered language, the site's zone, daylight-saving changes,
localised dates, numbers and plurals, and unsupported languages (docs/languages.md)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.http import HttpResponse
from django.template import engines
from django.urls import path
from django.utils import translation
from wagtail.models import Site

from lutetia import urls as lutetia_urls
from lutetia.jobs.services import describe_interval
from lutetia.site.models import SiteIdentity
from lutetia.site.timezones import NonExistentLocalTime, is_ambiguous, make_aware_local
from lutetia.testing.pytest_plugin import PASSWORD

pytestmark = pytest.mark.django_db

COOKIE = settings.LANGUAGE_COOKIE_NAME
# Daylight-saving changes in Europe/Paris, 2025: the clocks go forward at 02:00 on Sunday 30
# March (to 03:00), and back at 03:00 on Sunday 26 October (to 02:00).
SPRING = dt.date(2025, 3, 30)
AUTUMN = dt.date(2025, 10, 26)


# --- a page showing a stored time, as every template does (``|date`` with a format name) -------

CLOCK = engines["django"].from_string(
    '<p class="when">{{ when|date:"DATETIME_FORMAT" }}'
    '{% with zone=when|date:"T" %}{% if zone %} ({{ zone }}){% endif %}{% endwith %}</p>'
    '<p class="day">{{ when|date:"DATE_FORMAT" }}</p>'
    '<p class="amount">{{ amount|floatformat:"1g" }}</p>'
)


def clock(request):
    """Shows the UTC instant ``?at=`` and the number ``?amount=``."""
    when = dt.datetime.fromisoformat(request.GET["at"])
    amount = float(request.GET.get("amount", "0"))
    return HttpResponse(CLOCK.render({"when": when, "amount": amount}, request))


# Outside the language-prefixed routes, like a plugin's service: its language comes from the
# language cookie (else the default), its zone from the person or the site.
urlpatterns = [path("essai/horloge/", clock), *lutetia_urls.urlpatterns]
on_the_clock_page = pytest.mark.urls(__name__)


def shown(client, instant: str, **headers) -> str:
    html = client.get("/essai/horloge/", {"at": instant}, **headers).content.decode()
    return html.split('<p class="when">')[1].split("</p>")[0]


def sign_in(client, email, **data):
    return client.post("/account/login/", {"login": email, "password": PASSWORD, **data})


@pytest.fixture
def cayenne(default_site):
    """A second site, in French Guiana (UTC-3 all year, no daylight saving)."""
    site = Site.objects.create(
        hostname="cayenne.example.org", port=80, root_page=default_site.root_page
    )
    identity = SiteIdentity.for_site(site)
    identity.time_zone = "America/Cayenne"
    identity.save()
    return site


# --- daylight-saving changes -------------------------------------------------------------------


@on_the_clock_page
def test_a_stored_time_is_shown_on_either_side_of_the_spring_change(client, default_site):
    assert SiteIdentity.for_site(default_site).time_zone == "Europe/Paris"

    # One second apart in UTC, an hour apart on the clock: 02:00 to 02:59 never happen.
    assert shown(client, "2025-03-30T00:59:59+00:00") == "30 mars 2025 01:59 (CET)"
    assert shown(client, "2025-03-30T01:00:00+00:00") == "30 mars 2025 03:00 (CEST)"


@on_the_clock_page
def test_a_stored_time_is_shown_on_either_side_of_the_autumn_change(client, default_site):
    assert shown(client, "2025-10-26T00:59:00+00:00") == "26 octobre 2025 02:59"
    # An hour later in UTC the clocks have gone back: 02:00 again, not 03:00.
    assert shown(client, "2025-10-26T01:00:00+00:00") == "26 octobre 2025 02:00"
    # The hour between happens twice: both instants are 02:30 on the wall (Django leaves
    # out the zone's name there, which would be a guess), and the next hour is winter time.
    assert shown(client, "2025-10-26T00:30:00+00:00") == "26 octobre 2025 02:30"
    assert shown(client, "2025-10-26T01:30:00+00:00") == "26 octobre 2025 02:30"
    assert shown(client, "2025-10-25T23:59:00+00:00") == "26 octobre 2025 01:59 (CEST)"
    assert shown(client, "2025-10-26T02:00:00+00:00") == "26 octobre 2025 03:00 (CET)"


def test_a_local_time_that_does_not_exist_is_refused_with_a_translated_message():
    skipped = dt.datetime.combine(SPRING, dt.time(2, 30))

    with pytest.raises(NonExistentLocalTime) as refused:
        make_aware_local(skipped, "Europe/Paris")

    assert refused.value.code == "nonexistent_time"
    with translation.override("en"):
        assert refused.value.messages == [
            "2:30 a.m. does not exist on March 30, 2025 in the Europe/Paris time zone: the "
            "clocks go forward that night. Choose another time."
        ]
    with translation.override("fr"):
        assert refused.value.messages == [
            "02:30 n’existe pas le 30 mars 2025 dans le fuseau horaire Europe/Paris\xa0: les "
            "horloges avancent d’une heure cette nuit-là. Choisissez une autre heure."
        ]
    with translation.override("hu"):
        (message,) = refused.value.messages
    assert message.startswith("02:30 nem létezik 2025. március 30. napján")


def test_a_local_time_that_exists_twice_is_the_first_one_and_others_are_plain():
    twice = dt.datetime.combine(AUTUMN, dt.time(2, 30))
    assert is_ambiguous(twice, "Europe/Paris")
    assert make_aware_local(twice, "Europe/Paris").astimezone(dt.UTC) == dt.datetime(
        2025, 10, 26, 0, 30, tzinfo=dt.UTC
    )  # still summer time: an hour before the second 02:30
    assert not is_ambiguous(dt.datetime.combine(SPRING, dt.time(2, 30)), "Europe/Paris")

    summer = make_aware_local(dt.datetime(2025, 7, 14, 10, 0), "Europe/Paris")
    assert summer.astimezone(dt.UTC) == dt.datetime(2025, 7, 14, 8, 0, tzinfo=dt.UTC)
    # Just after the spring gap, and in a zone without daylight saving.
    after = make_aware_local(dt.datetime.combine(SPRING, dt.time(3, 0)), "Europe/Paris")
    assert after.astimezone(dt.UTC) == dt.datetime(2025, 3, 30, 1, 0, tzinfo=dt.UTC)
    guiana = make_aware_local(dt.datetime.combine(SPRING, dt.time(2, 30)), "America/Cayenne")
    assert guiana.astimezone(dt.UTC) == dt.datetime(2025, 3, 30, 5, 30, tzinfo=dt.UTC)
    with pytest.raises(ValueError):
        make_aware_local(summer, "Europe/Paris")  # already aware: a mistake of the caller


# --- each site its zone, each person theirs ---------------------------------------------------


@on_the_clock_page
def test_a_site_in_another_zone_shows_the_same_instant_at_its_own_time(client, cayenne):
    instant = "2025-03-30T01:00:00+00:00"

    assert shown(client, instant) == "30 mars 2025 03:00 (CEST)"
    assert shown(client, instant, HTTP_HOST="cayenne.example.org") == "29 mars 2025 22:00 (-03)"


@on_the_clock_page
def test_a_person_s_own_zone_wins_over_the_site_s(client, cayenne, citizen):
    citizen.time_zone = "Europe/Budapest"
    citizen.save()
    client.force_login(citizen)
    instant = "2025-07-14T08:00:00+00:00"

    assert shown(client, instant, HTTP_HOST="cayenne.example.org") == "14 juillet 2025 10:00 (CEST)"

    citizen.time_zone = ""
    citizen.save()
    assert shown(client, instant, HTTP_HOST="cayenne.example.org") == "14 juillet 2025 05:00 (-03)"
    client.logout()
    assert shown(client, instant) == "14 juillet 2025 10:00 (CEST)"  # Paris, the default site


def test_a_new_site_starts_in_the_installation_s_zone(default_site):
    site = Site.objects.create(hostname="autre.example.org", root_page=default_site.root_page)
    assert SiteIdentity.for_site(site).time_zone == settings.TIME_ZONE


def test_the_site_settings_refuse_an_unknown_time_zone_with_a_translated_message(
    client, default_site, site_admin
):
    client.force_login(site_admin)
    url = f"/admin/settings/lutetia_site/siteidentity/{default_site.pk}/"
    form = client.get(url).content.decode()
    assert '<option value="America/Cayenne">America/Cayenne</option>' in form

    refused = client.post(url, {"name": "Beaumont", "time_zone": "Mars/Olympus"})

    assert refused.status_code == 200
    assert "«\xa0Mars/Olympus\xa0» n’est pas un fuseau horaire connu" in refused.content.decode()
    assert SiteIdentity.for_site(default_site).time_zone == "Europe/Paris"

    accepted = client.post(url, {"name": "Beaumont", "time_zone": "Europe/Budapest"})

    assert accepted.status_code == 302
    assert SiteIdentity.for_site(default_site).time_zone == "Europe/Budapest"


# --- dates, numbers and plurals in each language -------------------------------------------------


@on_the_clock_page
@pytest.mark.parametrize(
    ("language", "date", "amount"),
    [
        ("fr", "30 mars 2025", "1\xa0234,5"),
        ("en", "March 30, 2025", "1,234.5"),
        ("hu", "2025. március 30.", "1\xa0234,5"),
    ],
)
def test_dates_and_numbers_are_written_the_way_of_each_language(
    client, default_site, language, date, amount
):
    client.cookies[COOKIE] = language  # chosen with the language form

    html = client.get(
        "/essai/horloge/", {"at": "2025-03-30T10:00:00+00:00", "amount": "1234.5"}
    ).content.decode()

    assert f'<p class="day">{date}</p>' in html
    assert f'<p class="amount">{amount}</p>' in html


@pytest.mark.parametrize(
    ("language", "one", "many", "hours"),
    [
        ("fr", "1 seconde", "45 secondes", "2\xa0heures"),
        ("en", "1 second", "45 seconds", "2\xa0hours"),
        ("hu", "1 másodperc", "45 másodperc", "2\xa0óra"),
    ],
)
def test_plurals_follow_each_language_s_rules(language, one, many, hours):
    with translation.override(language):
        assert describe_interval(dt.timedelta(seconds=1)) == one
        assert describe_interval(dt.timedelta(seconds=45)) == many
        assert describe_interval(dt.timedelta(hours=2)) == hours


# --- the remembered language ---------------------------------------------------------------------


def test_a_switch_of_language_is_remembered_and_used_at_the_next_sign_in(client, citizen):
    landing = client.get(sign_in(client, citizen.email)["Location"])
    assert '<html lang="fr"' in landing.content.decode()

    # The language switcher of "Mon compte" leads to "My account".
    switched = client.get("/en/account/", HTTP_REFERER="http://testserver/account/")

    assert '<html lang="en"' in switched.content.decode()
    citizen.refresh_from_db()
    assert citizen.language == "en"
    assert switched.cookies[COOKIE].value == "en"

    client.post("/account/logout/")
    client.cookies.pop(COOKIE)  # another browser
    signed_in = sign_in(client, citizen.email)

    assert signed_in["Location"] == "/en/account/"
    assert signed_in.cookies[COOKIE].value == "en"


@on_the_clock_page
def test_after_signing_in_addresses_without_a_language_speak_the_person_s(client, citizen):
    citizen.language = "hu"
    citizen.save()
    instant = {"at": "2025-03-30T10:00:00+00:00"}
    assert "30 mars 2025" in client.get("/essai/horloge/", instant).content.decode()

    sign_in(client, citizen.email)
    html = client.get("/essai/horloge/", instant, HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert '<p class="day">2025. március 30.</p>' in html  # theirs, over the browser's


def test_a_content_address_keeps_its_language_for_a_signed_in_person(client, citizen):
    citizen.language = "en"
    citizen.save()
    client.force_login(citizen)

    # A bookmark, a link in an e-mail: the address says French, the page is French...
    response = client.get("/account/")

    assert response.status_code == 200
    assert '<html lang="fr"' in response.content.decode()
    # ...and reading it is no change of preference.
    citizen.refresh_from_db()
    assert citizen.language == "en"


def test_the_page_a_sign_in_lands_on_is_not_a_choice_of_language(client, citizen):
    citizen.language = "hu"
    citizen.save()
    login = "/en/account/login/"

    landed = client.post(
        f"{login}?next=/account/",
        {"login": citizen.email, "password": PASSWORD},
        HTTP_REFERER=f"http://testserver{login}",
    )
    assert landed["Location"] == "/account/"
    page = client.get("/account/", HTTP_REFERER=f"http://testserver{login}")

    assert '<html lang="fr"' in page.content.decode()
    citizen.refresh_from_db()
    assert citizen.language == "hu"
    assert landed.cookies[COOKIE].value == "hu"


def test_the_language_form_keeps_a_signed_in_person_s_choice(client, citizen):
    client.force_login(citizen)

    response = client.post("/i18n/setlang/", {"language": "hu", "next": "/en/account/"})

    assert response["Location"] == "/hu/account/"
    assert response.cookies[COOKIE].value == "hu"
    citizen.refresh_from_db()
    assert citizen.language == "hu"


# --- unsupported languages ---------------------------------------------------------------------


def test_an_unsupported_language_in_the_language_form_changes_nothing(client, citizen):
    client.force_login(citizen)

    response = client.post("/i18n/setlang/", {"language": "xx", "next": "/en/account/"})

    assert (response.status_code, response["Location"]) == (302, "/en/account/")
    assert COOKIE not in response.cookies
    citizen.refresh_from_db()
    assert citizen.language == ""


@on_the_clock_page
@pytest.mark.parametrize("cookie", [None, "xx", "de"])
def test_an_unsupported_language_gets_the_site_default(client, default_site, cookie):
    if cookie:
        client.cookies[COOKIE] = cookie

    response = client.get(
        "/essai/horloge/",
        {"at": "2025-03-30T10:00:00+00:00", "amount": "1234.5"},
        HTTP_ACCEPT_LANGUAGE="de-DE,de;q=0.9",
    )

    assert response.status_code == 200
    assert '<p class="day">30 mars 2025</p>' in response.content.decode()  # French, the default


def test_an_unsupported_language_prefix_is_a_french_not_found_page(client, default_site):
    response = client.get("/de/", HTTP_ACCEPT_LANGUAGE="de")

    assert response.status_code == 404
    assert '<html lang="fr"' in response.content.decode()


def test_an_unsupported_language_cookie_gets_the_site_default(client, default_site):
    client.cookies[COOKIE] = "xx"

    response = client.get("/account/login/", HTTP_ACCEPT_LANGUAGE="xx")

    assert response.status_code == 200
    assert '<html lang="fr"' in response.content.decode()
