from django.http import HttpResponse

from .models import Thing


def hello(request):
    return HttpResponse(f"dummy service: {Thing.objects.count()} things", content_type="text/plain")
