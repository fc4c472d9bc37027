"""The two middlewares of staff sign-in, after django_otp.middleware.OTPMiddleware (settings)."""

from urllib.parse import urlencode

from django.shortcuts import redirect
from django.urls import reverse

from . import idle, services

#: Pages a user who still has to pass the second step may open (besides the public ones).
OPEN_UNVERIFIED = {"twofactor:verify", "twofactor:setup", "accounts:logout"}


class _ViewMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)


class IdleSessionMiddleware(_ViewMiddleware):
    """Ends an idle staff session (idle.py) before anything else looks at it."""

    def process_view(self, request, view_func, view_args, view_kwargs):
        return idle.check(request)


class TwoFactorMiddleware(_ViewMiddleware):
    """Until a user who must pass the second step has done so, every other page - JSON, file and
    POST routes and the admin site included - redirects to the code page (or to the setup of the
    app). Runs in process_view, after the CSRF check and the log-in requirement."""

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        if not user.is_authenticated:
            return None
        step = services.pending_step(request)
        if step is None or self.is_open(request, view_func):
            return None
        url = reverse(f"twofactor:{step}")
        if request.method == "GET":
            url += "?" + urlencode({"next": request.get_full_path()})
        return redirect(url)

    @staticmethod
    def is_open(request, view_func):
        match = request.resolver_match
        if match.view_name in OPEN_UNVERIFIED:
            return True
        # Public pages (landing, certificate verification, the language switch...), but not the
        # admin site's log-in page.
        public = not getattr(view_func, "login_required", True)
        return public and "admin" not in match.namespaces
