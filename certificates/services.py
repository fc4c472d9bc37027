"""Certificate rules (9.4.6-9.4.7, 9.8). Every change goes through a function here: guard, atomic
transaction, row lock, save, AuditEvent, side effects (PDF rendering) on commit."""

import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from assessment.models import UnitResult
from decisions.models import Decision
from lsp_portal import dates
from lsp_portal.accounts.roles import Role
from lsp_portal.audit.services import record
from lsp_portal.errors import RuleError
from lsp_portal.numbering import next_number
from lsp_portal.outbox import services as outbox

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


def _lock(certificate):
    return Certificate.objects.select_for_update().get(pk=certificate.pk)


def create_pending(decision):
    """Called (decisions.hooks) for each decision published by a signed decree: a competent one
    gets a pending certificate, once - calling again changes nothing."""
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


def sign_agreement(user, certificate, *, points):
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


def record_fee(user, certificate, *, amount):
    """Staff record the certification fee (8.1) as paid; the full fee of the scheme is required."""
    if not user.has_role(Role.STAFF):
        raise PermissionDenied
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


def _issue_if_ready(user, locked):
    """9.4.6-9.4.7: once every requirement is met the certificate is issued - number, dates,
    signatory - and its PDF and card are rendered. Runs inside the caller's locked transaction,
    so it happens once even when both requirements are completed at the same moment."""
    if locked.status != Status.PENDING or not locked.requirements_met:
        return
    signatory = Signatory.objects.filter(is_current=True).first()
    if signatory is None:
        # The requirements stay recorded; issue_waiting() issues it once staff name a signatory.
        record(user, "certificate.waiting_for_signatory", locked)
        return
    today = timezone.localdate()
    scheme = locked.decision.assessment.application.scheme
    locked.sequence, locked.number = next_number(
        CertificateCounter,
        settings.CERTIFICATE_NUMBER_PATTERN,
        year=today.year,
        month=today.month,
        scheme=scheme.code.upper(),
    )
    locked.year = today.year
    locked.issued_on = today
    locked.valid_until = add_years(today, scheme.validity_years)
    locked.signatory = signatory
    locked.status = Status.ACTIVE
    locked.save(
        update_fields=[
            "sequence",
            "number",
            "year",
            "issued_on",
            "valid_until",
            "signatory",
            "status",
        ]
    )
    CertificateCard.objects.get_or_create(certificate=locked)
    record(
        user,
        "certificate.issued",
        locked,
        from_status=Status.PENDING,
        to_status=Status.ACTIVE,
        number=locked.number,
    )
    outbox.send(tasks.render_certificate, locked.pk)


def issue_waiting(user):
    """Issue every certificate whose requirements are met but which waited for a designated
    signatory (called when staff name one). Returns how many were issued."""
    if not user.has_role(Role.STAFF):
        raise PermissionDenied
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


def _require_staff(user):
    if not user.has_role(Role.STAFF):
        raise PermissionDenied


def _notify(certificate, event):
    outbox.send(tasks.notify_holder, certificate.pk, event)


def _check_ground(ground):
    if ground not in Ground.values:
        raise RuleError(_("Choose one of the grounds a-c of 9.5.1."))


def warn_refusal(certificate):
    """Why `certificate` cannot receive a warning, or None: only one in force or frozen, and not
    expired (9.5.2). The certificate page offers the warning form only when this is None."""
    if certificate.status not in (Status.ACTIVE, Status.FROZEN) or certificate.is_expired:
        return _("Only a certificate in force or frozen can receive a warning.")
    return None


def revoke_refusal(certificate, *, warned=None):
    """Why the director cannot revoke `certificate`, or None: only one in force or frozen, and
    only when it is frozen past its resolve-by date (9.5.4) or the holder ignored a warning
    (9.5.5). `warned`: whether it has a warning, when the caller has looked it up (the page
    lists the warnings). The page shows the refusal to the director instead of the form."""
    if certificate.status not in (Status.ACTIVE, Status.FROZEN):
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


def warn(user, certificate, *, ground, text):
    """9.5.2: the LSP may warn the holder first; the warning is recorded and e-mailed."""
    _require_staff(user)
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


def freeze(user, certificate, *, ground, reason, resolve_by):
    """9.5.1-9.5.3: staff freeze a certificate in force on a ground a-c, with the date by which the
    matter must be resolved. While frozen, verification says so and downloads stop."""
    _require_staff(user)
    with transaction.atomic():
        locked = _lock(certificate)
        if locked.status != Status.ACTIVE:
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
        locked.status = Status.FROZEN
        locked.freeze_ground = ground
        locked.freeze_reason = reason.strip()
        locked.frozen_at = timezone.now()
        locked.resolve_by = resolve_by
        locked.save(
            update_fields=["status", "freeze_ground", "freeze_reason", "frozen_at", "resolve_by"]
        )
        record(
            user,
            "certificate.frozen",
            locked,
            from_status=Status.ACTIVE,
            to_status=Status.FROZEN,
            reason=reason.strip(),
            ground=ground,
            resolve_by=str(resolve_by),
        )
        _notify(locked, "frozen")
    return locked


def restore(user, certificate, *, note):
    """Staff restore a frozen certificate once the matter is resolved."""
    _require_staff(user)
    with transaction.atomic():
        locked = _lock(certificate)
        if locked.status != Status.FROZEN:
            raise RuleError(_("Only a frozen certificate can be restored."))
        if not note.strip():
            raise RuleError(_("Say how the matter was resolved."))
        locked.status = Status.ACTIVE
        locked.resolve_by = None
        locked.save(update_fields=["status", "resolve_by"])
        record(
            user,
            "certificate.restored",
            locked,
            from_status=Status.FROZEN,
            to_status=Status.ACTIVE,
            reason=note.strip(),
        )
        _notify(locked, "restored")
    return locked


def revoke(user, certificate, *, reason):
    """9.5.4-9.5.5: the director revokes, with the reason, finally: a frozen certificate whose
    resolve-by date passed, or one whose holder ignored a warning. The holder is told to stop using
    the certificate and return it (9.8.4)."""
    if not user.has_role(Role.DIRECTOR):
        raise PermissionDenied
    with transaction.atomic():
        locked = _lock(certificate)
        refusal = revoke_refusal(locked)
        if refusal:
            raise RuleError(refusal)
        if not reason.strip():
            raise RuleError(_("Give the reason for the revocation."))
        previous = locked.status
        locked.status = Status.REVOKED
        locked.revoked_at = timezone.now()
        locked.revoke_reason = reason.strip()
        locked.save(update_fields=["status", "revoked_at", "revoke_reason"])
        record(
            user,
            "certificate.revoked",
            locked,
            from_status=previous,
            to_status=Status.REVOKED,
            reason=reason.strip(),
        )
        _notify(locked, "revoked")
    return locked


def reduce_scope(user, certificate, *, remove_units, reason):
    """9.5.4: instead of revoking a frozen certificate whose resolve-by date passed, staff or the
    director remove units from its scope; it is in force again with a new version of the PDF."""
    if not (user.has_role(Role.STAFF) or user.has_role(Role.DIRECTOR)):
        raise PermissionDenied
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
        locked.status = Status.ACTIVE
        locked.resolve_by = None
        locked.scope_reduced_at = timezone.now()
        locked.save(update_fields=["status", "resolve_by", "scope_reduced_at"])
        record(
            user,
            "certificate.scope_reduced",
            locked,
            from_status=Status.FROZEN,
            to_status=Status.ACTIVE,
            reason=reason.strip(),
            removed=removed,
        )
        _notify(locked, "scope_reduced")
        outbox.send(tasks.render_certificate, locked.pk)
    return locked


def record_return(user, certificate):
    """9.8.4: staff record that the holder returned a revoked certificate."""
    _require_staff(user)
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


def _notice_once(certificate, kind):
    """Record the notice; False when it was already sent (the unique row decides, even when two
    runs overlap)."""
    try:
        with transaction.atomic():
            Notice.objects.create(certificate=certificate, kind=kind)
    except IntegrityError:
        return False
    return True


def send_daily_notices(today=None):
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
            if kind == "expiry_90" and (certificate.valid_until - today).days <= 30:
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
