"""Views of the kernel that belong to no stage."""

from django.contrib.auth.decorators import login_not_required
from django.contrib.staticfiles import finders
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_GET


@login_not_required
@require_GET
def favicon(request: HttpRequest) -> HttpResponse:
    """/favicon.ico, which browsers ask for whatever the page's <link rel="icon"> says: the
    portal's icon (an SVG) instead of a 404, or a redirect to the log-in page for a visitor who
    is not signed in. Cached for a day."""
    path = finders.find("favicon.svg")
    if path is None:
        raise Http404
    with open(path, "rb") as icon:
        response = HttpResponse(icon.read(), content_type="image/svg+xml")
    response["Cache-Control"] = "public, max-age=86400"
    return response
