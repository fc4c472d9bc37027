"""E-mails about a user's two-factor sign-in, sent by Celery through the outbox: the owner of the
account learns of every change, so a change they did not make is noticed."""

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from lsp_portal.accounts.models import User

from . import services


def _notice(event, user):
    """(subject, text) of each event, in the portal's language."""
    left = services.recovery_codes_left(user)
    return {
        "enabled": (
            _("Two-factor sign-in is on"),
            _(
                "Two-factor sign-in was turned on for your account: after your password the "
                "portal asks for the code of your authenticator app."
            ),
        ),
        "recovery_code_used": (
            _("A recovery code was used to log in"),
            _(
                "A recovery code was used to log in to your account instead of the code of your "
                "app. Recovery codes left: %(left)s."
            )
            % {"left": left},
        ),
        "recovery_codes_regenerated": (
            _("New recovery codes were made"),
            _("New recovery codes were made for your account; the old ones no longer work."),
        ),
        "disabled": (
            _("Two-factor sign-in is off"),
            _("Two-factor sign-in was turned off for your account."),
        ),
        "reset": (
            _("Your two-factor sign-in was reset"),
            _(
                "The administrator removed the authenticator app and the recovery codes of your "
                "account (a lost phone). Set up the app again when you next log in."
            ),
        ),
    }[event]


@shared_task(bind=True, max_retries=5, default_retry_delay=60, soft_time_limit=30, time_limit=60)
def notify_two_factor(self, user_id, event):
    """Tell the account's owner what changed in their two-factor sign-in, and what to do if it was
    not them."""
    user = User.objects.get(pk=user_id)
    with translation.override(settings.LANGUAGE_CODE):
        subject, text = _notice(event, user)
        context = {
            "user": user,
            "text": text,
            "link": settings.PORTAL_BASE_URL.rstrip("/") + reverse("twofactor:security"),
        }
        subject = " ".join(subject.split())
        body = render_to_string("twofactor/email/notice_body.txt", context)
        html = render_to_string("twofactor/email/notice_body.html", context)
    message = EmailMultiAlternatives(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])
    message.attach_alternative(html, "text/html")
    try:
        message.send()
    except OSError as exc:  # SMTP server unreachable: try again later
        raise self.retry(exc=exc) from exc
