"""Workflow: the plugin's metadata; ``ready()`` only imports its registrations and receivers."""

from django.utils.translation import gettext_lazy as _

from lutetia.plugins import PluginConfig


class WorkflowConfig(PluginConfig):
    name = "lutetia_workflow"
    label = "workflow"
    verbose_name = _("Workflow")
    # Keep in step with pyproject.toml.
    version = "0.1.0"
    description = _(
        "Administrators design how resources are processed (states, actions, tasks, conditions); "
        "agents act through it, citizens follow their status."
    )
    category = "feature"
    requires = ()
    compatibility = ">=0.1,<1"
    urls = "lutetia_workflow.urls"
    default_auto_field = "django.db.models.BigAutoField"
    # Its only front-office page is reached through a secret link sent by e-mail.
    a11y_urls = ()

    def ready(self) -> None:
        from . import conditions, jobs, receivers  # noqa: F401
        from .tasks import builtin  # noqa: F401
