"""The portal's URLs plus /bench/ceiling/: no database, no template - the framework's ceiling."""

from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse
from django.urls import path

from lsp_site.urls import urlpatterns as portal


@login_not_required
def ceiling(request):
    return HttpResponse(b"ok", content_type="text/plain")


urlpatterns = [path("bench/ceiling/", ceiling), *portal]
