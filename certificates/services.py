"""Certificate rules (9.4.6-9.4.7, 9.8). Every change goes through a function here: guard, atomic
transaction, row lock, save, AuditEvent, side effects (PDF rendering) on commit."""

import datetime
from collections.abc import Collection
from typing import cast

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from assessment.models import UnitResult
from decisions.models import Decision
from lsp_portal import dates, transitions
from lsp_portal.accounts.models import User
from lsp_portal.accounts.roles import Role, require_role
from lsp_portal.audit.services import record
from lsp_portal.errors import RuleError
from lsp_portal.numbering import next_number
from lsp_portal.outbox import services as outbox
from registration.models import Unit

from . import tasks
from .models import (
    Certificate,
    CertificateCard,
    CertificateCounter,
    CertificateWarning,
    Ground,
    Notice,
    Signatory,
    add_years,
)

Status = Certificate.Status


def _lock(certificate: Certificate) -> Certificate:
    return Certificate.objects.select_for_update().get(pk=certificate.pk)


def create_pending(decision: Decision) -> Certificate | None:
    """9.4.6: called (decisions.hooks) for each decision published by a signed decree: a
    competent one gets a pending certificate, its scope the units found competent, once -
    calling again changes nothing. It is issued when the requirements are met (9.4.7)."""
    if decision.result != Decision.Result.K or not decision.published_at:
        return None
    application = decision.assessment.application
    try:
        with transaction.atomic():
            certificate, created = Certificate.objects.get_or_create(
                decision=decision,
                defaults={
                    "holder": application.applicant,
                    "holder_name": application.full_name,
                    "scheme_name": application.scheme.name,
                    "scheme_number": application.scheme.document_number,
                },
            )
    except IntegrityError:
        return Certificate.objects.get(decision=decision)
    if created:
        # The scope: the units the holder was found competent in (9.4.6).
        competent = decision.assessment.results.filter(result=UnitResult.Result.K).values_list(
            "unit", flat=True
        )
        units = list(competent) or list(application.scheme.units.values_list("pk", flat=True))
        certificate.scope.set(units)
        record(None, "certificate.pending", certificate, to_status=certificate.status)
    return certificate


def sign_agreement(user: User, certificate: Certificate, *, points: Collection[str]) -> Certificate:
    """9.8: the holder agrees to the four points of certificate use (9.8.1-9.8.4), with time."""
    if certificate.holder_id != user.pk:
        raise PermissionDenied
    with transaction.atomic():
        locked = _lock(certificate)
        if locked.agreement_signed_at:
            raise RuleError(_("You have already signed the certificate-use agreement."))
        if sorted(points) != ["9.8.1", "9.8.2", "9.8.3", "9.8.4"]:
            raise RuleError(_("Agree to all four points of the certificate-use agreement (9.8)."))
        locked.agreement_signed_at = timezone.now()
        locked.save(update_fields=["agreement_signed_at"])
        record(user, "certificate.agreement_signed", locked)
        _issue_if_ready(user, locked)
    return locked


def record_fee(user: User, certificate: Certificate, *, amount: int) -> Certificate:
    """Staff record the certification fee (8.1) as paid; the full fee of the scheme is required."""
    require_role(user, Role.STAFF)
    with transaction.atomic():
        locked = _lock(certificate)
        if locked.fee_paid_at:
            raise RuleError(_("The fee was already recorded as paid."))
        fee = locked.decision.assessment.application.scheme.fee
        if amount != fee:
            raise RuleError(
                _("The fee of this scheme is Rp %(fee)s; Rp %(amount)s was entered.")
                % {"fee": f"{fee:,}".replace(",", "."), "amount": f"{amount:,}".replace(",", ".")}
            )
        locked.fee_paid_at = timezone.now()
        locked.fee_amount = amount
        locked.fee_recorded_by = user
        locked.save(update_fields=["fee_paid_at", "fee_amount", "fee_recorded_by"])
        record(user, "certificate.fee_recorded", locked, amount=amount)
        _issue_if_ready(user, locked)
    return locked


def _issue_if_ready(user: User, locked: Certificate) -> None:
    """9.4.6-9.4.7: once every requirement is met the certificate is issued - number, dates,
    signatory - and its PDF and card are rendered. Runs inside the caller's locked transaction,
    so it happens once even when both requirements are completed at the same moment."""
    if not transitions.allowed(locked, "certificate.issued") or not locked.requirements_met:
        return
    signatory = Signatory.objects.filter(is_current=True).first()
    if signatory is None:
        # The requirements stay recorded; issue_waiting() issues it once staff name a signatory.
        record(user, "certificate.waiting_for_signatory", locked)
        return
    today = timezone.localdate()
    locked.sequence, locked.number = next_number(
        CertificateCounter,
        settings.CERTIFICATE_NUMBER_PATTERN,
        year=today.year,
        month=today.month,
        **locked.number_fields(),
    )
    locked.year = today.year
    locked.issued_on = today
    scheme = locked.decision.assessment.application.scheme
    locked.valid_until = add_years(today, scheme.validity_years)
    locked.signatory = signatory
    transitions.apply(
        user,
        locked,
        "certificate.issued",
        fields=["sequence", "number", "year", "issued_on", "valid_until", "signatory"],
        number=locked.number,
    )
    CertificateCard.objects.get_or_create(certificate=locked)
    outbox.send(tasks.render_certificate, locked.pk)


def issue_waiting(user: User) -> int:
    """9.4.6-9.4.7: issue every certificate whose requirements are met but which waited for a
    designated signatory (called when staff name one). Returns how many were issued."""
    require_role(user, Role.STAFF)
    issued = 0
    waiting = Certificate.objects.filter(
        status=Status.PENDING, agreement_signed_at__isnull=False, fee_paid_at__isnull=False
    ).values_list("pk", flat=True)
    for pk in list(waiting):
        with transaction.atomic():
            locked = Certificate.objects.select_for_update().get(pk=pk)
            _issue_if_ready(user, locked)
            issued += locked.status == Status.ACTIVE
    return issued


# ---------------------------------------------------------------------------------------------
# Warnings, freezing, restoring, revoking, reducing the scope (9.5), return (9.8.4)
# ---------------------------------------------------------------------------------------------


def _notify(certificate: Certificate, event: str) -> None:
    outbox.send(tasks.notify_holder, certificate.pk, event)


def _check_ground(ground: str) -> None:
    if ground not in Ground.values:
        raise RuleError(_("Choose one of the grounds a-c of 9.5.1."))


def warn_refusal(certificate: Certificate) -> str | None:
    """Why `certificate` cannot receive a warning, or None: only one in force or frozen, and not
    expired (9.5.2). The certificate page offers the warning form only when this is None."""
    if certificate.status not in (Status.ACTIVE, Status.FROZEN) or certificate.is_expired:
        return _("Only a certificate in force or frozen can receive a warning.")
    return None


def revoke_refusal(certificate: Certificate, *, warned: bool | None = None) -> str | None:
    """Why the director cannot revoke `certificate`, or None: only one in force or frozen, and
    only when it is frozen past its resolve-by date (9.5.4) or the holder ignored a warning
    (9.5.5). `warned`: whether it has a warning, when the caller has looked it up (the page
    lists the warnings). The page shows the refusal to the director instead of the form."""
    if not transitions.allowed(certificate, "certificate.revoked"):
        return _("This certificate cannot be revoked; it is %(status)s.") % {
            "status": certificate.public_status.label
        }
    if warned is None:
        warned = certificate.warnings.exists()
    if not (certificate.resolve_overdue or warned):
        return _(
            "Revocation needs a frozen certificate whose resolve-by date has passed "
            "(9.5.4) or a warning the holder ignored (9.5.5)."
        )
    return None


def warn(user: User, certificate: Certificate, *, ground: str, text: str) -> CertificateWarning:
    """9.5.2: the LSP may warn the holder first; the warning is recorded and e-mailed."""
    require_role(user, Role.STAFF)
    with transaction.atomic():
        locked = _lock(certificate)
        refusal = warn_refusal(locked)
        if refusal:
            raise RuleError(refusal)
        _check_ground(ground)
        if not text.strip():
            raise RuleError(_("Write the warning to the holder."))
        warning = CertificateWarning.objects.create(
            certificate=locked, ground=ground, text=text.strip(), issued_by=user
        )
        record(user, "certificate.warned", locked, reason=text.strip(), ground=ground)
        _notify(locked, "warned")
    return warning


def freeze(
    user: User,
    certificate: Certificate,
    *,
    ground: str,
    reason: str,
    resolve_by: datetime.date,
) -> Certificate:
    """9.5.1-9.5.3: staff freeze a certificate in force on a ground a-c, with the date by which the
    matter must be resolved. While frozen, verification says so and downloads stop."""
    require_role(user, Role.STAFF)
    with transaction.atomic():
        locked = _lock(certificate)
        if not transitions.allowed(locked, "certificate.frozen"):
            raise RuleError(
                _("Only a certificate in force can be frozen; this one is %(status)s.")
                % {"status": locked.public_status.label}
            )
        if locked.is_expired:
            raise RuleError(_("An expired certificate cannot be frozen."))
        _check_ground(ground)
        if not reason.strip():
            raise RuleError(_("Give the reason for freezing."))
        dates.require_in_range(resolve_by, _("To be resolved by"))
        if resolve_by is None or resolve_by <= timezone.localdate():
            raise RuleError(_("The resolve-by date must be in the future."))
        locked.freeze_ground = ground
        locked.freeze_reason = reason.strip()
        locked.frozen_at = timezone.now()
        locked.resolve_by = resolve_by
        transitions.apply(
            user,
            locked,
            "certificate.frozen",
            fields=["freeze_ground", "freeze_reason", "frozen_at", "resolve_by"],
            reason=reason.strip(),
            ground=ground,
            resolve_by=str(resolve_by),
        )
        _notify(locked, "frozen")
    return locked


def restore(user: User, certificate: Certificate, *, note: str) -> Certificate:
    """9.5.4: staff restore a frozen certificate once the matter that froze it is resolved
    (within the time the LSP set), with a note."""
    require_role(user, Role.STAFF)
    with transaction.atomic():
        locked = _lock(certificate)
        if not transitions.allowed(locked, "certificate.restored"):
            raise RuleError(_("Only a frozen certificate can be restored."))
        if not note.strip():
            raise RuleError(_("Say how the matter was resolved."))
        locked.resolve_by = None
        transitions.apply(
            user, locked, "certificate.restored", fields=["resolve_by"], reason=note.strip()
        )
        _notify(locked, "restored")
    return locked


def revoke(user: User, certificate: Certificate, *, reason: str) -> Certificate:
    """9.5.4-9.5.5: the director revokes, with the reason, finally: a frozen certificate whose
    resolve-by date passed, or one whose holder ignored a warning. The holder is told to stop using
    the certificate and return it (9.8.4)."""
    require_role(user, Role.DIRECTOR)
    with transaction.atomic():
        locked = _lock(certificate)
        refusal = revoke_refusal(locked)
        if refusal:
            raise RuleError(refusal)
        if not reason.strip():
            raise RuleError(_("Give the reason for the revocation."))
        locked.revoked_at = timezone.now()
        locked.revoke_reason = reason.strip()
        transitions.apply(
            user,
            locked,
            "certificate.revoked",
            fields=["revoked_at", "revoke_reason"],
            reason=reason.strip(),
        )
        _notify(locked, "revoked")
    return locked


def reduce_scope(
    user: User, certificate: Certificate, *, remove_units: Collection[Unit], reason: str
) -> Certificate:
    """9.5.4: instead of revoking a frozen certificate whose resolve-by date passed, staff or the
    director remove units from its scope; it is in force again with a new version of the PDF."""
    require_role(user, Role.STAFF, Role.DIRECTOR)
    with transaction.atomic():
        locked = _lock(certificate)
        if not locked.resolve_overdue:
            raise RuleError(
                _(
                    "The scope is reduced only for a frozen certificate whose resolve-by date "
                    "passed."
                )
            )
        if not reason.strip():
            raise RuleError(_("Give the reason for reducing the scope."))
        current = set(locked.scope.values_list("pk", flat=True))
        remove = {unit.pk for unit in remove_units}
        if not remove or not remove <= current:
            raise RuleError(_("Choose units of this certificate to remove."))
        if remove == current:
            raise RuleError(_("At least one unit must remain; revoke the certificate instead."))
        removed = [u.code for u in remove_units]
        locked.scope.remove(*remove)
        locked.resolve_by = None
        locked.scope_reduced_at = timezone.now()
        transitions.apply(
            user,
            locked,
            "certificate.scope_reduced",
            fields=["resolve_by", "scope_reduced_at"],
            reason=reason.strip(),
            removed=removed,
        )
        _notify(locked, "scope_reduced")
        outbox.send(tasks.render_certificate, locked.pk)
    return locked


def record_return(user: User, certificate: Certificate) -> Certificate:
    """9.8.4: staff record that the holder returned a revoked certificate."""
    require_role(user, Role.STAFF)
    with transaction.atomic():
        locked = _lock(certificate)
        if locked.status != Status.REVOKED:
            raise RuleError(_("Only a revoked certificate is returned."))
        if locked.returned_at:
            raise RuleError(_("The return was already recorded."))
        locked.returned_at = timezone.now()
        locked.save(update_fields=["returned_at"])
        record(user, "certificate.returned", locked)
    return locked


# ---------------------------------------------------------------------------------------------
# Daily notices (celery beat): expiry (9.6, 9.7) and overdue freezes (9.5.4)
# ---------------------------------------------------------------------------------------------

EXPIRY_NOTICES = ((90, "expiry_90"), (30, "expiry_30"))


def _notice_once(certificate: Certificate, kind: str) -> bool:
    """Record the notice; False when it was already sent (the unique row decides, even when two
    runs overlap)."""
    try:
        with transaction.atomic():
            Notice.objects.create(certificate=certificate, kind=kind)
    except IntegrityError:
        return False
    return True


def send_daily_notices(today: datetime.date | None = None) -> tuple[int, int]:
    """Expiry notices 90 and 30 days before valid_until (the LSP does no recertification: the
    notice points to an LSP P3, 9.7), and a daily reminder to staff and the director for each
    frozen certificate whose resolve-by date passed, until they revoke or reduce its scope.
    Each notice is sent once however often this runs. Returns (expiry notices, reminders)."""
    today = today or timezone.localdate()
    expiry = 0
    in_force = Certificate.objects.filter(
        status__in=[Status.ACTIVE, Status.FROZEN], valid_until__gte=today
    )
    for days, kind in EXPIRY_NOTICES:
        horizon = today + datetime.timedelta(days=days)
        for certificate in in_force.filter(valid_until__lte=horizon):
            valid_until = cast(datetime.date, certificate.valid_until)  # in force: set
            if kind == "expiry_90" and (valid_until - today).days <= 30:
                continue  # the 30-day notice is the one that applies now
            if _notice_once(certificate, kind):
                outbox.send(tasks.notify_holder, certificate.pk, "expiring")
                expiry += 1
    reminders = 0
    overdue = Certificate.objects.filter(status=Status.FROZEN, resolve_by__lt=today)
    for certificate in overdue:
        if _notice_once(certificate, f"overdue_{today.isoformat()}"):
            outbox.send(tasks.remind_overdue_freeze, certificate.pk)
            reminders += 1
    return expiry, reminders
