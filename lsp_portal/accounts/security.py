"""Log-in throttling (django-axes): who a failed attempt counts against, and what a success
clears.

django-axes 8.3.1 keeps one AccessAttempt row per (username, address, browser) and counts, for
each entry of AXES_LOCKOUT_PARAMETERS, the failures of the rows that match the request: the account
(any address) and the address + browser (any account). With AXES_RESET_ON_SUCCESS its database
handler deletes, on a successful log-in, every row matching *any* of those entries
(`reset_user_attempts` -> `filter_user_attempts`) - also the rows of other accounts guessed from the
same browser, so a log-in to one's own account wiped them (issue 12.1). `PortalAxesHandler` deletes
only the rows of the account that logged in, and adds a third, looser counter: failures from the
address whatever the browser and account (LOGIN_ADDRESS_FAILURE_LIMIT)."""

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum


def login_username(request, credentials):
    """The e-mail address tried, as the account is looked up (any case, no spaces around): so
    that `Alice@Example.org` and `alice@example.org` count against the same account."""
    value = (credentials or {}).get("username")
    if value is None and request is not None:
        value = request.POST.get("username")
    return (value or "").strip().lower() or None


def client_ip(request):
    """The visitor's address: behind the TLS proxy (BEHIND_TLS_PROXY) the last address the proxy
    appended to X-Forwarded-For - the one a visitor cannot forge; otherwise REMOTE_ADDR."""
    if settings.LOGIN_TRUST_FORWARDED_FOR:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        addresses = [part.strip() for part in forwarded.split(",") if part.strip()]
        if addresses:
            return addresses[-1]
    return request.META.get("REMOTE_ADDR")


def address_failures(request):
    """Failed log-ins from the request's address within the cool-off, any account, any browser."""
    ip_address = getattr(request, "axes_ip_address", None) or client_ip(request)
    return (
        AccessAttempt.objects.filter(
            ip_address=ip_address, attempt_time__gte=get_cool_off_threshold(request)
        ).aggregate(total=Sum("failures_since_start"))["total"]
        or 0
    )


class PortalAxesHandler(AxesDatabaseHandler):
    """django-axes' database handler with two changes (see the module docstring): a success
    clears the failures of that account only, and an address is locked after
    LOGIN_ADDRESS_FAILURE_LIMIT failures whatever the browsers and accounts."""

    def reset_user_attempts(self, request, credentials=None):
        username = get_client_username(request, credentials)
        if not username:
            return 0
        count, _ = AccessAttempt.objects.filter(username=username).delete()
        return count

    def account_or_browser_failures(self, request, credentials=None):
        """The larger of the account's and the address + browser's failures (axes' own count)."""
        return super().get_failures(request, credentials)

    def get_failures(self, request, credentials=None):
        # axes locks when this reaches the failure limit (before authenticating, and after each
        # failure); the address counter has its own, higher limit, so it answers "the limit".
        failures = self.account_or_browser_failures(request, credentials)
        if address_failures(request) >= settings.LOGIN_ADDRESS_FAILURE_LIMIT:
            return max(failures, get_failure_limit(request, credentials))
        return failures


def locked_out(request, original_response=None, credentials=None):
    """The page shown instead of logging in while locked out: 429, in the user's language; it
    says whether the account (or this browser) or the whole network address is locked."""
    from django.shortcuts import render

    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    by_address = (
        PortalAxesHandler().account_or_browser_failures(request, credentials)
        < settings.AXES_FAILURE_LIMIT
    )
    return render(
        request,
        "accounts/locked.html",
        {
            "failure_limit": settings.AXES_FAILURE_LIMIT,
            "cooloff_minutes": minutes,
            "by_address": by_address,
        },
        status=429,
    )


def account_mail_allowed(request, email):
    """Sign-up, the confirmation link's resend and the password reset together: at most
    ACCOUNT_EMAIL_LIMIT_PER_CLIENT requests from one client address and
    ACCOUNT_EMAIL_LIMIT_PER_TARGET for one e-mail address (normalised) per
    ACCOUNT_EMAIL_LIMIT_MINUTES, counted before anything is looked up - the same whether or not
    the address has an account (issue 12.7). Both counters count every request."""
    from lsp_portal.ratelimit import hit

    period = settings.ACCOUNT_EMAIL_LIMIT_MINUTES * 60
    by_client = hit(
        "account-mail-client",
        client_ip(request) or "unknown",
        limit=settings.ACCOUNT_EMAIL_LIMIT_PER_CLIENT,
        period=period,
    )
    by_target = hit(
        "account-mail-target", email, limit=settings.ACCOUNT_EMAIL_LIMIT_PER_TARGET, period=period
    )
    return by_client and by_target
