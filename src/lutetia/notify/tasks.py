"""The background task queued, at commit, for every message written to the outbox."""

from django_tasks import task


@task()
def deliver_message(message_id: int) -> str:
    """Deliver the outbox message ``message_id`` (see `lutetia.notify.services.deliver`)."""
    from .services import deliver

    return deliver(message_id)
