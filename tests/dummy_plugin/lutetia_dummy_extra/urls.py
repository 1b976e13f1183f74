from django.http import HttpResponse
from django.urls import path


def hello(request):
    """A front-office page that exists only where the plugin is switched on."""
    return HttpResponse("dummy extra service", content_type="text/plain")


app_name = "dummy_extra"
urlpatterns = [path("", hello, name="hello")]
