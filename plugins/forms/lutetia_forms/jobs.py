"""Forms' periodic jobs: drafts that expire, files nobody refers to, responses past retention."""

from datetime import datetime, timedelta

from django.utils.translation import gettext_lazy as _

from lutetia.jobs.registry import periodic_job


@periodic_job(
    "forms.drafts",
    every=timedelta(hours=1),
    timeout=timedelta(hours=1),
    atomic=False,
    verbose_name=_("Warn about and delete expired form drafts"),
    description=_(
        "E-mails the citizens whose draft is deleted within three days (with a link to finish "
        "it), deletes the drafts past their expiry with their files, and the files no answer "
        "refers to any more."
    ),
)
def clean_drafts(now: datetime) -> int:
    from . import services
    from .links import absolute_resume_url

    warned = services.warn_expiring_drafts(absolute_resume_url, now=now)
    return warned + services.purge_expired_drafts(now) + services.purge_orphan_uploads(now)


@periodic_job(
    "forms.retention",
    every=timedelta(days=1),
    timeout=timedelta(hours=4),
    atomic=False,
    verbose_name=_("Anonymise or delete form responses past their retention period"),
    description=_(
        "Each form says how long its responses are kept and what happens then; each response "
        "is its own transaction and leaves an entry in the access log."
    ),
)
def apply_retention(now: datetime) -> int:
    from . import services

    done = services.apply_retention(now)
    return done["anonymised"] + done["deleted"]
