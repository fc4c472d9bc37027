"""Assessment (9.2, 9.3): assessors, TUK, plan and agreement, evidence review, K/BK per unit.

Terms kept in Indonesian: asesor (a competency assessor registered with BNSP; No. Reg. MET is the
registration number), TUK (Tempat Uji Kompetensi, the verified place of the competency test, 9.3.2),
VATM (the rules of evidence: Valid, Asli = authentic, Terkini = current, Memadai = sufficient),
FR.MAPA.01 (Merencanakan Aktivitas dan Proses Asesmen, the assessment plan), FR.AK.01 (Persetujuan
Asesmen dan Kerahasiaan, the consent and confidentiality agreement both parties sign), FR-AK-03 (the
applicant's feedback). The portal called the plan "FR-AK-01" before; MUK 2023 names it FR.MAPA.01.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Self

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Case, Q, Subquery, Value, When
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lsp_portal.accounts.roles import Role
from lsp_portal.dates import DateRangeValidator, format_date
from lsp_portal.pdf import RenderedPDF
from lsp_portal.transitions import Transition, Transitions
from registration.models import KUK, Application, Element, Scheme, Unit

from .instruments.models import InstrumentBank, InstrumentItem, InstrumentKind  # noqa: F401
from .reporting.models import AssessmentReport, CompetencyRecord, ProcessReview  # noqa: F401
from .schedules.models import Schedule, ScheduleCandidate  # noqa: F401

if TYPE_CHECKING:
    from lsp_portal.accounts.models import User


class Method(models.TextChoices):
    """Assessment methods of 9.3.1."""

    OBSERVATION = "observasi", _("Direct observation / demonstration")
    WRITTEN = "tertulis", _("Written questions")
    ORAL = "lisan", _("Oral questions")
    PORTFOLIO = "portofolio", _("Portfolio verification")
    INTERVIEW = "wawancara", _("Interview")


def method_labels(codes: Iterable[str]) -> list[str]:
    labels = dict(Method.choices)
    return [str(labels.get(code, code)) for code in codes]


class EvidenceKind(models.TextChoices):
    """The kinds of evidence of FR.MAPA.01 and FR.AK.01 (MUK 2023): L (bukti langsung, direct:
    what the assessor sees the candidate do), TL (bukti tidak langsung, indirect: products,
    portfolio, reports of others), T (bukti tambahan, supplementary: answers to questions)."""

    L = "L", _("L - direct evidence (langsung)")
    TL = "TL", _("TL - indirect evidence (tidak langsung)")
    T = "T", _("T - supplementary evidence (tambahan)")


# The kind of evidence each method of 9.3.1 gathers: what an existing plan's units were given when
# the kinds were added (migration 0008), and what the plan form suggests.
EVIDENCE_KIND_OF_METHOD = {
    Method.OBSERVATION: EvidenceKind.L,
    Method.PORTFOLIO: EvidenceKind.TL,
    Method.WRITTEN: EvidenceKind.T,
    Method.ORAL: EvidenceKind.T,
    Method.INTERVIEW: EvidenceKind.T,
}

# Planned duration of one unit, in minutes: at most a working day.
MAX_UNIT_MINUTES = 480

# FR.MAPA.02 (Peta Instrumen Asesmen): the method of 9.3.1 each instrument serves. A plan's unit
# uses an instrument only when that method is chosen for it, and every method chosen has at least
# one instrument. FR.IA.03 (questions asked while observing) belongs to the observation; FR.IA.04A/B
# (a structured project, judged on what the candidate hands in) to the written method, with the
# written tests FR.IA.05/06; FR.IA.10 (a third party's confirmation) and FR.IA.11 (the review of a
# product) to the portfolio.
METHOD_OF_INSTRUMENT: dict[str, str] = {
    InstrumentKind.IA01: Method.OBSERVATION,
    InstrumentKind.IA02: Method.OBSERVATION,
    InstrumentKind.IA03: Method.OBSERVATION,
    InstrumentKind.IA04A: Method.WRITTEN,
    InstrumentKind.IA04B: Method.WRITTEN,
    InstrumentKind.IA05: Method.WRITTEN,
    InstrumentKind.IA06: Method.WRITTEN,
    InstrumentKind.IA07: Method.ORAL,
    InstrumentKind.IA08: Method.PORTFOLIO,
    InstrumentKind.IA09: Method.INTERVIEW,
    InstrumentKind.IA10: Method.PORTFOLIO,
    InstrumentKind.IA11: Method.PORTFOLIO,
}

# The written tests (multiple choice FR.IA.05, essay FR.IA.06) are taken online, which comes in a
# later issue: a plan cannot choose them yet.
INSTRUMENTS_NOT_YET = frozenset({InstrumentKind.IA05, InstrumentKind.IA06})

# What the plan form ticks when a method is chosen, and what plans set before FR.MAPA.02 were
# given (migration 0012).
DEFAULT_INSTRUMENTS: dict[str, tuple[str, ...]] = {
    Method.OBSERVATION: (InstrumentKind.IA01,),
    Method.WRITTEN: (InstrumentKind.IA04B,),
    Method.ORAL: (InstrumentKind.IA07,),
    Method.PORTFOLIO: (InstrumentKind.IA08,),
    Method.INTERVIEW: (InstrumentKind.IA09,),
}


def instruments_for_methods(methods: Iterable[str]) -> list[str]:
    """The default instruments of these methods, in the forms' order (FR.IA.01 ... FR.IA.11)."""
    chosen = {kind for method in methods for kind in DEFAULT_INSTRUMENTS.get(method, ())}
    return [kind for kind in InstrumentKind.values if kind in chosen]


def instrument_codes_in_order(codes: Iterable[str]) -> list[str]:
    given = set(codes)
    return [kind for kind in InstrumentKind.values if kind in given]


# ---------------------------------------------------------------------------------------------
# Registries kept by staff
# ---------------------------------------------------------------------------------------------


class AssessorQuerySet(models.QuerySet):
    def qualified_for(self, scheme: Scheme, on_date: datetime.date | None = None) -> Self:
        """Active assessors registered for `scheme` whose registration holds on `on_date`."""
        on_date = on_date or timezone.localdate()
        return self.filter(
            is_active=True,
            user__is_active=True,
            user__groups__name=Role.ASSESSOR,
            schemes=scheme,
            registration_valid_until__gte=on_date,
        ).distinct()


class Assessor(models.Model):
    """A competency assessor (asesor kompetensi) registered with BNSP, and the schemes assessed."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.PROTECT,
        related_name="assessor_profile",
    )
    registration_number = models.CharField(
        _("registration number (No. Reg. MET)"), max_length=40, unique=True
    )
    registration_valid_until = models.DateField(
        _("registration valid until"), validators=[DateRangeValidator()]
    )
    schemes = models.ManyToManyField(
        Scheme, verbose_name=_("schemes they may assess"), related_name="assessors"
    )
    is_active = models.BooleanField(_("active"), default=True)

    objects = AssessorQuerySet.as_manager()

    class Meta:
        verbose_name = _("assessor")
        verbose_name_plural = _("assessors")
        ordering = ["user__full_name"]

    def __str__(self) -> str:
        return f"{self.user.full_name} ({self.registration_number})"

    def clean(self) -> None:
        if self.user_id and not self.user.has_role(Role.ASSESSOR):
            raise ValidationError({"user": _("This user does not have the Asesor role.")})

    def registration_current(self, on_date: datetime.date | None = None) -> bool:
        return self.registration_valid_until >= (on_date or timezone.localdate())


class TUKQuerySet(models.QuerySet):
    def verified_on(self, date: datetime.date) -> Self:
        return self.filter(verified_on__lte=date, verified_until__gte=date)


class TUK(models.Model):
    """A place of competency testing (Tempat Uji Kompetensi), usable only while verified (9.3.2)."""

    class Kind(models.TextChoices):
        SEWAKTU = "sewaktu", _("Sewaktu (temporary)")
        TEMPAT_KERJA = "tempat_kerja", _("Tempat kerja (workplace)")
        MANDIRI = "mandiri", _("Mandiri (independent)")

    name = models.CharField(_("name"), max_length=150)
    address = models.TextField(_("address"))
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("verified by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    verified_on = models.DateField(_("verified on"), validators=[DateRangeValidator()])
    verified_until = models.DateField(
        _("verification valid until"), validators=[DateRangeValidator()]
    )

    objects = TUKQuerySet.as_manager()

    class Meta:
        verbose_name = _("TUK (place of testing)")
        verbose_name_plural = _("TUK (places of testing)")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(verified_until__gte=models.F("verified_on")),
                name="tuk_verification_period_ordered",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_kind_display()})"

    def clean(self) -> None:
        if self.verified_on and self.verified_until and self.verified_until < self.verified_on:
            raise ValidationError(
                {"verified_until": _("The verification cannot end before it was done.")}
            )

    def is_verified_on(self, date: datetime.date) -> bool:
        return self.verified_on <= date <= self.verified_until


# ---------------------------------------------------------------------------------------------
# The assessment of one application (one per attempt)
# ---------------------------------------------------------------------------------------------


class AssessmentQuerySet(models.QuerySet):
    def for_assessor(self, user: User) -> Self:
        """The cases assigned to this assessor (never anyone else's). The assessor's id comes from
        a subquery, not a join, so PostgreSQL can walk assessor_cases_idx in page order."""
        assessor = Assessor.objects.filter(user=user).values("pk")[:1]
        return self.filter(assessor_id=Subquery(assessor), is_current=True)

    def for_applicant(self, user: User) -> Self:
        return self.filter(application__applicant=user)

    def visible_to(self, user: User) -> Self:
        if not user.is_authenticated:
            return self.none()
        if user.has_role(Role.STAFF):
            return self
        condition = Q(pk__in=[])
        if user.has_role(Role.ASSESSOR):
            condition |= Q(assessor__user=user, is_current=True)
        if user.has_role(Role.APPLICANT):
            condition |= Q(application__applicant=user)
        return self.filter(condition)

    def open(self) -> Self:
        return self.exclude(status=Assessment.Status.RECOMMENDED)


class Assessment(models.Model):
    """One assessment attempt of an eligible application (9.2-9.3).

    assigned -> plan_agreed (FR.MAPA.01 set, FR.AK.01 signed by both) -> evidence_reviewed (VATM
    per unit, 9.2.5-6) -> recommended (submitted to the LSP, 9.3.5; read-only). The plan holds
    each unit's date, TUK.
    """

    class Status(models.TextChoices):
        ASSIGNED = "assigned", _("Assessor assigned")
        PLAN_AGREED = "plan_agreed", _("Plan agreed")
        EVIDENCE_REVIEWED = "evidence_reviewed", _("Evidence reviewed")
        RECOMMENDED = "recommended", _("Submitted to the LSP")

    # Every status change, by the audit action that records it (lsp_portal.transitions).
    TRANSITIONS = Transitions(
        "status",
        {
            # 9.2.2: another assessor takes over, until a test result is recorded.
            "assessment.reassigned": Transition(
                (Status.ASSIGNED, Status.PLAN_AGREED, Status.EVIDENCE_REVIEWED), Status.ASSIGNED
            ),
            # FR.AK.01: the first party's agreement leaves it assigned, the second's moves it on.
            "assessment.plan_agreed": Transition(
                (Status.ASSIGNED,), Status.PLAN_AGREED, stays=True
            ),
            "assessment.evidence_reviewed": Transition(
                (Status.PLAN_AGREED,), Status.EVIDENCE_REVIEWED
            ),
            # 9.3.5: submitted to the LSP, read-only from then on.
            "assessment.submitted": Transition((Status.EVIDENCE_REVIEWED,), Status.RECOMMENDED),
        },
    )

    class Recommendation(models.TextChoices):
        K = "K", _("Competent")
        BK = "BK", _("Not yet competent")

    application = models.ForeignKey(
        Application,
        verbose_name=_("application"),
        on_delete=models.PROTECT,
        related_name="assessments",
    )
    attempt = models.PositiveSmallIntegerField(_("attempt"), default=1)
    is_current = models.BooleanField(default=True)
    status = models.CharField(
        _("status"), max_length=24, choices=Status.choices, default=Status.ASSIGNED, db_index=True
    )
    assessor = models.ForeignKey(
        Assessor, verbose_name=_("assessor"), on_delete=models.PROTECT, related_name="assessments"
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    assigned_at = models.DateTimeField(_("assigned at"))
    impartiality_declared_at = models.DateTimeField(
        _("impartiality declared at"), null=True, blank=True
    )
    plan_set_at = models.DateTimeField(_("plan set at"), null=True, blank=True)
    applicant_agreed_at = models.DateTimeField(_("applicant agreed at"), null=True, blank=True)
    assessor_agreed_at = models.DateTimeField(_("assessor agreed at"), null=True, blank=True)
    evidence_reviewed_at = models.DateTimeField(_("evidence reviewed at"), null=True, blank=True)
    proceed_to_test = models.BooleanField(_("recommended for the competency test"), null=True)
    not_recommended_reason = models.TextField(_("reason not recommended"), blank=True)
    recommendation = models.CharField(
        _("recommendation"), max_length=2, choices=Recommendation.choices, blank=True
    )
    recommendation_note = models.TextField(_("assessor's note"), blank=True)
    submitted_at = models.DateTimeField(_("submitted to the LSP at"), null=True, blank=True)
    # FR.MAPA.02: the version of the LSP's instrument bank this assessment uses, pinned when the
    # plan is set (None: the scheme has no bank for the application's standard version).
    instrument_bank = models.ForeignKey(
        InstrumentBank,
        verbose_name=_("instrument bank version"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assessments",
    )
    # After submission the applicant signs the result, or declines with a comment (9.9.8.a).
    applicant_signed_at = models.DateTimeField(_("result signed at"), null=True, blank=True)
    signature_declined_at = models.DateTimeField(_("signature declined at"), null=True, blank=True)
    signature_decline_comment = models.TextField(_("reason for not signing"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AssessmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        ordering = ["-assigned_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["application"],
                condition=Q(is_current=True),
                name="one_current_assessment_per_application",
            ),
            models.UniqueConstraint(
                fields=["application", "attempt"], name="assessment_attempt_unique"
            ),
        ]
        indexes = [
            # The assessor's case list: open cases first, then by step and date, 50 a page (an
            # assessor holds thousands over the years).
            models.Index(
                "assessor",
                Case(When(status="recommended", then=Value(1)), default=Value(0)),
                "status",
                "assigned_at",
                "id",
                condition=Q(is_current=True),
                name="assessor_cases_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.application.full_name}"

    def get_absolute_url(self) -> str:
        return reverse("assessment:detail", args=[self.pk])

    @property
    def reference(self) -> str:
        return f"ASM-{self.pk:06d}" if self.pk else "ASM-?"

    @property
    def is_locked(self) -> bool:
        return self.status == self.Status.RECOMMENDED

    @property
    def plan_agreed_by_both(self) -> bool:
        return bool(self.applicant_agreed_at and self.assessor_agreed_at)

    def bk_units(self) -> list[Unit]:
        return [r.unit for r in self.results.select_related("unit") if r.result == "BK"]


class AssignmentQuerySet(models.QuerySet):
    def held_by(self, users: Iterable[User | int]) -> Self:
        """Assignments of these users (ids or users): everyone who ever held a case counts as
        involved in it (9.4.2, 9.9.4), whether or not they still hold it."""
        return self.filter(assessor__user__in=users)


class Assignment(models.Model):
    """Who held an assessment attempt, from when until when, assigned by whom (9.2.2). A
    reassignment ends the open row and starts the next, so the assessor who declared impartiality,
    set the plan or reviewed the evidence stays on record after handing the case over, and the
    conflict rules of the technical team (9.4.2) and the appeal team (9.9.4) see every one."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="assignments")
    assessor = models.ForeignKey(
        Assessor, verbose_name=_("assessor"), on_delete=models.PROTECT, related_name="assignments"
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    started_at = models.DateTimeField(_("from"))
    ended_at = models.DateTimeField(_("until"), null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reassigned by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    end_reason = models.TextField(_("reason for reassigning"), blank=True)

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        ordering = ["started_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment"],
                condition=Q(ended_at__isnull=True),
                name="one_open_assignment_per_assessment",
            ),
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True) | Q(ended_at__gte=models.F("started_at")),
                name="assignment_period_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.assessment.reference}: {self.assessor}"


class AssessmentPlan(models.Model):
    """The header of FR.MAPA.01 (Merencanakan Aktivitas dan Proses Asesmen, 9.2.3-9.2.4), one per
    assessment: the approach (pendekatan), the purpose (tujuan), the context (konteks: the
    environment, the opportunity to gather evidence, who assesses), the people the plan is
    confirmed with (konfirmasi dengan orang yang relevan) and the agreed start time. The units'
    rows (evidence, methods, date, TUK) are the PlanItems; FR.AK.01 shows both for signing."""

    class Approach(models.TextChoices):
        TRAINING = "hasil_pelatihan", _("Candidate assessment / training outcome")
        PKT = "pkt", _("Recognition of current competency (PKT)")
        RPL = "rpl", _("Recognition of prior learning (RPL)")
        OTHER = "lainnya", _("Other")

    class Purpose(models.TextChoices):
        CERTIFICATION = "sertifikasi", _("Certification")
        PKT = "pkt", _("Recognition of current competency (PKT)")
        RPL = "rpl", _("Recognition of prior learning (RPL)")
        TRAINING = "hasil_pelatihan", _("Training outcome")
        OTHER = "lainnya", _("Other")

    class Environment(models.TextChoices):
        REAL = "nyata", _("Real workplace")
        SIMULATED = "simulasi", _("Simulated workplace")

    class Opportunity(models.TextChoices):
        AVAILABLE = "tersedia", _("Available")
        LIMITED = "terbatas", _("Limited")

    class AssessedBy(models.TextChoices):
        LSP = "lsp", _("The certification body (LSP)")
        TRAINING = "lembaga_pelatihan", _("A training organisation")
        COMPANY = "asesor_perusahaan", _("A company assessor")

    class Confirm(models.TextChoices):
        CERTIFICATION_MANAGER = "manajer_sertifikasi", _("LSP certification manager")
        LEAD_ASSESSOR = "master_asesor", _("Master assessor / lead assessor")
        TRAINING_MANAGER = "manajer_pelatihan", _("Training manager")
        OTHER = "lainnya", _("Other")

    assessment = models.OneToOneField(
        Assessment, on_delete=models.CASCADE, related_name="plan_header"
    )
    approach = models.CharField(_("assessment approach"), max_length=20, choices=Approach.choices)
    approach_other = models.CharField(_("other approach"), max_length=200, blank=True)
    purpose = models.CharField(
        _("purpose of the assessment"), max_length=20, choices=Purpose.choices
    )
    purpose_other = models.CharField(_("other purpose"), max_length=200, blank=True)
    environment = models.CharField(
        _("assessment environment"), max_length=10, choices=Environment.choices
    )
    evidence_opportunity = models.CharField(
        _("opportunity to gather evidence"), max_length=10, choices=Opportunity.choices
    )
    assessed_by = models.CharField(_("assessed by"), max_length=20, choices=AssessedBy.choices)
    confirm_with = models.JSONField(_("confirmed with"), default=list)
    confirm_with_other = models.CharField(_("confirmed with (other)"), max_length=200, blank=True)
    start_time = models.TimeField(_("start time"))

    class Meta:
        verbose_name = _("FR.MAPA.01 Merencanakan Aktivitas dan Proses Asesmen")
        verbose_name_plural = _("FR.MAPA.01 Merencanakan Aktivitas dan Proses Asesmen")

    def __str__(self) -> str:
        return f"FR.MAPA.01 {self.assessment}"

    def approach_label(self) -> str:
        if self.approach == self.Approach.OTHER and self.approach_other:
            return f"{self.get_approach_display()}: {self.approach_other}"
        return str(self.get_approach_display())

    def purpose_label(self) -> str:
        if self.purpose == self.Purpose.OTHER and self.purpose_other:
            return f"{self.get_purpose_display()}: {self.purpose_other}"
        return str(self.get_purpose_display())

    def confirm_labels(self) -> list[str]:
        labels = dict(self.Confirm.choices)
        shown = [str(labels.get(code, code)) for code in self.confirm_with]
        if self.confirm_with_other:
            shown.append(self.confirm_with_other)
        return shown


class PlanItem(models.Model):
    """FR.MAPA.01 for one unit: the kinds of evidence (L/TL/T), the methods (9.3.1), the planned
    duration, the date and the verified TUK (9.3.2); and its row of FR.MAPA.02 (Peta Instrumen
    Asesmen): the instruments used (codes of InstrumentKind, FR.IA.01 ...)."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="plan")
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT)
    methods = models.JSONField(_("methods"), default=list)
    evidence_kinds = models.JSONField(_("kinds of evidence"), default=list)
    instruments = models.JSONField(_("instruments (FR.MAPA.02)"), default=list)
    duration_minutes = models.PositiveSmallIntegerField(
        _("planned duration (minutes)"), null=True, blank=True
    )
    date = models.DateField(_("test date"), validators=[DateRangeValidator()])
    tuk = models.ForeignKey(TUK, verbose_name=_("TUK"), on_delete=models.PROTECT)

    class Meta:
        verbose_name = _("plan item")
        verbose_name_plural = _("assessment plan (FR.MAPA.01)")
        ordering = ["unit__number"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "unit"], name="one_plan_item_per_unit")
        ]

    def __str__(self) -> str:
        return f"{self.unit.code} {format_date(self.date)}"

    def method_labels(self) -> list[str]:
        return method_labels(self.methods)

    def evidence_kind_codes(self) -> list[str]:
        """The kinds in the form's order (L, TL, T), as FR.AK.01 marks them."""
        return [kind for kind in EvidenceKind.values if kind in self.evidence_kinds]

    def instrument_codes(self) -> list[str]:
        """The instruments in the forms' order (FR.IA.01 ... FR.IA.11)."""
        return instrument_codes_in_order(self.instruments)

    @property
    def observed(self) -> bool:
        """FR.IA.01 (the observation checklist per KUK) is planned for this unit."""
        return InstrumentKind.IA01 in self.instruments


class PlanDocument(RenderedPDF):
    """FR.MAPA.01 or FR.AK.01 of an assessment as the PDF LSPs print and file (rendered by
    Celery through lsp_portal.pdf, stored privately). Rendered again whenever what it shows
    changes: the plan is set again, a party signs FR.AK.01, the case is reassigned."""

    class Kind(models.TextChoices):
        MAPA01 = "mapa01", "FR.MAPA.01"
        AK01 = "ak01", "FR.AK.01"

    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="plan_documents"
    )
    kind = models.CharField(_("form"), max_length=10, choices=Kind.choices)

    pdf_template = "assessment/pdf/plan_document.html"

    class Meta:
        verbose_name = _("plan document (FR.MAPA.01, FR.AK.01)")
        verbose_name_plural = _("plan documents (FR.MAPA.01, FR.AK.01)")
        constraints = [
            models.UniqueConstraint(fields=["assessment", "kind"], name="one_plan_document_kind")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.assessment.reference}"

    def pdf_context(self) -> dict[str, Any]:
        return {"data": self.pdf_context_data()}

    def pdf_context_data(self) -> dict[str, Any]:
        from .documents import plan_document_data

        return plan_document_data(self)

    @property
    def filename(self) -> str:
        code = "FR.MAPA.01" if self.kind == self.Kind.MAPA01 else "FR.AK.01"
        return f"{code}-{self.assessment.reference}.pdf"


class VATMFields(models.Model):
    """The four rules of evidence (9.3.3): Valid, Asli, Terkini, Memadai."""

    valid = models.BooleanField(_("Valid"), default=False)
    authentic = models.BooleanField(_("Asli (authentic)"), default=False)
    current = models.BooleanField(_("Terkini (current)"), default=False)
    sufficient = models.BooleanField(_("Memadai (sufficient)"), default=False)

    class Meta:
        abstract = True

    @property
    def vatm_ok(self) -> bool:
        return self.valid and self.authentic and self.current and self.sufficient


class EvidenceReview(VATMFields):
    """9.2.5: the assessor's review against VATM of the FR-APL-02 evidence of one element, as
    the applicant answered it (registration/apl02.py); of one unit as a whole for applications
    answered per unit (`element` empty)."""

    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="evidence_reviews"
    )
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT)
    element = models.ForeignKey(
        Element,
        verbose_name=_("element"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("evidence review")
        verbose_name_plural = _("evidence reviews")
        ordering = ["unit__number", "element__number"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "unit"],
                condition=Q(element__isnull=True),
                name="one_review_per_unit",
            ),
            models.UniqueConstraint(
                fields=["assessment", "element"],
                condition=Q(element__isnull=False),
                name="one_review_per_element",
            ),
        ]

    def __str__(self) -> str:
        element = self.element
        where = self.unit.code if element is None else f"{self.unit.code} {element.number}"
        return f"{where} VATM={'ok' if self.vatm_ok else 'no'}"


class UnitResult(VATMFields):
    """9.3.1-9.3.4: the competency test of one unit: methods used, evidence observed, VATM, K/BK."""

    class Result(models.TextChoices):
        K = "K", _("K - Competent")
        BK = "BK", _("BK - Not yet competent")

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="results")
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT)
    methods = models.JSONField(_("methods used"), default=list)
    evidence_observed = models.TextField(_("evidence observed"))
    result = models.CharField(_("result"), max_length=2, choices=Result.choices)
    recorded_at = models.DateTimeField(_("recorded at"), auto_now=True)

    class Meta:
        verbose_name = _("unit result")
        verbose_name_plural = _("unit results")
        ordering = ["unit__number"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "unit"], name="one_result_per_unit"),
            # 9.3.3-9.3.4: K only when the evidence meets all four rules.
            models.CheckConstraint(
                condition=~Q(result="K")
                | Q(valid=True, authentic=True, current=True, sufficient=True),
                name="k_requires_vatm",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit.code}: {self.result}"

    def method_labels(self) -> list[str]:
        return method_labels(self.methods)


class RecordedEntry(models.Model):
    """Who recorded an entry of an instrument (the case's assessor) and when."""

    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"))

    class Meta:
        abstract = True


class ObservationRecord(RecordedEntry):
    """FR.IA.01 (Ceklis Observasi Aktivitas di Tempat Kerja atau Tempat Kerja Simulasi) for one
    KUK (kriteria unjuk kerja, a performance criterion of the application's pinned standard
    version): whether the assessor saw it achieved (Ya / Tidak) and a note (9.3.1, direct
    observation)."""

    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="observations"
    )
    kuk = models.ForeignKey(KUK, verbose_name=_("KUK"), on_delete=models.PROTECT, related_name="+")
    achieved = models.BooleanField(_("achieved"))
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("FR.IA.01 observation")
        verbose_name_plural = _("FR.IA.01 observations")
        ordering = ["kuk__position"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "kuk"], name="one_observation_per_kuk")
        ]

    def __str__(self) -> str:
        return f"FR.IA.01 {self.kuk.number}: {'Ya' if self.achieved else 'Tidak'}"


class ObservationComment(RecordedEntry):
    """FR.IA.01's general comment of the assessor on one unit's observation."""

    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="observation_comments"
    )
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT)
    comment = models.TextField(_("general comment"))

    class Meta:
        verbose_name = _("FR.IA.01 general comment")
        verbose_name_plural = _("FR.IA.01 general comments")
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "unit"], name="one_observation_comment_per_unit"
            )
        ]

    def __str__(self) -> str:
        return f"FR.IA.01 {self.unit.code}"


# The instruments recorded item by item from the pinned bank (InstrumentItem): the assessor writes
# what the candidate answered or did and judges it satisfactory or not. FR.IA.01 is recorded per KUK
# (ObservationRecord), FR.IA.08 per portfolio document (PortfolioCheck), FR.IA.10 per third party
# (ThirdPartyStatement); the written tests FR.IA.05/06 come with the online test.
ITEM_INSTRUMENTS = (
    InstrumentKind.IA02,
    InstrumentKind.IA03,
    InstrumentKind.IA04A,
    InstrumentKind.IA04B,
    InstrumentKind.IA07,
    InstrumentKind.IA09,
    InstrumentKind.IA11,
)


class InstrumentRecord(RecordedEntry):
    """The assessor's record of one item of the pinned instrument bank (FR.IA.02 practical task,
    FR.IA.03 supporting question, FR.IA.04A/B project, FR.IA.07 oral question, FR.IA.09
    interview question, FR.IA.11 product review): what the candidate answered or showed, and
    whether it is satisfactory (memuaskan) against the item's answer guide (9.3.1). A
    satisfactory record covers the KUK the item names (9.3.3)."""

    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="instrument_records"
    )
    item = models.ForeignKey(
        InstrumentItem,
        verbose_name=_("instrument item"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    response = models.TextField(_("the candidate's answer or work"), blank=True)
    satisfactory = models.BooleanField(_("satisfactory"))
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("instrument record")
        verbose_name_plural = _("instrument records")
        ordering = ["item__kind", "item__number"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "item"], name="one_record_per_item")
        ]

    def __str__(self) -> str:
        return f"{self.item.kind} {self.item.number}: {'Ya' if self.satisfactory else 'Tidak'}"


class PortfolioCheck(VATMFields, RecordedEntry):
    """FR.IA.08 (Ceklis Verifikasi Portofolio) for one piece of portfolio evidence of a unit:
    which document (one the applicant uploaded, or described when shown on paper), checked
    against VATM (9.3.3), and the KUK it shows. It covers those KUK when it meets all four
    rules."""

    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="portfolio_checks"
    )
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT)
    document = models.ForeignKey(
        "registration.Document",
        verbose_name=_("uploaded document"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    title = models.CharField(_("evidence"), max_length=255)
    kuks = models.ManyToManyField(KUK, verbose_name=_("KUK shown"), related_name="+")
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("FR.IA.08 portfolio check")
        verbose_name_plural = _("FR.IA.08 portfolio checks")
        ordering = ["unit__number", "recorded_at", "id"]

    def __str__(self) -> str:
        return f"FR.IA.08 {self.unit.code}: {self.title[:40]}"


class ThirdPartyStatement(RecordedEntry):
    """FR.IA.10 (Klarifikasi Bukti Pihak Ketiga) for one unit: the person who confirms the
    candidate's work (a supervisor, a lecturer, a client), how they know the candidate, how to
    reach them, what they stated, and whether it supports the KUK named (9.3.1, 9.3.3)."""

    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="third_party_statements"
    )
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT)
    person = models.CharField(_("name of the third party"), max_length=200)
    relation = models.CharField(_("position and relation to the candidate"), max_length=200)
    contact = models.CharField(_("telephone or e-mail"), max_length=200)
    statement = models.TextField(_("statement"))
    supports = models.BooleanField(_("supports the competence"))
    clarified_on = models.DateField(_("clarified on"), validators=[DateRangeValidator()])
    kuks = models.ManyToManyField(KUK, verbose_name=_("KUK confirmed"), related_name="+")

    class Meta:
        verbose_name = _("FR.IA.10 third-party statement")
        verbose_name_plural = _("FR.IA.10 third-party statements")
        ordering = ["unit__number", "recorded_at", "id"]

    def __str__(self) -> str:
        return f"FR.IA.10 {self.unit.code}: {self.person}"


class Feedback(models.Model):
    """FR-AK-03: the applicant's feedback on the assessment process."""

    QUESTIONS = [
        _("I received an adequate explanation of the assessment process."),
        _("I had the opportunity to study the competency standard and assess myself against it."),
        _("The assessor discussed the methods, instruments, resources and schedule with me."),
        _("The assessor sought all evidence matching my training and experience."),
        _("I was fully given the opportunity to demonstrate my competence."),
        _("I received an adequate explanation of the assessment decision."),
        _("The assessor gave supportive feedback after the assessment, with follow-up."),
        _("The assessor went through all assessment documents with me and we signed them."),
        _("I was assured of the confidentiality of the results and how documents are handled."),
        _("The assessor communicated effectively during the assessment."),
    ]

    assessment = models.OneToOneField(Assessment, on_delete=models.CASCADE, related_name="feedback")
    answers = models.JSONField(_("answers"), default=list)
    comment = models.TextField(_("comment"), blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), auto_now_add=True)

    class Meta:
        verbose_name = _("feedback (FR-AK-03)")
        verbose_name_plural = _("feedback (FR-AK-03)")

    def __str__(self) -> str:
        return f"FR-AK-03 {self.assessment}"

    def rows(self) -> list[dict[str, Any]]:
        return [
            {"question": question, "yes": answer.get("yes"), "comment": answer.get("comment", "")}
            for question, answer in zip(self.QUESTIONS, self.answers, strict=False)
        ]


class Adjustment(models.Model):
    """FR.AK.07, the checklist of reasonable and justified adjustments (Ceklis Penyesuaian yang
    Wajar dan Beralasan): recorded by the assessor before the competency test - whether the
    candidate needs an adjustment, which needs, the candidate's situation and what is adjusted
    (time, format of the questions, a reader or writer, equipment, place), agreed with the
    candidate. The adjustment changes how evidence is gathered, never the standard (9.3.1)."""

    class Need(models.TextChoices):
        LITERACY = "literasi", _("Reading or writing (literacy)")
        LANGUAGE = "bahasa", _("Language")
        HEARING = "pendengaran", _("Hearing")
        SIGHT = "penglihatan", _("Sight")
        MOBILITY = "fisik", _("Mobility or physical")
        LEARNING = "belajar", _("Learning difficulty")
        RELIGIOUS = "agama_budaya", _("Religious or cultural")
        OTHER = "lainnya", _("Other")

    assessment = models.OneToOneField(
        Assessment, on_delete=models.CASCADE, related_name="adjustment"
    )
    needed = models.BooleanField(_("reasonable adjustment needed"), default=False)
    needs = models.JSONField(_("needs"), default=list, blank=True)
    description = models.TextField(_("the candidate's situation"), blank=True)
    adjustments = models.TextField(_("adjustments made"), blank=True)
    agreed_with_candidate = models.BooleanField(_("agreed with the candidate"), default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("reasonable adjustment (FR.AK.07)")
        verbose_name_plural = _("reasonable adjustments (FR.AK.07)")

    def __str__(self) -> str:
        return f"FR.AK.07 {self.assessment}"

    def need_labels(self) -> list[str]:
        labels = dict(self.Need.choices)
        return [str(labels.get(code, code)) for code in self.needs]
