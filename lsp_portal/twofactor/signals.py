"""At each log-in: the session starts unverified (a new log-in needs a new code), and what it must
still do (enter a code, set up the app, nothing) and its last activity are noted in it, so pages
cost no query for either."""

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django_otp import DEVICE_ID_SESSION_KEY

from . import idle, services


@receiver(user_logged_in)
def start_session(sender, request, user, **kwargs):
    session = getattr(request, "session", None)
    if session is None:
        return
    # django-otp's own log-in forms set user.otp_device; the portal's password form never does.
    if getattr(user, "otp_device", None) is None:
        session.pop(DEVICE_ID_SESSION_KEY, None)
    session[services.STATE_SESSION_KEY] = services.state_at_login(user)
    idle.touch(session)
