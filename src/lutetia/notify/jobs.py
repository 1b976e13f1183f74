"""The outbox's periodic job: the safety net under the task queued at commit."""

from datetime import datetime, timedelta

from django.utils.translation import gettext_lazy as _

from lutetia.jobs.registry import periodic_job


@periodic_job(
    "core.notify_deliver_pending",
    every=timedelta(minutes=1),
    verbose_name=_("Deliver pending notifications"),
    description=_(
        "Delivers the e-mails, SMS, in-app notifications and webhooks that are due: retries "
        "whose time has come, and messages whose delivery was never queued (the server stopped "
        "right after saving them) or whose worker stopped while sending."
    ),
    # Each message commits on its own: one run must not hold a long transaction, and a
    # message recorded as sent must stay so when a later one fails.
    atomic=False,
)
def deliver_pending(now: datetime) -> dict[str, int]:
    """Deliver every message due at ``now`` (see `lutetia.notify.services.deliver_due`)."""
    from .services import deliver_due

    return deliver_due(now)
