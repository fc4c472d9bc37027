"""Certificate rules (9.4.6-9.4.7, 9.8). Every change goes through a function here: guard, atomic
transaction, row lock, save, AuditEvent, side effects (PDF rendering) on commit."""

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lsp_portal.accounts.roles import Role
from lsp_portal.audit.services import record
from lsp_portal.errors import RuleError

from . import tasks
from .models import Certificate, CertificateCard, CertificateCounter, Signatory, add_years

Status = Certificate.Status
ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII"]


def _lock(certificate):
    return Certificate.objects.select_for_update().get(pk=certificate.pk)


def create_pending(decision):
    """Called (decisions.hooks) for each decision published by a signed decree: a competent one
    gets a pending certificate, once - calling again changes nothing."""
    if decision.result != "K" or not decision.published_at:
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
        competent = decision.assessment.results.filter(result="K").values_list("unit", flat=True)
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


def _next_number(year, month, scheme_code):
    CertificateCounter.objects.bulk_create([CertificateCounter(year=year)], ignore_conflicts=True)
    counter = CertificateCounter.objects.select_for_update().get(year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    number = settings.CERTIFICATE_NUMBER_PATTERN.format(
        seq=counter.last,
        year=year,
        month=month,
        roman_month=ROMAN[month - 1],
        scheme=scheme_code.upper(),
    )
    return counter.last, number


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
    locked.sequence, locked.number = _next_number(today.year, today.month, scheme.code)
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
    transaction.on_commit(lambda: tasks.render_certificate.delay(locked.pk))


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
