"""The registry of periodic jobs, and `@periodic_job`, the way plugins add to it.

A plugin registers its jobs in a module its ``ready()`` imports::

    from datetime import timedelta
    from django.utils.translation import gettext_lazy as _
    from lutetia.jobs.registry import periodic_job

    @periodic_job("appointments.reminders", every=timedelta(minutes=15),
                  verbose_name=_("Send appointment reminders"))
    def send_reminders(now): ...
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from django.apps import apps
from django.core.exceptions import AppRegistryNotReady, ImproperlyConfigured

from lutetia.plugins import PluginConfig, Registry

from .base import JobFunction, PeriodicJob, Text

periodic_jobs: Registry[PeriodicJob] = Registry("periodic jobs")


def periodic_job(
    id: str,
    *,
    every: timedelta,
    verbose_name: Text,
    description: Text = "",
    timeout: timedelta | None = None,
    plugin: str | None = None,
    atomic: bool = True,
) -> Callable[[JobFunction], JobFunction]:
    """Decorator: register the function as the periodic job ``id``, run every ``every``.

    The job belongs to the plugin whose package holds the function (found by the app registry,
    so call it from ``ready()``), or to the core; ``plugin`` names it explicitly. The function
    is returned unchanged, so it stays callable in tests.
    """

    def decorator(function: JobFunction) -> JobFunction:
        job = PeriodicJob(
            id=id,
            verbose_name=verbose_name,
            description=description,
            every=every,
            timeout=timeout,
            function=function,
            plugin=plugin if plugin is not None else owning_plugin(id, function),
            atomic=atomic,
        )
        periodic_jobs.register(id)(job)
        return function

    return decorator


def owning_plugin(job_id: str, function: JobFunction) -> str | None:
    """Label of the plugin whose package defines ``function``; None when the core's (or a test's)."""
    try:
        config = apps.get_containing_app_config(function.__module__)
    except AppRegistryNotReady:
        raise ImproperlyConfigured(
            f"periodic job {job_id!r}: register it from AppConfig.ready(), once apps are loaded"
        ) from None
    return config.label if isinstance(config, PluginConfig) else None
