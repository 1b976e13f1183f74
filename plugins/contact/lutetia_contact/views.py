"""Contact's front office, under /services/contact/: thin views over services.py."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core import signing
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.timezone import localtime
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from wagtail.models import Site

from lutetia import resources
from lutetia.accounts.ownership import get_owned_or_404
from lutetia.ops.clients import client_ip

from . import services
from .forms import ContactForm
from .models import ContactMessage

#: The thank-you address carries the message's id, signed: nobody can walk other references.
SENT_SALT = "lutetia_contact.sent"
SENT_MAX_AGE = 60 * 60 * 24


def client_address(request) -> str:
    """The address the rate limit counts by: the citizen's, read through the trusted proxies
    only (`lutetia.ops.clients`), so a robot cannot pick a fresh address for every post."""
    return client_ip(request)


def _site(request):
    site = Site.find_for_request(request)
    if site is None:
        raise Http404
    return site


def _known(user) -> dict:
    """A signed-in citizen does not type their name and address again."""
    if not user.is_authenticated:
        return {}
    return {"name": user.get_full_name(), "email": user.email}


def _render(request, site, form, status=200, rate_limited=False):
    context = {
        "form": form,
        "rate_limited": rate_limited,
        "personal_data_url": services.personal_data_url(site, request),
    }
    return render(request, "lutetia_contact/index.html", context, status=status)


@never_cache
def index(request):
    """The form (GET); on POST, send the message and redirect to the thank-you page."""
    site = _site(request)
    topics = services.topics_for(site)
    if request.method != "POST":
        return _render(request, site, ContactForm(topics=topics, initial=_known(request.user)))

    form = ContactForm(request.POST, topics=topics)
    client = client_address(request)
    if services.is_rate_limited(client):
        return _render(request, site, form, status=429, rate_limited=True)
    if form.is_robot:
        # A robot filled the honeypot: it gets the answer a person would (a redirect to the
        # thank-you page), so it learns nothing to adapt to; nothing is stored or sent.
        services.count_attempt(client)
        return redirect("contact:sent")
    if not form.is_valid():
        return _render(request, site, form)
    if not services.count_attempt(client):
        return _render(request, site, form, status=429, rate_limited=True)
    message = services.send(site, form.submission(), language=get_language(), owner=request.user)
    token = signing.dumps(message.pk, salt=SENT_SALT)
    return redirect(f"{reverse('contact:sent')}?ref={token}")


@never_cache
def sent(request):
    """The thank-you page, with the message's reference when the address carries it."""
    site = _site(request)
    message = None
    token = request.GET.get("ref", "")
    if token:
        try:
            pk = signing.loads(token, salt=SENT_SALT, max_age=SENT_MAX_AGE)
        except signing.BadSignature:
            pk = None
        message = ContactMessage.objects.filter(pk=pk, site=site).first() if pk else None
    return render(request, "lutetia_contact/sent.html", {"message": message})


@never_cache
@login_required
def mine(request):
    """The messages the signed-in citizen sent from their account, as the theme's table."""
    site = _site(request)
    messages = services.messages_of(request.user, site)
    columns = [
        {"label": _("Reference")},
        {"label": _("Subject")},
        {"label": _("Sent on")},
        {"label": _("Status")},
    ]
    rows = [
        [
            format_html(
                '<a href="{}">{}</a>',
                reverse("contact:detail", args=[message.pk]),
                message.reference,
            ),
            message.subject,
            date_format(localtime(message.created_at), "DATETIME_FORMAT"),
            message.get_status_display(),
        ]
        for message in messages
    ]
    return render(
        request,
        "lutetia_contact/mine.html",
        # Not "messages": that is the site's flash messages, which the layout shows.
        {"sent_messages": messages, "columns": columns, "rows": rows},
    )


@never_cache
@login_required
def detail(request, pk: int):
    """One of the citizen's messages; another's answers 404 (and the attempt is logged)."""
    site = _site(request)
    message = get_owned_or_404(ContactMessage.objects.filter(site=site), request.user, pk=pk)
    panels = resources.panels(resources.public_panels, message, user=request.user, request=request)
    return render(request, "lutetia_contact/detail.html", {"message": message, "panels": panels})
