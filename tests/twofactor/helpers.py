"""Two-factor sign-in in tests: an authenticator app set up for a user, the code it shows now,
and a test client whose force_login also passes the second step (for probes of other pages).

django-otp is imported inside the functions: the attacks of tests/security then fail by their
assertions, not at import, on a checkout without two-factor sign-in."""

import time

from django.test import Client

RECOVERY = [f"kode{i:04d}" for i in range(10)]


def app_for(user):
    """A confirmed authenticator app and ten known recovery codes (RECOVERY) for `user`."""
    from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.create(user=user, name="Authenticator", confirmed=True)
    spare = StaticDevice.objects.create(user=user, name="Recovery codes", confirmed=True)
    StaticToken.objects.bulk_create(StaticToken(device=spare, token=code) for code in RECOVERY)
    return device


def code_of(device, steps_ahead=0):
    """The code the app shows now (or `steps_ahead` 30-second steps later), computed from the
    device's key as the phone does (RFC 6238)."""
    from django_otp.oath import TOTP

    if device.pk:
        device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():06d}"


def code_for_secret(secret_hex, steps_ahead=0):
    """The code an app set up with `secret_hex` shows now."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return code_of(TOTPDevice(key=secret_hex), steps_ahead)


def pass_second_step(client, user):
    """Mark the client's session as having passed the second step with the user's app (made when
    missing), as django_otp.login() does after a right code."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or app_for(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return device


class VerifiedClient(Client):
    """force_login as usual, then, for a user two-factor sign-in is required of, the second step
    passed too: what the route matrix probes is each role's access once fully logged in."""

    def force_login(self, user, backend=None):
        from lsp_portal.twofactor import services

        super().force_login(user, backend)
        if services.required_for(user):
            pass_second_step(self, user)
