"""Back-office wiring of periodic jobs: Settings > Periodic jobs, and its permissions."""

from django.contrib.auth.models import Permission
from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from . import views

app_name = "lutetia_jobs"
urlpatterns = [
    path("", views.JobIndexView.as_view(), name="index"),
    path("<str:job_id>/run/", views.run_now, name="run"),
    path("<str:job_id>/pause/", views.pause, name="pause"),
    path("<str:job_id>/resume/", views.resume, name="resume"),
]


class JobsMenuItem(MenuItem):
    """Shown only to those who may see the jobs."""

    def is_shown(self, request) -> bool:
        """Superusers and holders of ``lutetia_jobs.view_jobstate``."""
        return views.can_view_jobs(request.user)


@hooks.register("register_admin_urls")
def register_admin_urls():
    """Mount the screen at /admin/jobs/ (Wagtail requires an admin login in front of it)."""
    return [path("jobs/", include((urlpatterns, app_name), namespace=app_name))]


@hooks.register("register_settings_menu_item")
def register_jobs_menu_item():
    """Settings > Periodic jobs."""
    return JobsMenuItem(
        _("Periodic jobs"),
        reverse("lutetia_jobs:index"),
        name="periodic-jobs",
        icon_name="time",
        order=660,
    )


@hooks.register("register_permissions")
def register_permissions():
    """Let administrators give the rights to see and to run jobs to a group (role)."""
    return Permission.objects.filter(
        content_type__app_label="lutetia_jobs", codename__in=["view_jobstate", "change_jobstate"]
    )
