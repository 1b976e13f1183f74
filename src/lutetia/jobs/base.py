"""`PeriodicJob`: the contract of a periodic job (Lutece's "daemon").

A job is a plain function run every ``every``, by a worker, when `lutetia scheduler` finds it
due. It takes no argument, or one named ``now`` (the aware UTC time its run started)::

    @periodic_job("dummy.cleanup", every=timedelta(hours=1), verbose_name=_("Clean up"))
    def cleanup(now: datetime) -> None: ...

Its id is what the database stores (`JobState`), so once published it never changes.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.core.exceptions import ImproperlyConfigured
from django.utils.functional import Promise

#: A translatable text: a plain ``str`` or a ``gettext_lazy`` proxy.
Text = str | Promise

#: What a job is: a function of no argument or of ``now`` only.
JobFunction = Callable[..., object]


@dataclass(frozen=True, kw_only=True)
class PeriodicJob:
    """One registered periodic job; built by `periodic_job`, kept in `registry.periodic_jobs`."""

    #: stable id, stored in the database: "<plugin label>.<name>", or "core.<name>"
    id: str
    #: what the job does, in a few words (lazy-translated)
    verbose_name: Text
    #: how long after a run starts the next one is due
    every: timedelta
    #: the work itself
    function: JobFunction
    #: one or two sentences for the back office (lazy-translated)
    description: Text = ""
    #: how long a run may last; past it a run still marked "running" is taken as lost (its worker
    #: stopped) and the job may start again. None: one ``every``.
    timeout: timedelta | None = None
    #: label of the plugin the job belongs to; None for the core (always on)
    plugin: str | None = None
    #: run the whole job in one transaction (its work all done or not at all). False for a job
    #: that commits as it goes, one item at a time (a sweep over many rows must not hold one
    #: long transaction, nor lose the items already done when a later one fails).
    atomic: bool = True
    #: whether ``function`` wants the ``now`` argument (read from its signature)
    takes_now: bool = field(init=False)

    # A job is callable: templates must read its attributes, not call it.
    do_not_call_in_templates = True

    def __post_init__(self) -> None:
        if self.every <= timedelta(0):
            raise ImproperlyConfigured(f"periodic job {self.id!r}: every must be positive")
        if self.timeout is not None and self.timeout <= timedelta(0):
            raise ImproperlyConfigured(f"periodic job {self.id!r}: timeout must be positive")
        object.__setattr__(self, "takes_now", _takes_now(self.id, self.function))

    @property
    def stale_after(self) -> timedelta:
        """How long a run may stay "running" before it counts as lost."""
        return self.timeout or self.every

    def __call__(self, now: datetime) -> object:
        """Do the job's work for a run started at ``now``."""
        if self.takes_now:
            return self.function(now=now)
        return self.function()

    def __str__(self) -> str:
        return str(self.verbose_name)


def _takes_now(job_id: str, function: JobFunction) -> bool:
    """True when ``function`` accepts ``now``; a mistake in its signature stops the start."""
    if not callable(function):
        raise ImproperlyConfigured(f"periodic job {job_id!r}: {function!r} is not callable")
    parameters = inspect.signature(function).parameters
    required = [
        name
        for name, parameter in parameters.items()
        if parameter.default is inspect.Parameter.empty
        and parameter.kind not in (parameter.VAR_POSITIONAL, parameter.VAR_KEYWORD)
    ]
    if set(required) - {"now"}:
        raise ImproperlyConfigured(
            f"periodic job {job_id!r}: {function.__qualname__}() must take no argument or only "
            f"`now`, not {', '.join(required)}"
        )
    return "now" in parameters
