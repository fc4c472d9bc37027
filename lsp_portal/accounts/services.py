"""Account services: sign-up with e-mail confirmation, and the e-mails about an account.

Nobody can learn from these whether an address has an account (issue 12.7): sign-up, the
confirmation link's resend and the password reset do the same work and give the same answer for
any address. What differs - a confirmation link, a note to the owner of an existing account, a
reset link or nothing - is decided by an outbox job after the request (lsp_portal/outbox), and
only the owner of the address reads it."""

from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import IntegrityError, transaction
from django.utils import timezone

from lsp_portal.audit.services import record
from lsp_portal.outbox import services as outbox

from .models import User, normalise_email
from .roles import Role


@dataclass(frozen=True)
class SignUpInput:
    email: str
    full_name: str
    password: str
    language: str


def _existing_account(email):
    return User.objects.filter(email__iexact=email).first()


def sign_up(data: SignUpInput):
    """Applicant sign-up (an Asesi account, 9.1). A new address gets an unconfirmed account and
    a confirmation link by e-mail; it cannot log in until the link is opened. An address that
    has an account already gets a note to its owner instead, and nothing is created or changed.
    Either way the password is hashed (the slow part) and one outbox job is recorded, so the
    answer and its time are the same. Two sign-ups for one address at once make one account:
    the database's unique index decides, and the loser is treated as an existing address."""
    from . import tasks

    email = normalise_email(data.email)
    password_hash = make_password(data.password)
    with transaction.atomic():
        existing = _existing_account(email)
        if existing is None:
            try:
                with transaction.atomic():
                    user = User.objects.create(
                        email=email,
                        full_name=data.full_name.strip(),
                        password=password_hash,
                        email_confirmed_at=None,
                    )
            except IntegrityError:  # signed up a moment ago by a concurrent request
                existing = User.objects.get(email__iexact=email)
            else:
                user.groups.add(Group.objects.get(name=Role.APPLICANT))
                record(user, "account.signed_up", user)
                outbox.send(tasks.send_confirmation_link, email, data.language)
                return
        record(None, "account.signup_for_existing_address", existing)
        outbox.send(tasks.send_signup_notice, email, data.language)


def request_confirmation_link(email, language):
    """Send the confirmation link again - if the address has an account that waits for it; the
    job decides, after the request."""
    from . import tasks

    with transaction.atomic():
        outbox.send(tasks.send_confirmation_link, normalise_email(email), language)


def request_password_reset(email, language):
    """Django's password reset, through the outbox: the job looks the address up and e-mails a
    reset link only to an active account with a password; no e-mail is sent inside the request."""
    from . import tasks

    with transaction.atomic():
        outbox.send(tasks.send_password_reset, normalise_email(email), language)


def confirm_email(user, *, via="link"):
    """The owner of the address proved it (opened the confirmation link, or set a new password
    through a reset link): the account may log in. Confirming twice changes nothing."""
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        if locked.email_confirmed_at is not None:
            return locked
        locked.email_confirmed_at = timezone.now()
        locked.save(update_fields=["email_confirmed_at"])
        record(locked, "account.email_confirmed", locked, via=via)
    user.email_confirmed_at = locked.email_confirmed_at
    return locked
