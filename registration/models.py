"""Schemes (the catalogue) and applications for certification (FR-APL-01, FR-APL-02).

Terms kept in Indonesian: asesi (the applicant), FR-APL-01 (the application form, 9.1.2), FR-APL-02
(the self-assessment form, 9.1.3), K/BK (Kompeten / Belum Kompeten: competent / not yet competent),
KTP (national identity card, carrying the 16-digit NIK), KTM (student card)."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any, Self

from django.conf import settings
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models, transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from lsp_portal.accounts.roles import Role
from lsp_portal.dates import DateRangeValidator
from lsp_portal.files import private_storage
from lsp_portal.transitions import Transition, Transitions

if TYPE_CHECKING:
    from lsp_portal.accounts.models import User


# --------------------------------------------------------------------------------------------
# Catalogue: the scheme document as data
# --------------------------------------------------------------------------------------------


class SchemeQuerySet(models.QuerySet):
    def open_for_applications(self) -> Self:
        return self.filter(is_open=True)


class Scheme(models.Model):
    """A certification scheme (skema sertifikasi): all that 9.1.1 says the LSP must publish."""

    code = models.SlugField(
        _("code"), max_length=40, unique=True, help_text=_("Short code used in addresses.")
    )
    document_number = models.CharField(_("document number"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=200)
    scheme_type = models.CharField(_("scheme type"), max_length=40, default="Klaster")
    summary = models.TextField(_("summary"), blank=True)
    approved_on = models.DateField(
        _("approved on"), null=True, blank=True, validators=[DateRangeValidator()]
    )
    fee = models.PositiveIntegerField(_("fee (Rupiah)"), help_text=_("8.1"))
    validity_years = models.PositiveSmallIntegerField(
        _("certificate validity (years)"), default=3, validators=[MinValueValidator(1)]
    )
    # 6.1: study programme(s) accepted, one per line.
    eligible_study_programmes = models.TextField(
        _("eligible study programmes"), help_text=_("One per line (6.1).")
    )
    # 6.2: minimum hours of work or internship in the listed fields.
    min_experience_hours = models.PositiveIntegerField(_("minimum experience hours"), default=0)
    experience_requirement = models.CharField(
        _("experience requirement"), max_length=300, blank=True, help_text=_("6.2, as published.")
    )
    is_open = models.BooleanField(_("open for applications"), default=True)

    objects = SchemeQuerySet.as_manager()

    class Meta:
        verbose_name = _("scheme")
        verbose_name_plural = _("schemes")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("registration:scheme_detail", args=[self.code])

    def study_programme_list(self) -> list[str]:
        return [
            line.strip() for line in self.eligible_study_programmes.splitlines() if line.strip()
        ]

    def current_standard(self) -> StandardVersion | None:
        """The newest version of the scheme's competency standard (elements and KUK), if any."""
        return self.standard_versions.order_by("-number").first()


class Unit(models.Model):
    """A competency unit (unit kompetensi) of a scheme (5.2)."""

    scheme = models.ForeignKey(
        Scheme, verbose_name=_("scheme"), on_delete=models.CASCADE, related_name="units"
    )
    number = models.PositiveSmallIntegerField(_("number"))
    code = models.CharField(_("unit code"), max_length=40)
    title = models.CharField(_("unit title"), max_length=200)

    class Meta:
        verbose_name = _("competency unit")
        verbose_name_plural = _("competency units")
        ordering = ["scheme", "number"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "code"], name="unit_code_unique_per_scheme"),
            models.UniqueConstraint(
                fields=["scheme", "number"], name="unit_number_unique_per_scheme"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class StandardVersion(models.Model):
    """One version of a scheme's competency standard: the elements (elemen kompetensi) of each
    unit and their KUK (kriteria unjuk kerja, the performance criteria), as in the SKKNI the
    scheme refers to (5.2). Versions are never changed or deleted: an import adds the next one,
    so that what an assessment was held against stays known. `is_sample` marks texts written to
    make the portal work end to end, not the official ones."""

    # A scheme is deleted only while nothing refers to it (the generator's clean-up of its own
    # schemes); the unit's RESTRICT below keeps a unit from being deleted alone.
    scheme = models.ForeignKey(
        Scheme,
        verbose_name=_("scheme"),
        on_delete=models.CASCADE,
        related_name="standard_versions",
    )
    number = models.PositiveIntegerField(_("version"))
    is_sample = models.BooleanField(_("sample texts"), default=False)
    source_name = models.CharField(_("imported file"), max_length=255, blank=True)
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("competency standard version")
        verbose_name_plural = _("competency standard versions")
        ordering = ["scheme", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["scheme", "number"], name="standard_version_unique_per_scheme"
            )
        ]

    def __str__(self) -> str:
        return f"{self.scheme.code} v{self.number}"


class Element(models.Model):
    """An element (elemen kompetensi) of a unit, in one version of the standard."""

    version = models.ForeignKey(
        StandardVersion,
        verbose_name=_("version"),
        on_delete=models.CASCADE,
        related_name="elements",
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("competency unit"), on_delete=models.RESTRICT, related_name="+"
    )
    number = models.PositiveSmallIntegerField(_("number"), validators=[MinValueValidator(1)])
    title = models.CharField(_("element"), max_length=500)

    class Meta:
        verbose_name = _("element")
        verbose_name_plural = _("elements")
        ordering = ["unit__number", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "unit", "number"], name="element_number_unique_per_unit"
            )
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"


class KUK(models.Model):
    """A KUK (kriteria unjuk kerja: a performance criterion) of an element, numbered "1.1",
    "1.2", ... after its element."""

    element = models.ForeignKey(
        Element, verbose_name=_("element"), on_delete=models.CASCADE, related_name="kuks"
    )
    number = models.CharField(_("number"), max_length=20)
    text = models.TextField(_("performance criterion"))
    position = models.PositiveIntegerField(_("position"))

    class Meta:
        verbose_name = _("performance criterion (KUK)")
        verbose_name_plural = _("performance criteria (KUK)")
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["element", "number"], name="kuk_number_unique")
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.text[:60]}"


class RequiredCourse(models.Model):
    """A course the applicant must have completed (6.1 a-c)."""

    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="required_courses")
    number = models.PositiveSmallIntegerField(_("number"))
    name = models.CharField(_("course"), max_length=120)

    class Meta:
        verbose_name = _("required course")
        verbose_name_plural = _("required courses")
        ordering = ["scheme", "number"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "name"], name="course_unique_per_scheme")
        ]

    def __str__(self) -> str:
        return self.name


class ExperienceField(models.Model):
    """A field of work or internship whose hours count toward 6.2."""

    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="experience_fields")
    name = models.CharField(_("field"), max_length=120)

    class Meta:
        verbose_name = _("relevant experience field")
        verbose_name_plural = _("relevant experience fields")
        ordering = ["scheme", "name"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "name"], name="field_unique_per_scheme")
        ]

    def __str__(self) -> str:
        return self.name


class RequiredDocument(models.Model):
    """A document FR-APL-01 must carry (9.1.2 a-d), e.g. three 3x4 photos."""

    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="required_documents")
    number = models.PositiveSmallIntegerField(_("number"))
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("document"), max_length=200)
    section = models.CharField(_("scheme section"), max_length=20, blank=True)
    quantity = models.PositiveSmallIntegerField(
        _("number of files"), default=1, validators=[MinValueValidator(1)]
    )
    images_only = models.BooleanField(_("images only"), default=False)

    class Meta:
        verbose_name = _("required document")
        verbose_name_plural = _("required documents")
        ordering = ["scheme", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["scheme", "code"], name="document_code_unique_per_scheme"
            )
        ]

    def __str__(self) -> str:
        return self.name


class SchemeClause(models.Model):
    """A published clause of the scheme: rights (7.1), obligations (7.2), process (9.x), use
    (9.8)..."""

    class Kind(models.TextChoices):
        PROCESS = "process", _("Certification process")
        RIGHT = "right", _("Rights of the applicant")
        OBLIGATION = "obligation", _("Obligations of the certificate holder")
        USE = "use", _("Use of the certificate")
        APPEAL = "appeal", _("Appeals")
        TERMS = "terms", _("Terms the applicant agrees to")

    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="clauses")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    section = models.CharField(_("section"), max_length=20)
    text = models.TextField(_("text"))
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("scheme clause")
        verbose_name_plural = _("scheme clauses")
        ordering = ["scheme", "kind", "order"]

    def __str__(self) -> str:
        return f"{self.section} {self.text[:60]}"


# --------------------------------------------------------------------------------------------
# Applications
# --------------------------------------------------------------------------------------------


class ApplicationQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> Self:
        """Applicants see their own; LSP staff see every application; later stages add their
        people through registration.hooks (e.g. the assessor assigned to the case)."""
        from . import hooks

        if not user.is_authenticated:
            return self.none()
        if user.has_role(Role.STAFF):
            return self
        condition = Q(pk__in=[])
        if user.has_role(Role.APPLICANT):
            condition |= Q(applicant=user)
        for extra in hooks.visibility:
            extra_condition = extra(user)
            if extra_condition is not None:
                condition |= extra_condition
        return self.filter(condition).distinct()

    def active(self) -> Self:
        return self.exclude(status__in=Application.CLOSED_STATUSES)


class Application(models.Model):
    """An application for certification: FR-APL-01 (9.1.2) with its FR-APL-02 (9.1.3).

    draft -> submitted -> {revision_requested -> submitted, rejected, eligible}; withdrawn from
    draft/submitted/revision_requested. See services.py for every transition.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        REVISION_REQUESTED = "revision_requested", _("Revision requested")
        ELIGIBLE = "eligible", _("Eligible")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    class Gender(models.TextChoices):
        MALE = "L", _("Male")
        FEMALE = "P", _("Female")

    CLOSED_STATUSES = (Status.REJECTED, Status.WITHDRAWN)
    # FR-APL-01 parts a (personal) and b (education): all required before submission.
    PERSONAL_FIELDS = (
        "full_name",
        "nik",
        "birth_place",
        "birth_date",
        "gender",
        "address",
        "phone",
        "email",
        "university",
        "study_programme",
        "student_number",
        "semester",
    )
    EDITABLE_STATUSES = (Status.DRAFT, Status.REVISION_REQUESTED)
    # Every status change, by the audit action that records it (lsp_portal.transitions).
    TRANSITIONS = Transitions(
        "status",
        {
            "application.submitted": Transition(EDITABLE_STATUSES, Status.SUBMITTED),
            "application.withdrawn": Transition(
                (Status.DRAFT, Status.SUBMITTED, Status.REVISION_REQUESTED), Status.WITHDRAWN
            ),
            # 9.1.6: the staff review of a submitted application.
            "application.eligible": Transition((Status.SUBMITTED,), Status.ELIGIBLE),
            "application.revision_requested": Transition(
                (Status.SUBMITTED,), Status.REVISION_REQUESTED
            ),
            "application.rejected": Transition((Status.SUBMITTED,), Status.REJECTED),
        },
    )

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("applicant"),
        on_delete=models.PROTECT,
        related_name="applications",
    )
    scheme = models.ForeignKey(
        Scheme, verbose_name=_("scheme"), on_delete=models.PROTECT, related_name="applications"
    )
    # The version of the competency standard the FR-APL-02 is answered against (9.1.3), pinned
    # when the application is opened: a later import (a new version) does not change its
    # questions. None for applications answered per unit before the standard existed.
    standard = models.ForeignKey(
        StandardVersion,
        verbose_name=_("competency standard version"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="applications",
    )
    status = models.CharField(
        _("status"), max_length=24, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    # FR-APL-01 a: personal data
    full_name = models.CharField(_("full name"), max_length=150, blank=True)
    nik = models.CharField(
        _("NIK"),
        max_length=16,
        blank=True,
        validators=[RegexValidator(r"^\d{16}$", _("The NIK has exactly 16 digits."))],
        help_text=_("The 16-digit population number on your KTP."),
    )
    birth_place = models.CharField(_("place of birth"), max_length=100, blank=True)
    birth_date = models.DateField(
        _("date of birth"), null=True, blank=True, validators=[DateRangeValidator("birth")]
    )
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices, blank=True)
    address = models.TextField(_("address"), blank=True)
    phone = models.CharField(
        _("phone"),
        max_length=20,
        blank=True,
        validators=[
            RegexValidator(
                r"^\+?[0-9][0-9 \-]{7,18}$", _("Enter a phone number such as 0812 3456 7890.")
            )
        ],
    )
    email = models.EmailField(_("e-mail"), blank=True)
    # FR-APL-01 b: education
    university = models.CharField(_("university"), max_length=150, blank=True)
    study_programme = models.CharField(_("study programme"), max_length=120, blank=True)
    student_number = models.CharField(_("student number (NIM)"), max_length=30, blank=True)
    semester = models.PositiveSmallIntegerField(
        _("semester"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    completed_courses = models.ManyToManyField(
        RequiredCourse, verbose_name=_("completed courses"), blank=True, related_name="+"
    )
    # 9.1.5: the applicant's agreement, and the review (9.1.6)
    agreed_at = models.DateTimeField(_("agreed to the terms at"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    submission_count = models.PositiveSmallIntegerField(default=0)
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    review_note = models.TextField(_("review note"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ApplicationQuerySet.as_manager()

    class Meta:
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["applicant", "scheme"],
                condition=~Q(status__in=["rejected", "withdrawn"]),
                name="one_active_application_per_scheme",
            ),
            models.CheckConstraint(
                condition=Q(nik="") | Q(nik__regex=r"^[0-9]{16}$"), name="nik_16_digits"
            ),
        ]
        indexes = [
            # The staff review queue: one status, oldest submission first, a page at a time.
            models.Index(
                fields=["status", "submitted_at", "created_at"], name="application_queue_idx"
            ),
            # ... and filtered by scheme (searching by name reads only that scheme's rows).
            models.Index(
                fields=["status", "scheme", "submitted_at", "created_at"],
                name="application_queue_scheme_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.full_name or self.applicant}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        super().save(*args, **kwargs)
        from django.core.cache import cache

        transaction.on_commit(lambda: cache.delete(self.STATUS_COUNTS_KEY))

    def get_absolute_url(self) -> str:
        return reverse("registration:application_detail", args=[self.pk])

    STATUS_COUNTS_KEY = "application-status-counts:v1"

    @classmethod
    def status_counts(cls) -> dict[str, int]:
        """Applications per status, for the review queue's tabs: counting 100,000 rows takes
        15 ms, so the counts are cached until an application is saved (or 60 s at most)."""
        from django.core.cache import cache

        counts: dict[str, int] | None = cache.get_or_set(
            cls.STATUS_COUNTS_KEY,
            lambda: dict(cls.objects.values_list("status").annotate(n=Count("id")).order_by()),
            60,
        )
        return counts or {}

    @property
    def reference(self) -> str:
        return f"APL-{self.pk:06d}" if self.pk else "APL-?"

    @property
    def is_editable(self) -> bool:
        return self.status in self.EDITABLE_STATUSES

    def relevant_experience_hours(self) -> int:
        return sum(e.hours for e in self.experiences.all() if e.field_id is not None)


class Experience(models.Model):
    """A period of work or internship (FR-APL-01, counted toward 6.2 when in a relevant field)."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="experiences"
    )
    organisation = models.CharField(_("organisation"), max_length=150)
    field = models.ForeignKey(
        ExperienceField,
        verbose_name=_("field"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        help_text=_("Leave empty when the work was in another field; its hours do not count."),
    )
    role = models.CharField(_("position / activity"), max_length=150)
    start_date = models.DateField(_("start date"), validators=[DateRangeValidator("history")])
    end_date = models.DateField(_("end date"), validators=[DateRangeValidator("history")])
    hours = models.PositiveIntegerField(_("hours"))

    class Meta:
        verbose_name = _("work or internship experience")
        verbose_name_plural = _("work or internship experience")
        ordering = ["start_date", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=models.F("start_date")), name="experience_dates_ordered"
            ),
            models.CheckConstraint(condition=Q(hours__gte=0), name="experience_hours_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} ({self.hours} h)"


def upload_to(instance: Document, filename: str) -> str:
    # The stored name is random: never the user's file name (no traversal, no guessing).
    return f"applications/{instance.application.public_id}/{uuid.uuid4().hex}.{instance.extension}"


class Document(models.Model):
    """An uploaded file: a required FR-APL-01 document, or FR-APL-02 evidence for a unit."""

    class ContentType(models.TextChoices):
        PDF = "application/pdf", "PDF"
        JPEG = "image/jpeg", "JPEG"
        PNG = "image/png", "PNG"

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="documents")
    requirement = models.ForeignKey(
        RequiredDocument,
        verbose_name=_("required document"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Empty for evidence uploaded with the self-assessment (FR-APL-02)."),
    )
    file = models.FileField(storage=private_storage, upload_to=upload_to, max_length=255)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(max_length=40, choices=ContentType.choices)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["requirement__number", "uploaded_at", "id"]

    def __str__(self) -> str:
        label = self.requirement.name if self.requirement is not None else _("Evidence")
        return f"{label}: {self.original_name}"

    def get_absolute_url(self) -> str:
        return reverse("registration:document_file", args=[self.pk])

    @property
    def extension(self) -> str:
        return {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}[
            self.content_type
        ]

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


class SelfAssessment(models.Model):
    """FR-APL-02 (9.1.3): the applicant's own K/BK, with evidence and a note, for one element of
    a unit ("Dapatkah saya ...?", judged against the element's KUK) in the version of the
    standard pinned to the application. Applications opened before the standard was kept (no
    pinned version) hold one answer per unit instead (`element` empty); both stay readable."""

    class Answer(models.TextChoices):
        K = "K", _("K - Competent")
        BK = "BK", _("BK - Not yet competent")

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="self_assessments"
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
    answer = models.CharField(_("self-assessment"), max_length=2, choices=Answer.choices)
    evidence = models.ForeignKey(
        Document,
        verbose_name=_("evidence"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="self_assessments",
    )
    note = models.CharField(_("note"), max_length=500, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("self-assessment (FR-APL-02)")
        verbose_name_plural = _("self-assessments (FR-APL-02)")
        ordering = ["unit__number", "element__number"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "unit"],
                condition=Q(element__isnull=True),
                name="one_answer_per_unit",
            ),
            models.UniqueConstraint(
                fields=["application", "element"],
                condition=Q(element__isnull=False),
                name="one_answer_per_element",
            ),
        ]

    def __str__(self) -> str:
        element = self.element
        if element is None:
            return f"{self.unit.code}: {self.answer}"
        return f"{self.unit.code} {element.number}: {self.answer}"
