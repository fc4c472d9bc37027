"""E-mails about an account, sent by Celery from the outbox (services.py records the jobs).

The jobs are keyed by the (normalised) e-mail address, not by an account: the request that records
one does the same work whether or not the address has an account, and the job looks it up. Each is
safe to run again; an e-mail that could not be sent is retried."""

from celery import shared_task
from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.tokens import default_token_generator
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from lsp_portal.mail import portal_url, send_templated_email

from .models import User
from .tokens import email_confirmation_token, invitation_token


def _uid(user):
    return urlsafe_base64_encode(force_bytes(user.pk))


def _send(task, template, context, recipient, language):
    try:
        send_templated_email(template, context, [recipient], language=language)
    except OSError as exc:  # SMTP server unreachable: try again later
        raise task.retry(exc=exc) from exc


def _link_hours():
    return settings.PASSWORD_RESET_TIMEOUT // 3600


@shared_task(bind=True, max_retries=5, default_retry_delay=60, soft_time_limit=30, time_limit=60)
def send_confirmation_link(self, email, language):
    """The link that confirms the address of an account waiting for it (after sign-up, or asked
    for again); nothing for an address without such an account."""
    user = User.objects.filter(
        email__iexact=email, is_active=True, email_confirmed_at__isnull=True
    ).first()
    if user is None:
        return
    path = reverse(
        "accounts:confirm_email", args=[_uid(user), email_confirmation_token.make_token(user)]
    )
    context = {"user": user, "link": portal_url(path), "hours": _link_hours()}
    _send(self, "accounts/email/confirm", context, user.email, language)


@shared_task(bind=True, max_retries=5, default_retry_delay=60, soft_time_limit=30, time_limit=60)
def send_signup_notice(self, email, language):
    """Someone signed up with the address of an existing account: its owner is told (if it was
    them: log in, or reset the password), and nothing else happens."""
    user = User.objects.filter(email__iexact=email, is_active=True).first()
    if user is None:
        return
    context = {
        "user": user,
        "unconfirmed": user.email_confirmed_at is None,
        "login_link": portal_url(reverse("accounts:login")),
        "reset_link": portal_url(reverse("accounts:password_reset")),
        "resend_link": portal_url(reverse("accounts:confirmation_resend")),
    }
    _send(self, "accounts/email/signup_existing", context, user.email, language)


@shared_task(bind=True, max_retries=5, default_retry_delay=60, soft_time_limit=30, time_limit=60)
def send_password_reset(self, email, language):
    """Django's password reset e-mail (its token, its rules: active accounts with a password,
    the address compared case-insensitively), sent only where such an account exists."""
    for user in PasswordResetForm().get_users(email):
        path = reverse(
            "accounts:password_reset_confirm",
            kwargs={"uidb64": _uid(user), "token": default_token_generator.make_token(user)},
        )
        context = {"user": user, "link": portal_url(path), "hours": _link_hours()}
        _send(self, "accounts/email/password_reset", context, user.email, language)


@shared_task(bind=True, max_retries=5, default_retry_delay=60, soft_time_limit=30, time_limit=60)
def send_invitation(self, user_id):
    """Staff invited the person (services.invite): the link to set a password. Nothing once the
    person set one or was deactivated (the link would not work)."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or user.has_usable_password():
        return
    path = reverse("accounts:invitation", args=[_uid(user), invitation_token.make_token(user)])
    context = {"user": user, "link": portal_url(path), "hours": _link_hours()}
    _send(self, "accounts/email/invitation", context, user.email, None)


@shared_task(bind=True, max_retries=5, default_retry_delay=60, soft_time_limit=30, time_limit=60)
def send_account_notice(self, user_id, event, role=""):
    """Tell the person what staff changed on their account: a role granted or removed, the
    account deactivated or reactivated (services.grant_role ... reactivate)."""
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        return
    context = {
        "user": user,
        "event": event,
        "role": role,
        "login_link": portal_url(reverse("accounts:login")),
    }
    _send(self, "accounts/email/account_changed", context, user.email, None)
