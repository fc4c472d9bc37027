"""Certificates (9.4.6-9.8): issued to holders declared competent, verifiable by anyone.

A certificate is created "pending" for each competent decision in a signed decree; it is handed over
(issued: number, dates, PDF) only when every requirement is met (9.4.7): the holder signed the
certificate-use agreement (9.8.1-9.8.4) and staff recorded the fee as paid (8.1).
"""

from __future__ import annotations

import datetime
import uuid
from typing import TYPE_CHECKING, Any, Self

from django.conf import settings
from django.db import models, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from decisions.models import Decision
from lsp_portal.accounts.roles import Role
from lsp_portal.dates import DateRangeValidator, format_date
from lsp_portal.pdf import RenderedPDF
from lsp_portal.transitions import Transition, Transitions
from registration.models import Unit

if TYPE_CHECKING:
    from lsp_portal.accounts.models import User


def add_years(day: datetime.date, years: int) -> datetime.date:
    """`day` plus whole years; 29 February becomes 28 February in a year without it (9.4.6)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


class Signatory(models.Model):
    """The person the LSP designates to sign certificates (9.4.6), with their title."""

    name = models.CharField(_("name"), max_length=150)
    title = models.CharField(_("title"), max_length=150)
    is_current = models.BooleanField(
        _("current signatory"), default=True, help_text=_("New certificates carry this signatory.")
    )

    class Meta:
        verbose_name = _("certificate signatory")
        verbose_name_plural = _("certificate signatories")
        ordering = ["-is_current", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_current"], condition=Q(is_current=True), name="one_current_signatory"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name}, {self.title}"


class Ground(models.TextChoices):
    """Grounds for freezing a certificate (9.5.1 a-c)."""

    A = "a", _("a. The holder broke the holder's obligations")
    B = "b", _("b. The holder misused the authority granted")
    C = "c", _("c. The holder damaged the LSP's good name")


class CertificateQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> Self:
        if user.has_role(Role.STAFF) or user.has_role(Role.DIRECTOR):
            return self
        return self.filter(holder=user)


class Certificate(RenderedPDF):
    """A competency certificate (sertifikat kompetensi). Status: pending -> active -> frozen ->
    active, or revoked; "expired" is derived from valid_until."""

    # Its running number (lsp_portal.numbering): the counter, the setting with the pattern and
    # the field whose date gives the year and month; number_fields() fills the pattern's rest.
    number_pattern_setting = "CERTIFICATE_NUMBER_PATTERN"
    number_date_field = "issued_on"

    @staticmethod
    def number_counter() -> type[models.Model]:
        return CertificateCounter

    def number_fields(self) -> dict[str, str]:
        return {"scheme": self.decision.assessment.application.scheme.code.upper()}

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for the requirements (9.4.7)")
        ACTIVE = "active", _("In force")
        FROZEN = "frozen", _("Frozen")
        REVOKED = "revoked", _("Revoked")

    # Every status change, by the audit action that records it (lsp_portal.transitions).
    TRANSITIONS = Transitions(
        "status",
        {
            # 9.4.6-9.4.7: agreement signed and fee paid, a signatory designated.
            "certificate.issued": Transition((Status.PENDING,), Status.ACTIVE),
            # 9.5.1-9.5.4
            "certificate.frozen": Transition((Status.ACTIVE,), Status.FROZEN),
            "certificate.restored": Transition((Status.FROZEN,), Status.ACTIVE),
            "certificate.scope_reduced": Transition((Status.FROZEN,), Status.ACTIVE),
            # 9.5.4-9.5.5
            "certificate.revoked": Transition((Status.ACTIVE, Status.FROZEN), Status.REVOKED),
        },
    )

    class PublicStatus(models.TextChoices):
        """What public verification shows, in the visitor's language (Berlaku, Dibekukan,
        Dicabut, Kedaluwarsa in Indonesian; the certificate PDF is always Indonesian)."""

        VALID = "valid", pgettext_lazy("certificate status", "Valid")
        FROZEN = "frozen", pgettext_lazy("certificate status", "Frozen")
        REVOKED = "revoked", pgettext_lazy("certificate status", "Revoked")
        EXPIRED = "expired", pgettext_lazy("certificate status", "Expired")

    decision = models.OneToOneField(Decision, on_delete=models.PROTECT, related_name="certificate")
    holder = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("holder"),
        on_delete=models.PROTECT,
        related_name="certificates",
    )
    holder_name = models.CharField(_("holder's name"), max_length=150)
    scheme_name = models.CharField(_("scheme"), max_length=200)
    scheme_number = models.CharField(_("scheme document number"), max_length=60)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # NULL (not "") until issued: many pending certificates, each issued number unique.
    number = models.CharField(  # noqa: DJ001
        _("certificate number"), max_length=80, unique=True, null=True
    )
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    sequence = models.PositiveIntegerField(null=True, blank=True)
    issued_on = models.DateField(_("issued on"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    signatory = models.ForeignKey(
        Signatory, verbose_name=_("signatory"), on_delete=models.PROTECT, null=True, blank=True
    )
    scope = models.ManyToManyField(Unit, verbose_name=_("scope (units)"), related_name="+")
    agreement_signed_at = models.DateTimeField(
        _("certificate-use agreement signed at"), null=True, blank=True
    )
    fee_paid_at = models.DateTimeField(_("fee recorded as paid at"), null=True, blank=True)
    fee_amount = models.PositiveIntegerField(_("fee paid (Rupiah)"), null=True, blank=True)
    fee_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Freezing (9.5.1-9.5.3), revocation and scope reduction (9.5.4-9.5.5), return (9.8.4)
    freeze_ground = models.CharField(
        _("ground for freezing (9.5.1)"), max_length=1, choices=Ground.choices, blank=True
    )
    freeze_reason = models.TextField(_("reason for freezing"), blank=True)
    frozen_at = models.DateTimeField(_("frozen at"), null=True, blank=True)
    resolve_by = models.DateField(
        _("to be resolved by"), null=True, blank=True, validators=[DateRangeValidator()]
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoke_reason = models.TextField(_("reason for revocation"), blank=True)
    scope_reduced_at = models.DateTimeField(_("scope reduced at"), null=True, blank=True)
    returned_at = models.DateTimeField(_("certificate returned at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CertificateQuerySet.as_manager()

    pdf_template = "certificates/pdf/certificate.html"

    class Meta:
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["year", "sequence"], name="certificate_seq_per_year"),
            models.CheckConstraint(
                condition=Q(status="pending") | Q(number__isnull=False, issued_on__isnull=False),
                name="issued_certificate_has_number",
            ),
        ]

    def __str__(self) -> str:
        return self.number or f"{self.holder_name} ({self.get_status_display()})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        super().save(*args, **kwargs)
        # Public verification is cached (certificates/verification.py): forget it once committed.
        from .verification import forget

        transaction.on_commit(lambda: forget(self))

    def get_absolute_url(self) -> str:
        return reverse("certificates:detail", args=[self.pk])

    def verification_url(self) -> str:
        return settings.PORTAL_BASE_URL.rstrip("/") + reverse(
            "certificates:verify_token", args=[self.token]
        )

    @property
    def is_expired(self) -> bool:
        return bool(self.valid_until and self.valid_until < timezone.localdate())

    @property
    def public_status(self) -> Certificate.PublicStatus:
        """What verification shows: Berlaku, Dibekukan, Dicabut or Kedaluwarsa."""
        if self.status == self.Status.REVOKED:
            return self.PublicStatus.REVOKED
        if self.is_expired:
            return self.PublicStatus.EXPIRED
        if self.status == self.Status.FROZEN:
            return self.PublicStatus.FROZEN
        return self.PublicStatus.VALID

    @property
    def resolve_overdue(self) -> bool:
        """9.5.4: frozen and not resolved in the time the LSP set."""
        return (
            self.status == self.Status.FROZEN
            and self.resolve_by is not None
            and self.resolve_by < timezone.localdate()
        )

    @property
    def requirements_met(self) -> bool:
        return bool(self.agreement_signed_at and self.fee_paid_at)

    @property
    def can_download(self) -> bool:
        return self.status == self.Status.ACTIVE and not self.is_expired and bool(self.pdf)

    def pdf_context(self) -> dict[str, Any]:
        from .documents import certificate_context

        return certificate_context(self)

    def pdf_context_data(self) -> dict[str, Any]:
        from .documents import certificate_data

        return certificate_data(self)


class CertificateCard(RenderedPDF):
    """The ID-1 card version of a certificate ("surat dan/atau kartu", 9.4.6)."""

    certificate = models.OneToOneField(Certificate, on_delete=models.CASCADE, related_name="card")

    pdf_template = "certificates/pdf/card.html"

    class Meta:
        verbose_name = _("certificate card")

    def __str__(self) -> str:
        return f"Card {self.certificate}"

    def pdf_context(self) -> dict[str, Any]:
        from .documents import certificate_context

        return certificate_context(self.certificate)

    def pdf_context_data(self) -> dict[str, Any]:
        from .documents import certificate_data

        return certificate_data(self.certificate)


class CertificateWarning(models.Model):
    """A warning to the holder before freezing or revoking (9.5.2), e-mailed to them."""

    certificate = models.ForeignKey(Certificate, on_delete=models.CASCADE, related_name="warnings")
    ground = models.CharField(_("ground (9.5.1)"), max_length=1, choices=Ground.choices)
    text = models.TextField(_("warning"))
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    issued_at = models.DateTimeField(_("issued at"), auto_now_add=True)

    class Meta:
        verbose_name = _("warning")
        ordering = ["issued_at"]

    def __str__(self) -> str:
        return f"{self.certificate} {format_date(self.issued_at)}"


class Notice(models.Model):
    """A reminder sent about a certificate, kept so that each is sent once however often the daily
    task runs: expiry notices 90 and 30 days ahead (9.6, 9.7), and one overdue-freeze reminder per
    day to staff and the director (9.5.4)."""

    certificate = models.ForeignKey(Certificate, on_delete=models.CASCADE, related_name="notices")
    kind = models.CharField(max_length=40)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["certificate", "kind"], name="notice_sent_once")
        ]

    def __str__(self) -> str:
        return f"{self.certificate} {self.kind}"


class CertificateCounter(models.Model):
    """The last certificate number used in a year, locked while one is issued (no repeats)."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"
