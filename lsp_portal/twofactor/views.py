"""The pages of two-factor sign-in: the code after the password, setting up the app (QR code and
the secret as text), the recovery codes shown once, and each user's "Security" page.

Every page here shows or accepts secrets: none is cached (never_cache)."""

from urllib.parse import urlencode

import segno
from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice

from lsp_portal.errors import RuleError

from . import services
from .forms import CodeForm


def _next(request):
    """Where to go after the second step: the page first asked for, if it is on this site."""
    url = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return settings.LOGIN_REDIRECT_URL


def _passed(request, device):
    """The session passed the second step: store the device (django-otp) under a new session key,
    as a log-in does."""
    otp_login(request, device)
    request.session.cycle_key()
    request.session[services.STATE_SESSION_KEY] = services.VERIFY


@never_cache
@require_http_methods(["GET", "POST"])
def verify(request):
    """After the password: a code of the app, or one recovery code."""
    next_url = _next(request)
    step = services.pending_step(request)
    if step == services.SETUP:
        return redirect(reverse("twofactor:setup") + "?" + urlencode({"next": next_url}))
    if step is None:
        return redirect(next_url)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = services.check_code(request.user, form.cleaned_data["code"])
        except RuleError as refused:
            form.add_error("code", refused.message)
        else:
            _passed(request, device)
            if isinstance(device, StaticDevice):
                left = services.recovery_codes_left(request.user)
                messages.warning(
                    request,
                    ngettext(
                        "You logged in with a recovery code; it cannot be used again. %(left)s "
                        "code is left: make new ones on the Security page.",
                        "You logged in with a recovery code; it cannot be used again. %(left)s "
                        "codes are left: make new ones on the Security page.",
                        left,
                    )
                    % {"left": left},
                )
            return redirect(next_url)
    return render(request, "twofactor/verify.html", {"form": form, "next": next_url})


@never_cache
@require_http_methods(["GET", "POST"])
def setup(request):
    """Set up the authenticator app: scan the QR code (or type the secret), then type a code it
    shows. Replacing an app already set up needs a session that passed the second step."""
    user = request.user
    verified = user.is_verified()
    enabled = services.is_enabled(user)
    if enabled and not verified:
        return redirect("twofactor:verify")
    secret = request.session.get(services.SETUP_KEY_SESSION_KEY)
    if not secret:
        secret = services.new_secret()
        request.session[services.SETUP_KEY_SESSION_KEY] = secret
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device, codes = services.enable(
                user, secret, form.cleaned_data["code"], verified=verified
            )
        except RuleError as refused:
            form.add_error("code", refused.message)
        else:
            request.session.pop(services.SETUP_KEY_SESSION_KEY, None)
            _passed(request, device)
            request.session[services.NEW_CODES_SESSION_KEY] = codes
            messages.success(request, _("Two-factor sign-in is on."))
            return redirect("twofactor:recovery_codes")
    device = services.unsaved_device(user, secret)
    qr = segno.make(device.config_url, error="m")
    context = {
        "form": form,
        "qr_data_uri": qr.svg_data_uri(scale=5, dark="#000", light="#fff"),
        "secret": services.readable_secret(secret),
        "replacing": enabled,
        "required": services.required_for(user),
        "next": _next(request),
    }
    return render(request, "twofactor/setup.html", context)


@never_cache
@require_GET
def recovery_codes(request):
    """The recovery codes just made, shown this once (the session forgets them)."""
    if not services.is_enabled(request.user):
        return redirect("twofactor:security")
    codes = request.session.pop(services.NEW_CODES_SESSION_KEY, None)
    context = {"codes": codes, "left": services.recovery_codes_left(request.user)}
    return render(request, "twofactor/recovery_codes.html", context)


@never_cache
@require_POST
def regenerate(request):
    try:
        codes = services.regenerate_recovery_codes(
            request.user, verified=request.user.is_verified()
        )
    except RuleError as refused:
        messages.error(request, refused.message)
        return redirect("twofactor:security")
    request.session[services.NEW_CODES_SESSION_KEY] = codes
    messages.success(request, _("New recovery codes were made; the old ones no longer work."))
    return redirect("twofactor:recovery_codes")


@never_cache
@require_POST
def disable(request):
    try:
        services.disable(request.user, verified=request.user.is_verified())
    except RuleError as refused:
        messages.error(request, refused.message)
    else:
        request.session[services.STATE_SESSION_KEY] = services.OFF
        messages.success(request, _("Two-factor sign-in is off."))
    return redirect("twofactor:security")


@never_cache
@require_GET
def security(request):
    """Each user sees whether two-factor sign-in is on, and whether their role requires it."""
    user = request.user
    device = services.authenticator(user)
    context = {
        "device": device,
        "required": services.required_for(user),
        "in_scope": services.in_scope(user),
        "left": services.recovery_codes_left(user) if device else 0,
    }
    return render(request, "twofactor/security.html", context)
