"""Two-factor sign-in: who is asked for a code, setting up the authenticator app, checking a code,
recovery codes, and the superuser's removal of a lost device.

The devices are django-otp's: per user one confirmed TOTPDevice (the authenticator app, RFC 6238:
a 6-digit code every 30 seconds) and one StaticDevice holding the single-use recovery codes. A
session has passed the second step when `django_otp.login()` stored the device that accepted a
code; OTPMiddleware then makes `request.user.is_verified()` true for the rest of that session.
A new log-in starts unverified (signals.py).

Who is asked: while TWO_FACTOR_REQUIRED, every user of TWO_FACTOR_ROLES and every superuser (one
without a device must set one up first); anyone else who turned it on. What the session must
still do is decided at log-in and kept in the session (`STATE_SESSION_KEY`), so that a page costs
no query for it.
"""

import math
import time
from base64 import b32encode
from binascii import unhexlify

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex

from lsp_portal.accounts.models import User
from lsp_portal.audit.services import record
from lsp_portal.errors import RuleError
from lsp_portal.outbox import services as outbox

#: What the session still has to do: "verify" (enter a code), "setup" (set up the app first) or
#: "off" (nothing), decided when the user logs in.
STATE_SESSION_KEY = "lsp_two_factor"
VERIFY, SETUP, OFF = "verify", "setup", "off"
#: The new recovery codes, kept in the session until the page that shows them once.
NEW_CODES_SESSION_KEY = "lsp_two_factor_new_codes"
#: The secret of a setup in progress (it becomes a device only once a code from it is entered).
SETUP_KEY_SESSION_KEY = "lsp_two_factor_setup_key"

DEVICE_NAME = "Authenticator"
RECOVERY_NAME = "Recovery codes"


def in_scope(user):
    """The user holds one of TWO_FACTOR_ROLES (the roles that can change or see every case), or
    is a superuser (who can change anything in the admin site)."""
    return user.is_superuser or bool(user.role_names & set(settings.TWO_FACTOR_ROLES))


def required_for(user):
    return settings.TWO_FACTOR_REQUIRED and in_scope(user)


def authenticator(user):
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def is_enabled(user):
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def recovery_codes_left(user):
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def state_at_login(user):
    if is_enabled(user):
        return VERIFY
    return SETUP if required_for(user) else OFF


def pending_step(request):
    """VERIFY or SETUP when the signed-in user must pass the second step before anything else,
    None when not. Asks the database only when the answer may be yes."""
    user = request.user
    if user.is_verified():
        return None
    state = request.session.get(STATE_SESSION_KEY)
    if state is None:  # a session from before two-factor sign-in: decide now, once
        state = state_at_login(user)
        request.session[STATE_SESSION_KEY] = state
    required = required_for(user)
    if state == OFF and not required:
        return None
    if is_enabled(user):
        return VERIFY
    if required:
        return SETUP
    request.session[STATE_SESSION_KEY] = OFF  # the device was removed since the log-in
    return None


# --- setting up ----------------------------------------------------------------------------------


def new_secret():
    return random_hex(20)


def unsaved_device(user, secret):
    """A TOTPDevice for `secret` that is not stored: for the QR code and the manual entry."""
    return TOTPDevice(user=user, key=secret, name=DEVICE_NAME, confirmed=False)


def _new_recovery_codes(user):
    """Replace the user's recovery codes with TWO_FACTOR_RECOVERY_CODES new ones."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(settings.TWO_FACTOR_RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def _lock(user):
    """Serialise the two-factor changes of one user (two tabs confirming at once)."""
    return User.objects.select_for_update().get(pk=user.pk)


def enable(user, secret, code, *, verified):
    """Turn two-factor sign-in on with the app the user set up from `secret`, once the user has
    typed a code it shows (so a mistyped secret cannot lock them out). Replaces an earlier app
    (a new phone) only from a session that passed the second step: someone who knows the password
    alone cannot put their own app in place of the owner's. Returns (device, recovery codes)."""
    if is_enabled(user) and not verified:
        raise PermissionDenied
    code = normalise(code)
    totp = TOTP(unhexlify(secret), step=30, t0=0, digits=6)
    totp.time = time.time()
    if not (code.isdigit() and len(code) == 6 and totp.verify(int(code), tolerance=1)):
        raise RuleError(
            _(
                "That code is not the one your app shows. Check that the phone's clock is set "
                "automatically and type the code shown now."
            )
        )
    with transaction.atomic():
        locked = _lock(user)
        if TOTPDevice.objects.filter(user=locked, key=secret, confirmed=True).exists():
            # The same form sent twice (a double click): the first one's recovery codes stand.
            raise RuleError(_("Two-factor sign-in is already on with this app."))
        replaced = TOTPDevice.objects.filter(user=locked).exists()
        TOTPDevice.objects.filter(user=locked).delete()
        device = TOTPDevice.objects.create(
            user=locked,
            name=DEVICE_NAME,
            key=secret,
            confirmed=True,
            last_t=totp.t(),  # the code just used cannot be used again to log in
            drift=totp.drift,
        )
        codes = _new_recovery_codes(locked)
        record(user, "twofactor.enabled", locked, replaced=replaced)
        outbox.send(_tasks().notify_two_factor, locked.pk, "enabled")
    return device, codes


# --- the second step -----------------------------------------------------------------------------


def normalise(code):
    return "".join(str(code or "").split()).replace("-", "").lower()


def _wait_seconds(devices):
    """Seconds until django-otp's throttle lets the next code be tried (0: now)."""
    now = timezone.now()
    until = [
        data["locked_until"]
        for allowed, data in (device.verify_is_allowed() for device in devices)
        if not allowed and data and "locked_until" in data
    ]
    return max((math.ceil((u - now).total_seconds()) for u in until), default=0)


def check_code(user, code):
    """The second step: a 6-digit code from the app, or one unused recovery code (used up by
    this). Wrong codes are throttled by django-otp (OTP_TOTP_THROTTLE_FACTOR: waits of 1, 2, 4...
    seconds, counted over both kinds of code together); they count towards nothing else (not the
    log-in lock). Returns the device that accepted the code."""
    code = normalise(code)
    with transaction.atomic():
        app = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True).first()
        spare = StaticDevice.objects.select_for_update().filter(user=user, confirmed=True).first()
        devices = [device for device in (app, spare) if device is not None]
        if app is None:
            refusal = _("Two-factor sign-in is not set up for this account.")
        elif wait := _wait_seconds(devices):
            refusal = too_many_tries(wait)
        else:
            refusal = None
            device = app if code.isdigit() and len(code) == 6 else spare
            if device is not None and device.verify_token(code):
                for other in devices:
                    if other is not device and other.throttling_failure_count:
                        other.throttle_reset()
                if device is spare:
                    left = spare.token_set.count()
                    record(user, "twofactor.recovery_code_used", user, codes_left=left)
                    outbox.send(_tasks().notify_two_factor, user.pk, "recovery_code_used")
                return device
            # A wrong code: the device that was tried counted it (verify_token); the other one
            # counts it too, so switching between the kinds of code gains no tries.
            for other in devices:
                if other is not device:
                    other.throttle_increment()
            refusal = _("That code is not right. Type the code your app shows now.")
    # Raised after the block: the failure just counted must stay counted.
    raise RuleError(refusal)


def too_many_tries(seconds):
    return ngettext(
        "Too many wrong codes. For your security, wait %(seconds)s second and try again.",
        "Too many wrong codes. For your security, wait %(seconds)s seconds and try again.",
        seconds,
    ) % {"seconds": seconds}


# --- recovery codes, turning off, a lost device --------------------------------------------------


def regenerate_recovery_codes(user, *, verified):
    """New recovery codes void the old ones; only from a session that passed the second step."""
    if not verified or not is_enabled(user):
        raise RuleError(_("Turn on two-factor sign-in first."))
    with transaction.atomic():
        locked = _lock(user)
        codes = _new_recovery_codes(locked)
        record(user, "twofactor.recovery_codes_regenerated", locked)
        outbox.send(_tasks().notify_two_factor, locked.pk, "recovery_codes_regenerated")
    return codes


def disable(user, *, verified):
    """Turn two-factor sign-in off: only for someone it is not required of, from a verified
    session."""
    if required_for(user):
        raise RuleError(_("Two-factor sign-in is required for your role and cannot be turned off."))
    if not verified or not is_enabled(user):
        raise RuleError(_("Two-factor sign-in is not on."))
    with transaction.atomic():
        locked = _lock(user)
        TOTPDevice.objects.filter(user=locked).delete()
        StaticDevice.objects.filter(user=locked).delete()
        record(user, "twofactor.disabled", locked)
        outbox.send(_tasks().notify_two_factor, locked.pk, "disabled")


def remove_devices(actor, devices):
    """A lost phone: the superuser removes the user's devices in the admin site; the user sets up
    a new app at the next log-in (while required) and is told by e-mail. Audited per user."""
    if not (actor.is_active and actor.is_superuser):
        raise PermissionDenied
    devices = list(devices)
    with transaction.atomic():
        for user_id in sorted({device.user_id for device in devices}):
            locked = User.objects.select_for_update().get(pk=user_id)
            mine = [device for device in devices if device.user_id == user_id]
            kinds = sorted({device._meta.model_name for device in mine})
            for device in mine:
                device.delete()
            record(actor, "twofactor.reset", locked, removed=kinds)
            outbox.send(_tasks().notify_two_factor, locked.pk, "reset")


def _tasks():
    from . import tasks

    return tasks


def readable_secret(secret):
    """The secret as the apps' manual entry wants it (base32), in groups of four."""
    text = b32encode(unhexlify(secret)).decode()
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))
