"""The back-office "Plugins" screen: what is installed, and switching it on or off per site."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.decorators.http import require_POST
from wagtail.admin import messages
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.models import Site

from .base import get_plugin
from .overview import can_manage_plugins, discovery_problems, plugin_rows
from .state import set_enabled


def chosen_site(request, site_id: str | None) -> Site:
    """The site named by ``site_id``, else the request's site, else the default site."""
    if site_id:
        try:
            return Site.objects.get(pk=int(site_id))
        except (ValueError, Site.DoesNotExist):
            raise Http404(_("There is no such site.")) from None
    site = Site.find_for_request(request) or Site.objects.filter(is_default_site=True).first()
    if site is None:
        raise Http404(_("No site is configured yet."))
    return site


class PluginIndexView(WagtailAdminTemplateMixin, View):
    """Installed plugins with their state on one site, and the entry points that failed."""

    template_name = "lutetia_plugins/index.html"
    page_title = gettext_lazy("Plugins")
    header_icon = "cogs"

    def dispatch(self, request, *args, **kwargs):
        """Only those who may switch plugins see them (the admin URLs already ask for a login)."""
        if not can_manage_plugins(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        """Home, then Plugins."""
        return [*self.breadcrumbs_items, {"url": "", "label": self.page_title}]

    def get(self, request):
        """Render the list for the chosen site (``?site=<id>``)."""
        site = chosen_site(request, request.GET.get("site"))
        context = self.get_context_data(
            site=site,
            sites=list(Site.objects.order_by("hostname", "port")),
            rows=[(row, row.enabled_on(site)) for row in plugin_rows([site])],
            problems=discovery_problems(),
        )
        return self.render_to_response(context)


@require_POST
def toggle(request, label: str):
    """Switch the plugin ``label`` on (``enabled=1``) or off for the posted ``site``."""
    if not can_manage_plugins(request.user):
        raise PermissionDenied
    plugin = get_plugin(label)
    if plugin is None:
        raise Http404(_("There is no installed plugin called “%(label)s”.") % {"label": label})
    site = chosen_site(request, request.POST.get("site"))
    enabled = request.POST.get("enabled") == "1"
    try:
        set_enabled(site, label, enabled, user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        if enabled:
            message = _("“%(plugin)s” is now on for %(site)s.")
        else:
            message = _("“%(plugin)s” is now off for %(site)s; its data is kept.")
        messages.success(request, message % {"plugin": plugin.verbose_name, "site": site})
    return redirect(f"{reverse('lutetia_plugins:index')}?site={site.pk}")
