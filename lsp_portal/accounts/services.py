"""Account services: sign-up with e-mail confirmation, the e-mails about an account, and the
people staff manage (invitations, roles, deactivation; below).

Nobody can learn from these whether an address has an account (issue 12.7): sign-up, the
confirmation link's resend and the password reset do the same work and give the same answer for
any address. What differs - a confirmation link, a note to the owner of an existing account, a
reset link or nothing - is decided by an outbox job after the request (lsp_portal/outbox), and
only the owner of the address reads it."""

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lsp_portal.audit.services import record
from lsp_portal.errors import RuleError
from lsp_portal.outbox import services as outbox

from . import role_hooks
from .models import User, normalise_email
from .roles import Role


@dataclass(frozen=True)
class SignUpInput:
    email: str
    full_name: str
    password: str
    language: str


def _existing_account(email: str) -> User | None:
    return User.objects.filter(email__iexact=email).first()


def sign_up(data: SignUpInput) -> None:
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


def request_confirmation_link(email: str, language: str) -> None:
    """Send the confirmation link again - if the address has an account that waits for it; the
    job decides, after the request."""
    from . import tasks

    with transaction.atomic():
        outbox.send(tasks.send_confirmation_link, normalise_email(email), language)


def request_password_reset(email: str, language: str) -> None:
    """Django's password reset, through the outbox: the job looks the address up and e-mails a
    reset link only to an active account with a password; no e-mail is sent inside the request."""
    from . import tasks

    with transaction.atomic():
        outbox.send(tasks.send_password_reset, normalise_email(email), language)


def confirm_email(user: User, *, via: str = "link") -> User:
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


# ---------------------------------------------------------------------------------------------
# People: staff invite people, grant and remove roles, deactivate accounts (issue 13.7)
#
# Who may: Admin LSP and the director (and a superuser) manage people. Only the director or a
# superuser grant or remove the privileged roles (Admin LSP, Direktur LSP) and deactivate or
# reactivate a person who holds one (else staff could make themselves director, or shut the
# director out). Nobody deactivates their own account or removes their own privileged role: the
# portal is never left without the person who could undo it (no lock-out). Each change: guard
# (PermissionDenied for the wrong role, RuleError for a refused rule), one transaction, the
# person's row locked, save, an AuditEvent on the person, an e-mail to the person by the outbox.
# ---------------------------------------------------------------------------------------------

PRIVILEGED = frozenset({Role.STAFF, Role.DIRECTOR})


def can_manage_people(user: User) -> bool:
    """Admin LSP, the director or a superuser (the people pages and every service below)."""
    return bool(
        user.is_authenticated
        and user.is_active
        and (user.is_superuser or user.has_role(Role.STAFF) or user.has_role(Role.DIRECTOR))
    )


def can_manage_privileged(user: User) -> bool:
    """The director or a superuser: the Admin LSP and Direktur LSP roles, and their holders."""
    return bool(
        user.is_authenticated
        and user.is_active
        and (user.is_superuser or user.has_role(Role.DIRECTOR))
    )


def require_people_manager(user: User) -> None:
    """For the stages' registry services too (assessor, technical team): PermissionDenied
    unless `user` may manage people."""
    if not can_manage_people(user):
        raise PermissionDenied


def _lock_person(person: User) -> User:
    return User.objects.select_for_update().get(pk=person.pk)


def _roles_of(locked: User) -> set[str]:
    """The person's roles as the database has them now (not the cached role_names)."""
    return set(locked.groups.values_list("name", flat=True))


def _notify(person: User, event: str, role: str = "") -> None:
    from . import tasks

    outbox.send(tasks.send_account_notice, person.pk, event, str(role))


def _hook(role: str) -> role_hooks.RoleHook:
    hook = role_hooks.for_role(role)
    if hook is None:
        # Asesi: applicants sign up themselves (9.1); nobody grants or removes it here.
        raise RuleError(_("The role %(role)s is not managed on the people pages.") % {"role": role})
    return hook


def _require_may_change(actor: User, person: User, hook: role_hooks.RoleHook) -> None:
    require_people_manager(actor)
    if hook.privileged and not can_manage_privileged(actor):
        raise PermissionDenied


@dataclass(frozen=True)
class InviteInput:
    email: str
    full_name: str


def invite(actor: User, data: InviteInput) -> User:
    """Staff invite a person by e-mail: an account with no usable password (it cannot log in)
    and an e-mail with a link to set one (tokens.invitation_token: Django's password-reset
    token machinery with its own salt, valid PASSWORD_RESET_TIMEOUT). The address counts as
    confirmed: staff vouch for it, as for every account staff make (models.UserManager). The
    invited person holds no role until staff grant one. An address that has an account is
    refused (staff may know it: this is no public page); two invitations of one address at once
    make one account - the database's unique index decides, the other is refused."""
    from . import tasks

    require_people_manager(actor)
    email = normalise_email(data.email)
    with transaction.atomic():
        if _existing_account(email) is not None:
            raise RuleError(_("%(email)s has an account already.") % {"email": email})
        try:
            with transaction.atomic():
                person = User.objects.create_user(
                    email=email, password=None, full_name=data.full_name.strip()
                )
        except IntegrityError:  # invited a moment ago by a concurrent request
            raise RuleError(_("%(email)s has an account already.") % {"email": email}) from None
        record(actor, "account.invited", person)
        outbox.send(tasks.send_invitation, person.pk)
    return person


def resend_invitation(actor: User, person: User) -> User:
    """A new invitation link for a person who has not set a password yet (the first expired or
    was lost). The account gets a new unusable password, so the links sent before stop
    working: only the newest opens."""
    from . import tasks

    require_people_manager(actor)
    with transaction.atomic():
        locked = _lock_person(person)
        if locked.has_usable_password():
            raise RuleError(
                _("%(name)s has set a password already: there is no invitation to send.")
                % {"name": locked}
            )
        if not locked.is_active:
            raise RuleError(_("%(name)s is deactivated. Reactivate first.") % {"name": locked})
        locked.set_unusable_password()
        locked.save(update_fields=["password"])
        record(actor, "account.invitation_resent", locked)
        outbox.send(tasks.send_invitation, locked.pk)
    return locked


def accept_invitation(person: User, password: str) -> User:
    """The invited person opened the link and chose a password (Django's validators ran in the
    form): from now on the account logs in. A link works once: the token holds the password."""
    with transaction.atomic():
        locked = _lock_person(person)
        if locked.has_usable_password() or not locked.is_active:
            raise RuleError(_("This invitation has been used already, or it was withdrawn."))
        locked.set_password(password)
        locked.save(update_fields=["password"])
        record(locked, "account.invitation_accepted", locked)
    return locked


def grant_role(actor: User, person: User, role: str, data: Any = None) -> User:
    """Give `person` the role, with the registry data the role needs: its owner's hook writes
    the record (an assessor's No. Reg. MET and validity and schemes, 9.2.2; a technical-team
    member's qualification, 9.4.3) in this transaction. Admin LSP also opens the admin site
    (is_staff). Refused: a role held already (two grants at once give one role: the second
    waits for the lock and is refused), a deactivated person, a privileged role granted by
    anyone but the director or a superuser (PermissionDenied)."""
    hook = _hook(role)
    _require_may_change(actor, person, hook)
    with transaction.atomic():
        locked = _lock_person(person)
        if not locked.is_active:
            raise RuleError(_("%(name)s is deactivated. Reactivate first.") % {"name": locked})
        if role in _roles_of(locked):
            raise RuleError(
                _("%(name)s holds the role %(role)s already.") % {"name": locked, "role": role}
            )
        details = hook.grant(actor, locked, data) if hook.grant else {}
        locked.groups.add(Group.objects.get(name=role))
        if role == Role.STAFF and not locked.is_staff:
            locked.is_staff = True
            locked.save(update_fields=["is_staff"])
        record(actor, "account.role_granted", locked, role=str(role), **(details or {}))
        _notify(locked, "role_granted", role)
    return locked


def remove_role(actor: User, person: User, role: str) -> User:
    """Take the role away. Refused while it is in use - the owner's hook says why (an assessor
    with open assessments, a member of a meeting whose minutes are not signed, an appeal-team
    member of an appeal not yet answered): reassign first. Otherwise the registry record is
    kept, marked inactive (decisions, assignments and minutes refer to it; nothing that history
    refers to is deleted), and the group is left. Nobody removes their own Admin LSP or
    Direktur LSP role (no lock-out)."""
    hook = _hook(role)
    _require_may_change(actor, person, hook)
    if hook.privileged and actor.pk == person.pk:
        raise RuleError(
            _("You cannot remove your own role %(role)s: ask the director to do it.")
            % {"role": role}
        )
    with transaction.atomic():
        locked = _lock_person(person)
        if role not in _roles_of(locked):
            raise RuleError(
                _("%(name)s does not hold the role %(role)s.") % {"name": locked, "role": role}
            )
        reason = hook.in_use(locked) if hook.in_use else ""
        if reason:
            raise RuleError(
                _("The role %(role)s cannot be removed now: %(reason)s")
                % {"role": role, "reason": reason}
            )
        details = hook.remove(actor, locked) if hook.remove else {}
        locked.groups.remove(Group.objects.get(name=role))
        if role == Role.STAFF and locked.is_staff and not locked.is_superuser:
            locked.is_staff = False
            locked.save(update_fields=["is_staff"])
        record(actor, "account.role_removed", locked, role=str(role), **(details or {}))
        _notify(locked, "role_removed", role)
    return locked


def _require_may_switch(actor: User, locked: User) -> None:
    """Deactivating and reactivating: a holder of a privileged role only by the director or a
    superuser, a superuser only by a superuser, oneself never."""
    if actor.pk == locked.pk:
        raise RuleError(_("You cannot deactivate or reactivate your own account."))
    if locked.is_superuser and not actor.is_superuser:
        raise PermissionDenied
    if PRIVILEGED & _roles_of(locked) and not can_manage_privileged(actor):
        raise PermissionDenied


def deactivate(actor: User, person: User, *, reason: str = "") -> User:
    """The person can no longer log in (Django's backends refuse an inactive account, also for a
    session already open). Their roles and records stay, so reactivating restores them. Refused
    while one of their roles is in use (see remove_role): reassign first."""
    require_people_manager(actor)
    with transaction.atomic():
        locked = _lock_person(person)
        _require_may_switch(actor, locked)
        if not locked.is_active:
            raise RuleError(_("%(name)s is deactivated already.") % {"name": locked})
        for role in sorted(_roles_of(locked)):
            hook = role_hooks.for_role(role)
            why = hook.in_use(locked) if hook is not None and hook.in_use else ""
            if why:
                raise RuleError(
                    _("%(name)s cannot be deactivated now: %(reason)s")
                    % {"name": locked, "reason": why}
                )
        locked.is_active = False
        locked.save(update_fields=["is_active"])
        record(actor, "account.deactivated", locked, reason=reason.strip())
        _notify(locked, "deactivated")
    return locked


def reactivate(actor: User, person: User) -> User:
    """A deactivated person may log in again, with the roles they held."""
    require_people_manager(actor)
    with transaction.atomic():
        locked = _lock_person(person)
        _require_may_switch(actor, locked)
        if locked.is_active:
            raise RuleError(_("%(name)s is active already.") % {"name": locked})
        locked.is_active = True
        locked.save(update_fields=["is_active"])
        record(actor, "account.reactivated", locked)
        _notify(locked, "reactivated")
    return locked
