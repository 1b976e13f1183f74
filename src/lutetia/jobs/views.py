"""The back-office "Periodic jobs" screen: every registered job, run now, pause and resume."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.decorators.http import require_POST
from wagtail.admin import messages
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from . import services

VIEW_PERMISSION = "lutetia_jobs.view_jobstate"
CHANGE_PERMISSION = "lutetia_jobs.change_jobstate"


def can_view_jobs(user) -> bool:
    """Superusers and holders of ``lutetia_jobs.view_jobstate`` (or of the change right)."""
    return user.is_active and (user.has_perm(VIEW_PERMISSION) or user.has_perm(CHANGE_PERMISSION))


def can_change_jobs(user) -> bool:
    """Superusers and holders of ``lutetia_jobs.change_jobstate``: run now, pause, resume."""
    return user.is_active and user.has_perm(CHANGE_PERMISSION)


class JobIndexView(WagtailAdminTemplateMixin, View):
    """Every registered job with its schedule and its last run."""

    template_name = "lutetia_jobs/index.html"
    page_title = gettext_lazy("Periodic jobs")
    header_icon = "time"

    def dispatch(self, request, *args, **kwargs):
        """Only those who may see jobs (the admin URLs already ask for a login)."""
        if not can_view_jobs(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        """Home > Periodic jobs."""
        return [*self.breadcrumbs_items, {"url": "", "label": self.page_title}]

    def get(self, request):
        """Render the list."""
        context = self.get_context_data(
            rows=services.job_rows(), can_change=can_change_jobs(request.user)
        )
        return self.render_to_response(context)


def _job_or_404(job_id: str):
    try:
        return services.get_job(job_id)
    except services.UnknownJob:
        raise Http404(_("There is no periodic job “%(job)s”.") % {"job": job_id}) from None


@require_POST
def run_now(request, job_id: str):
    """Enqueue a run of the job now, then go back to the list."""
    if not can_change_jobs(request.user):
        raise PermissionDenied
    job = _job_or_404(job_id)
    services.run_now(job.id)
    messages.success(request, _("“%(job)s” is queued to run now.") % {"job": job.verbose_name})
    return redirect("lutetia_jobs:index")


@require_POST
def pause(request, job_id: str):
    """Stop the scheduler from running the job until it is resumed."""
    return _set_enabled(request, job_id, enabled=False)


@require_POST
def resume(request, job_id: str):
    """Let the scheduler run the job again (at once if it is overdue)."""
    return _set_enabled(request, job_id, enabled=True)


def _set_enabled(request, job_id: str, enabled: bool):
    if not can_change_jobs(request.user):
        raise PermissionDenied
    job = _job_or_404(job_id)
    services.set_job_enabled(job.id, enabled)
    if enabled:
        message = _("“%(job)s” is resumed.")
    else:
        message = _("“%(job)s” is paused: the scheduler leaves it alone until you resume it.")
    messages.success(request, message % {"job": job.verbose_name})
    return redirect("lutetia_jobs:index")
