"""Idle staff sessions end (issue 12, item 10): a session of STAFF_IDLE_ROLES that made no request
for STAFF_IDLE_MINUTES is logged out at its next request, which goes to the log-in page with a
message saying why. Other sessions keep Django's session age (SESSION_COOKIE_AGE)."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import ngettext

LAST_SEEN_SESSION_KEY = "lsp_last_seen"
#: The last request is written to the session at most this often (a write per page would cost a
#: query on every page).
RESOLUTION_SECONDS = 60


def _now():
    return int(timezone.now().timestamp())


def touch(session):
    session[LAST_SEEN_SESSION_KEY] = _now()


def applies_to(user):
    return settings.STAFF_IDLE_MINUTES > 0 and bool(
        user.role_names & set(settings.STAFF_IDLE_ROLES)
    )


def check(request):
    """None, or the response that ends an idle session. Notes the activity otherwise."""
    user = request.user
    if not user.is_authenticated or not applies_to(user):
        return None
    minutes = settings.STAFF_IDLE_MINUTES
    last = request.session.get(LAST_SEEN_SESSION_KEY)
    now = _now()
    if isinstance(last, int) and now - last > minutes * 60:
        logout(request)
        messages.warning(
            request,
            ngettext(
                "You were logged out because your session was idle for more than %(minutes)s "
                "minute. Log in again to continue.",
                "You were logged out because your session was idle for more than %(minutes)s "
                "minutes. Log in again to continue.",
                minutes,
            )
            % {"minutes": minutes},
        )
        if request.method == "GET":
            return redirect_to_login(request.get_full_path())
        return redirect(settings.LOGIN_URL)
    if not isinstance(last, int) or now - last >= RESOLUTION_SECONDS:
        touch(request.session)
    return None
