from django.http import Http404
from wagtail.models import Site

from .base import plugin_configs
from .state import enabled_labels


class PluginGateMiddleware:
    """A plugin's front-office URLs answer 404 on a site where the plugin is off."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.labels = None

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if self.labels is None:
            self.labels = {cfg.label for cfg in plugin_configs()}
        match = request.resolver_match
        app_names = match.app_names if match else []
        if app_names and app_names[0] in self.labels:
            site = Site.find_for_request(request)
            if app_names[0] not in enabled_labels(site):
                raise Http404("This service is not available on this site.")
        return None
