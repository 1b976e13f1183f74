from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class PluginActivation(models.Model):
    """Whether a plugin is switched on for a site; no row means the plugin's default."""

    site = models.ForeignKey(
        "wagtailcore.Site",
        on_delete=models.CASCADE,
        related_name="plugin_activations",
        verbose_name=_("site"),
    )
    plugin = models.CharField(_("plugin"), max_length=100)
    enabled = models.BooleanField(_("enabled"))
    changed_at = models.DateTimeField(_("changed at"), auto_now=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("changed by"),
    )

    class Meta:
        verbose_name = _("plugin activation")
        verbose_name_plural = _("plugin activations")
        constraints = [
            models.UniqueConstraint(
                fields=["site", "plugin"], name="unique_plugin_activation_per_site"
            )
        ]

    def __str__(self) -> str:
        state = _("on") if self.enabled else _("off")
        return f"{self.plugin} @ {self.site_id}: {state}"
