"""Appeals (9.9): the applicant's appeal form (FR-AK-04) against a published decision, the
independent appeal team, the two deadlines from receipt, the director's answer and its letter.

Status: submitted -> under_review (a team is appointed, 9.9.4) -> answered (by the director,
9.9.8.c; final and binding, 9.9.7). An upheld appeal (unfair treatment found) reopens the
application for a new assessment attempt (9.9.8.d).
"""

from __future__ import annotations

import datetime
import uuid
from typing import TYPE_CHECKING, Any, Self

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from decisions.models import Decision
from lsp_portal.accounts.roles import Role
from lsp_portal.files import private_storage
from lsp_portal.pdf import RenderedPDF
from lsp_portal.transitions import Transition, Transitions
from registration.models import Application

if TYPE_CHECKING:
    from lsp_portal.accounts.models import User


class AppealQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> Self:
        if user.has_role(Role.STAFF) or user.has_role(Role.DIRECTOR):
            return self
        condition = Q(appellant=user)
        if user.has_role(Role.APPEAL_TEAM):
            condition |= Q(team__user=user)
        return self.filter(condition).distinct()

    def open(self) -> Self:
        return self.exclude(status=Appeal.Status.ANSWERED)


class Appeal(models.Model):
    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Received")
        UNDER_REVIEW = "under_review", _("Under review by the appeal team")
        ANSWERED = "answered", _("Answered")

    # Every status change, by the audit action that records it (lsp_portal.transitions).
    TRANSITIONS = Transitions(
        "status",
        {
            # 9.9.4: the first member appointed starts the review; more may follow.
            "appeal.member_appointed": Transition(
                (Status.SUBMITTED, Status.UNDER_REVIEW), Status.UNDER_REVIEW
            ),
            # 9.9.8.c: the director's answer, final and binding (9.9.7).
            "appeal.answered": Transition((Status.UNDER_REVIEW,), Status.ANSWERED),
        },
    )

    class Outcome(models.TextChoices):
        UPHELD = "upheld", _("Upheld")
        DISMISSED = "dismissed", _("Dismissed")

    decision = models.OneToOneField(Decision, on_delete=models.PROTECT, related_name="appeal")
    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="appeals")
    appellant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="appeals"
    )
    status = models.CharField(
        _("status"), max_length=15, choices=Status.choices, default=Status.SUBMITTED
    )
    # FR-AK-04 (9.9.3)
    process_explained = models.BooleanField(
        _("Was the appeal process explained to you?"), default=False
    )
    discussed_with_assessor = models.BooleanField(
        _("Did you discuss the appeal with the assessor?"), default=False
    )
    involve_other_person = models.BooleanField(
        _("Do you want another person to be involved in the appeal process?"), default=False
    )
    other_person = models.CharField(_("who"), max_length=200, blank=True)
    reasons = models.TextField(_("reasons for the appeal"))
    received_at = models.DateTimeField(_("received at"))
    completion_due = models.DateField(_("process completed by (7 days, 9.9.8.e)"))
    decision_due = models.DateField(_("appeal decided by (14 working days, 9.9.6)"))
    # The director's answer (9.9.8.c)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices, blank=True)
    answer = models.TextField(_("reasons for the answer"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    reassessment_opened_at = models.DateTimeField(
        _("reassessment opened at"), null=True, blank=True
    )

    objects = AppealQuerySet.as_manager()

    class Meta:
        verbose_name = _("appeal")
        verbose_name_plural = _("appeals")
        ordering = ["completion_due", "decision_due", "received_at"]
        constraints = [
            models.CheckConstraint(condition=~Q(reasons=""), name="appeal_has_reasons"),
            models.CheckConstraint(
                condition=~Q(status="answered")
                | (~Q(outcome="") & ~Q(answer="") & Q(answered_at__isnull=False)),
                name="answered_appeal_has_answer",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.application.full_name}"

    def get_absolute_url(self) -> str:
        return reverse("appeals:detail", args=[self.pk])

    @property
    def reference(self) -> str:
        return f"BND-{timezone.localtime(self.received_at):%Y}-{self.pk:04d}"

    @property
    def is_open(self) -> bool:
        return self.status != self.Status.ANSWERED

    def days_left(self, due: datetime.date) -> int:
        """Calendar days until `due` (0: due today; negative: overdue), in Asia/Jakarta."""
        return (due - timezone.localdate()).days

    @property
    def deadlines(self) -> list[dict[str, Any]]:
        """Both deadlines with the days left (negative: overdue), for pages and e-mails."""
        return [
            {
                "key": key,
                "label": label,
                "due": due,
                "left": self.days_left(due),
                "overdue_by": max(0, -self.days_left(due)),
                "met": met,
            }
            for key, label, due, met in (
                (
                    "completion",
                    _("Process completed (7 days, 9.9.8.e)"),
                    self.completion_due,
                    self.within_completion,
                ),
                (
                    "decision",
                    _("Appeal decided (14 working days, 9.9.6)"),
                    self.decision_due,
                    self.within_decision,
                ),
            )
        ]

    @property
    def answered_on(self) -> datetime.date | None:
        return timezone.localdate(self.answered_at) if self.answered_at else None

    @property
    def within_completion(self) -> bool:
        return self.answered_on is not None and self.answered_on <= self.completion_due

    @property
    def within_decision(self) -> bool:
        return self.answered_on is not None and self.answered_on <= self.decision_due


def attachment_upload_to(instance: Attachment, filename: str) -> str:
    # A random stored name: never the user's file name.
    ext = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}[instance.content_type]
    return f"appeals/{instance.appeal_id}/{uuid.uuid4().hex}.{ext}"


class Attachment(models.Model):
    """A file attached to the appeal form (PDF, JPEG or PNG, checked by content)."""

    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(storage=private_storage, upload_to=attachment_upload_to, max_length=255)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("appeal attachment")
        verbose_name_plural = _("appeal attachments")
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.original_name


class TeamMember(models.Model):
    """A member of the appeal team appointed to one appeal (9.9.4)."""

    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="team")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="appeal_appointments"
    )
    appointed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    appointed_at = models.DateTimeField(_("appointed at"))

    class Meta:
        verbose_name = _("appeal team member")
        verbose_name_plural = _("appeal team members")
        ordering = ["appointed_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["appeal", "user"], name="appointed_once_per_appeal")
        ]

    def __str__(self) -> str:
        return self.user.full_name


class Finding(models.Model):
    """An appeal-team member's finding after examining the reasons (9.9.8.c), with the outcome
    they recommend to the director."""

    member = models.OneToOneField(TeamMember, on_delete=models.CASCADE, related_name="finding")
    text = models.TextField(_("finding"))
    recommendation = models.CharField(
        _("recommended outcome"), max_length=10, choices=Appeal.Outcome.choices
    )
    recorded_at = models.DateTimeField(_("recorded at"))

    class Meta:
        verbose_name = _("appeal team finding")
        verbose_name_plural = _("appeal team findings")
        ordering = ["recorded_at"]
        constraints = [models.CheckConstraint(condition=~Q(text=""), name="finding_has_text")]

    def __str__(self) -> str:
        return f"{self.member}: {self.get_recommendation_display()}"


class Notice(models.Model):
    """A deadline reminder or escalation, recorded once per appeal and kind: however often the
    periodic task runs, each is sent once."""

    class Kind(models.TextChoices):
        COMPLETION_SOON = "completion_soon", _("7-day completion due in 2 days")
        DECISION_SOON = "decision_soon", _("14-working-day decision due in 2 days")
        COMPLETION_OVERDUE = "completion_overdue", _("7-day completion overdue")
        DECISION_OVERDUE = "decision_overdue", _("14-working-day decision overdue")

    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="notices")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["appeal", "kind"], name="one_notice_per_kind")
        ]

    def __str__(self) -> str:
        return f"{self.appeal.reference} {self.kind}"


class AnswerLetter(RenderedPDF):
    """The director's answer letter (9.9.8.c), numbered per year, rendered by Celery."""

    number_pattern_setting = "ANSWER_LETTER_NUMBER_PATTERN"  # see certificates' Certificate
    number_date_field = "created_at"

    @staticmethod
    def number_counter() -> type[models.Model]:
        return AnswerLetterCounter

    def number_fields(self) -> dict[str, str]:
        return {}

    appeal = models.OneToOneField(Appeal, on_delete=models.PROTECT, related_name="letter")
    year = models.PositiveSmallIntegerField()
    sequence = models.PositiveIntegerField()
    number = models.CharField(_("letter number"), max_length=80, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    pdf_template = "appeals/pdf/answer.html"

    class Meta:
        verbose_name = _("appeal answer letter")
        verbose_name_plural = _("appeal answer letters")
        constraints = [
            models.UniqueConstraint(fields=["year", "sequence"], name="letter_sequence_per_year")
        ]

    def __str__(self) -> str:
        return self.number

    def pdf_context(self) -> dict[str, Any]:
        from .documents import answer_context

        return answer_context(self)

    def pdf_context_data(self) -> dict[str, Any]:
        from .documents import answer_data

        return answer_data(self)


class AnswerLetterCounter(models.Model):
    year = models.PositiveSmallIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"
