"""Contact's domain: what the views, the back office and the demo call. Never reads ``request``."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from lutetia import audit, resources
from lutetia.accounts.ownership import owned
from lutetia.site.models import SiteIdentity

from .models import ContactMessage, ContactSettings, ContactTopic

logger = logging.getLogger(__name__)

#: The choice that stands for "none of the site's topics".
OTHER = "other"

#: At most this many messages from one client address ...
RATE_LIMIT = 5
#: ... in this many seconds.
RATE_WINDOW = 60 * 60
RATE_KEY = "lutetia:contact:sent:{client}"


@dataclass(frozen=True)
class Submission:
    """What a citizen wrote, checked by the form: ``topic`` is None for "Other"."""

    name: str
    email: str
    topic: ContactTopic | None
    message: str


def topics_for(site) -> list[ContactTopic]:
    """The topics citizens may choose on ``site``, in the order the back office gives them."""
    return list(ContactTopic.objects.filter(settings__site=site).order_by("sort_order", "pk"))


def personal_data_url(site, request=None) -> str:
    """Address of the page on personal data set for ``site``'s form, or ""."""
    page = ContactSettings.for_site(site).personal_data_page
    if page is None or not page.live:
        return ""
    return page.localized.get_url(request) or ""


def recipient_for(site, topic: ContactTopic | None) -> str:
    """Where a message goes: the topic's own address, else the site's contact e-mail."""
    if topic is not None and topic.email:
        return topic.email
    return SiteIdentity.for_site(site).contact_email


# --- rate limit ----------------------------------------------------------------------------
#
# A fixed window per client address, counted in Django's cache (shared by every app server
# when the cache is Redis). Only messages that would be accepted count: a citizen correcting
# a typo is never stopped.


def _rate_key(client: str) -> str:
    return RATE_KEY.format(client=client or "unknown")


def is_rate_limited(client: str) -> bool:
    """Whether ``client`` already sent its share of messages in the current window."""
    return (cache.get(_rate_key(client)) or 0) >= RATE_LIMIT


def count_attempt(client: str) -> bool:
    """Count one more message from ``client``; False when it goes over the limit.

    ``incr`` is atomic in the cache, so two simultaneous posts cannot both be the fifth.
    """
    key = _rate_key(client)
    cache.add(key, 0, RATE_WINDOW)
    try:
        count = cache.incr(key)
    except ValueError:  # the window expired between add() and incr()
        cache.add(key, 1, RATE_WINDOW)
        count = 1
    return count <= RATE_LIMIT


# --- sending ------------------------------------------------------------------------------


def send(site, submission: Submission, language: str | None = None, owner=None) -> ContactMessage:
    """Store a citizen's message and, once stored, e-mail it to the town hall and to them.

    One transaction: if storing fails, no e-mail leaves. The e-mails go after the commit;
    a mail server that fails is logged and does not undo the message, which agents see in
    the back office anyway. ``language`` is the citizen's, for their acknowledgement;
    ``owner`` their account, when they were signed in.
    """
    language = language or translation.get_language() or settings.LANGUAGE_CODE
    with translation.override(language):
        subject = submission.topic.label if submission.topic else _("Other")
    with transaction.atomic():
        message = ContactMessage.objects.create(
            site=site,
            topic=submission.topic,
            workgroup=submission.topic.workgroup if submission.topic else None,
            owner=owner if owner is not None and owner.is_authenticated else None,
            name=submission.name,
            email=submission.email,
            subject=subject,
            message=submission.message,
        )
        recipient = recipient_for(site, submission.topic)
        transaction.on_commit(lambda: _send_emails(message, recipient, language))
        # The access log: written once this transaction commits (category "front").
        audit.record(owner, "contact.message_sent", message, category="front")
        # Plugins processing resources (a workflow) take it from here, in this transaction.
        resources.created(message, actor=owner)
    return message


def _send_emails(message: ContactMessage, recipient: str, language: str) -> None:
    identity = SiteIdentity.for_site(message.site)
    admin_path = reverse("contact_messages:inspect", args=[message.pk])
    context = {
        "message": message,
        "identity": identity,
        "admin_url": f"{(settings.WAGTAILADMIN_BASE_URL or '').rstrip('/')}{admin_path}",
    }
    emails = []
    if recipient:
        # In the site's language: the town hall reads its own language.
        with translation.override(settings.LANGUAGE_CODE):
            emails.append(
                EmailMessage(
                    subject=_("[%(reference)s] %(subject)s – %(name)s")
                    % {
                        "reference": message.reference,
                        "subject": message.subject,
                        "name": message.name,
                    },
                    body=render_to_string("lutetia_contact/email/to_town_hall.txt", context),
                    to=[recipient],
                    # Answering the e-mail answers the citizen.
                    reply_to=[message.email],
                )
            )
    else:
        logger.warning(
            "contact message %s: no address to send it to (set the site's contact e-mail)",
            message.reference,
        )
    with translation.override(language):
        emails.append(
            EmailMessage(
                subject=_("Your message to %(town)s (%(reference)s)")
                % {"town": identity.name, "reference": message.reference},
                body=render_to_string("lutetia_contact/email/acknowledgement.txt", context),
                to=[message.email],
                reply_to=[recipient] if recipient else None,
            )
        )
    for email in emails:
        try:
            email.send()
        except Exception:  # the message is stored: a mail outage must not become a 500
            logger.exception("contact message %s: an e-mail could not be sent", message.reference)


# --- back office ---------------------------------------------------------------------------


def record_status(message: ContactMessage, user) -> ContactMessage:
    """Note who handled ``message`` and when, after its ``status`` changed; the caller saves.

    Marking it answered records the agent and the time; putting it back to new clears them.
    """
    if message.status == ContactMessage.Status.ANSWERED:
        if message.answered_at is None:
            message.answered_at = timezone.now()
        message.handled_by = user
    else:
        message.answered_at = None
        message.handled_by = None
    return message


def mark_answered(message: ContactMessage, user) -> ContactMessage:
    """Mark ``message`` answered by ``user``."""
    message.status = ContactMessage.Status.ANSWERED
    record_status(message, user)
    message.save(update_fields=["status", "answered_at", "handled_by"])
    return message


def messages_of(user, site):
    """The messages a citizen sent from their account on ``site``, newest first."""
    return owned(ContactMessage.objects.filter(site=site), user).select_related("topic")
