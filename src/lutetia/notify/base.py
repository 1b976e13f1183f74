"""`Channel`: the contract of a way to reach someone (e-mail, SMS, in-app, webhook, ...).

A channel turns one `OutboxMessage` into a delivery. It is registered by id in
`lutetia.notify.registry.channels`; the id is stored on every message, so once published it
never changes::

    from lutetia.notify.base import Channel, DeliveryError, PermanentDeliveryError
    from lutetia.notify.registry import channels

    @channels.register("fax")
    class Fax(Channel):
        verbose_name = _("Fax")

        def deliver(self, message):
            ...  # raise DeliveryError to be retried later, PermanentDeliveryError to give up

The outbox calls ``deliver`` outside any transaction (a slow server must not hold a database
transaction open), at least once and, barring a crash between the channel's success and the
outbox's record of it, exactly once. A channel whose work is only database writes sets
``transactional = True``: its ``deliver`` then runs inside the transaction that records the
message as sent, so it is exactly once.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import TYPE_CHECKING, ClassVar

from django.utils.functional import Promise

if TYPE_CHECKING:
    from .models import OutboxMessage

#: A translatable text: a plain ``str`` or a ``gettext_lazy`` proxy.
Text = str | Promise


class DeliveryError(Exception):
    """The delivery failed for a reason that may pass (server down, time-out): retry later.

    Its message is kept on the outbox row (``last_error``) for the back office: say what
    happened, never quote the message's body.
    """


class PermanentDeliveryError(DeliveryError):
    """The delivery can never succeed as asked (address refused, URL gone): do not retry."""


class Channel(ABC):
    """One way of delivering a message; subclasses are registered in ``channels``."""

    #: what the channel is called in the back office (lazy-translated)
    verbose_name: ClassVar[Text]
    #: True: ``deliver`` only writes to the database and runs in the transaction that marks
    #: the message sent (exactly once); False: it talks to another system, outside any
    #: transaction (at least once).
    transactional: ClassVar[bool] = False

    @abstractmethod
    def deliver(self, message: OutboxMessage) -> None:
        """Deliver ``message``; raise `DeliveryError` or `PermanentDeliveryError` on failure."""
