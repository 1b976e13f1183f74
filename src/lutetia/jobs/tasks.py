"""The background task behind every periodic job run."""

from django_tasks import task


@task()
def run_periodic_job(job_id: str) -> str:
    """Run the periodic job ``job_id`` and record it (see `lutetia.jobs.services.run_job`)."""
    from .services import run_job

    return run_job(job_id)
