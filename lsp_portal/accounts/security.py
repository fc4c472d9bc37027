"""Log-in throttling (django-axes): who a failed attempt counts against."""

from django.conf import settings


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


def locked_out(request, original_response=None, credentials=None):
    """The page shown instead of logging in while locked out: 429, in the user's language."""
    from django.shortcuts import render

    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(
        request,
        "accounts/locked.html",
        {"failure_limit": settings.AXES_FAILURE_LIMIT, "cooloff_minutes": minutes},
        status=429,
    )
