"""Certification decisions (9.4.1-9.4.5): the technical team, its meetings, minutes and decree.

Terms kept in Indonesian: Tim Teknis (the technical team that alone decides, 9.4.2), Berita Acara
(the minutes of its meeting, 9.4.4), SK - Surat Keputusan (the LSP director's decree, 9.4.5).
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any, Self

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from assessment.models import Assessment
from lsp_portal.accounts.roles import Role
from lsp_portal.dates import DateRangeValidator, format_date, format_datetime
from lsp_portal.pdf import RenderedPDF
from lsp_portal.transitions import Transition, Transitions

if TYPE_CHECKING:
    from lsp_portal.accounts.models import User


class TechnicalTeamMember(models.Model):
    """A member of the technical team, with what qualifies them to decide (9.4.3)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.PROTECT,
        related_name="technical_team_profile",
    )
    qualification = models.TextField(
        _("knowledge and certification experience (9.4.3)"),
        help_text=_("What qualifies this person to decide whether the requirements are met."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("technical team member")
        verbose_name_plural = _("technical team members")
        ordering = ["user__full_name"]

    def __str__(self) -> str:
        return self.user.full_name


class MeetingQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> Self:
        if user.has_role(Role.STAFF) or user.has_role(Role.DIRECTOR):
            return self
        if user.has_role(Role.TECHNICAL_TEAM):
            return self.filter(attendances__member__user=user).distinct()
        return self.none()


class Meeting(models.Model):
    """A technical-team meeting (9.4.4): planned -> held -> minutes_signed -> decree_issued."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        HELD = "held", _("In session")
        CLOSED = "closed", _("Closed, minutes to sign")
        MINUTES_SIGNED = "minutes_signed", _("Minutes signed")
        DECREE_ISSUED = "decree_issued", _("Decree issued")
        CANCELLED = "cancelled", _("Cancelled")

    # Every status change, by the audit action that records it (lsp_portal.transitions).
    TRANSITIONS = Transitions(
        "status",
        {
            "meeting.opened": Transition((Status.PLANNED,), Status.HELD),
            # During the session staff record attendance again (a member arrives or leaves).
            "meeting.attendance_updated": Transition((Status.HELD,), Status.HELD),
            # Nothing was decided (e.g. no quorum came).
            "meeting.cancelled": Transition((Status.PLANNED, Status.HELD), Status.CANCELLED),
            # 9.4.4: every case on the agenda decided; the minutes (Berita Acara) are generated.
            "meeting.closed": Transition((Status.HELD,), Status.CLOSED),
            # Every present member signed the minutes.
            "minutes.final": Transition((Status.CLOSED,), Status.MINUTES_SIGNED),
            # 9.4.5: the director signs the decree (SK); its own status moves with it.
            "decree.signed": Transition((Status.MINUTES_SIGNED,), Status.DECREE_ISSUED),
        },
    )

    title = models.CharField(_("title"), max_length=200)
    scheduled_at = models.DateTimeField(_("date and time"), validators=[DateRangeValidator()])
    location = models.CharField(_("place or online link"), max_length=300)
    is_online = models.BooleanField(_("online"), default=False)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PLANNED, db_index=True
    )
    quorum = models.PositiveSmallIntegerField(_("quorum"))
    planned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    opened_at = models.DateTimeField(_("opened at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    cancel_reason = models.TextField(_("reason for cancelling"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = MeetingQuerySet.as_manager()

    class Meta:
        verbose_name = _("technical team meeting")
        verbose_name_plural = _("technical team meetings")
        ordering = ["-scheduled_at"]

    def __str__(self) -> str:
        return f"{self.title} ({format_date(self.scheduled_at)})"

    def get_absolute_url(self) -> str:
        return reverse("decisions:meeting_detail", args=[self.pk])

    @property
    def reference(self) -> str:
        return f"RTT-{self.pk:05d}" if self.pk else "RTT-?"

    @property
    def opens_at(self) -> datetime.datetime:
        """The earliest moment the meeting may be opened: its scheduled time less
        MEETING_OPEN_EARLY_MINUTES (decisions.services.open_refusal)."""
        return self.scheduled_at - datetime.timedelta(minutes=settings.MEETING_OPEN_EARLY_MINUTES)

    def present_members(self) -> list[TechnicalTeamMember]:
        return [a.member for a in self.attendances.select_related("member__user") if a.present]

    def has_quorum(self) -> bool:
        return self.attendances.filter(present=True).count() >= self.quorum


class Attendance(models.Model):
    """A member invited to a meeting, and whether they were present."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendances")
    member = models.ForeignKey(
        TechnicalTeamMember, on_delete=models.PROTECT, related_name="attendances"
    )
    present = models.BooleanField(_("present"), null=True)

    class Meta:
        verbose_name = _("attendance")
        ordering = ["member__user__full_name"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "member"], name="one_attendance_per_member")
        ]

    def __str__(self) -> str:
        return f"{self.member} @ {self.meeting}"


class AgendaItem(models.Model):
    """A recommendation (9.3.5) put before the meeting."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda")
    assessment = models.ForeignKey(
        Assessment, on_delete=models.PROTECT, related_name="agenda_items"
    )
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("agenda item")
        ordering = ["order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "assessment"], name="case_once_per_meeting")
        ]

    def __str__(self) -> str:
        return f"{self.meeting.reference} #{self.order} {self.assessment}"


class ConflictDeclaration(models.Model):
    """A member's statement that they were involved with the applicant: they may not decide."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="conflicts")
    member = models.ForeignKey(TechnicalTeamMember, on_delete=models.PROTECT)
    assessment = models.ForeignKey(Assessment, on_delete=models.PROTECT, related_name="+")
    note = models.CharField(_("note"), max_length=500, blank=True)
    declared_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "member", "assessment"], name="one_conflict_declaration"
            )
        ]

    def __str__(self) -> str:
        return f"{self.member} / {self.assessment}"


class DecisionQuerySet(models.QuerySet):
    def published(self) -> Self:
        return self.filter(published_at__isnull=False)

    def for_applicant(self, user: User) -> Self:
        return self.published().filter(assessment__application__applicant=user)


class Decision(models.Model):
    """The technical team's certification decision on one assessment (9.4.1-9.4.2)."""

    class Result(models.TextChoices):
        K = "K", _("Competent")
        BK = "BK", _("Not yet competent")

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="decisions")
    assessment = models.OneToOneField(Assessment, on_delete=models.PROTECT, related_name="decision")
    result = models.CharField(_("decision"), max_length=2, choices=Result.choices)
    basis = models.TextField(_("basis of the decision"))
    against_recommendation_reason = models.TextField(
        _("reason for deciding against the recommendation"), blank=True
    )
    decided_by = models.ForeignKey(
        TechnicalTeamMember, verbose_name=_("recorded by"), on_delete=models.PROTECT
    )
    decided_at = models.DateTimeField(_("decided at"))
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    objects = DecisionQuerySet.as_manager()

    class Meta:
        verbose_name = _("certification decision")
        verbose_name_plural = _("certification decisions")
        ordering = ["meeting", "assessment__application__full_name"]
        constraints = [
            models.CheckConstraint(condition=~Q(basis=""), name="decision_has_basis"),
        ]

    def __str__(self) -> str:
        return f"{self.assessment.application.full_name}: {self.result}"

    def get_absolute_url(self) -> str:
        return reverse("decisions:my_decision", args=[self.pk])

    @property
    def appeal_deadline(self) -> datetime.datetime | None:
        """9.9.2: an appeal is possible until this moment (publication + the appeal window)."""
        if not self.published_at:
            return None
        return self.published_at + datetime.timedelta(hours=settings.APPEAL_WINDOW_HOURS)

    @property
    def against_recommendation(self) -> bool:
        return self.result != self.assessment.recommendation


class Minutes(RenderedPDF):
    """Berita Acara (9.4.4): generated when the meeting closes; final once every present member
    has signed, then read-only."""

    meeting = models.OneToOneField(Meeting, on_delete=models.PROTECT, related_name="minutes")
    created_at = models.DateTimeField(auto_now_add=True)
    final_at = models.DateTimeField(_("final at"), null=True, blank=True)

    pdf_template = "decisions/pdf/minutes.html"

    class Meta:
        verbose_name = _("minutes (Berita Acara)")
        verbose_name_plural = _("minutes (Berita Acara)")

    def __str__(self) -> str:
        return f"Berita Acara {self.meeting.reference}"

    def pdf_context(self) -> dict[str, Any]:
        from .documents import minutes_context

        return minutes_context(self)

    def pdf_context_data(self) -> dict[str, Any]:
        from .documents import minutes_data

        return minutes_data(self)


class MinutesSignature(models.Model):
    minutes = models.ForeignKey(Minutes, on_delete=models.CASCADE, related_name="signatures")
    member = models.ForeignKey(TechnicalTeamMember, on_delete=models.PROTECT)
    signed_at = models.DateTimeField(_("signed at"))

    class Meta:
        ordering = ["signed_at"]
        constraints = [
            models.UniqueConstraint(fields=["minutes", "member"], name="one_signature_per_member")
        ]

    def __str__(self) -> str:
        return f"{self.member} {format_datetime(self.signed_at)}"


class Decree(RenderedPDF):
    """The LSP decree (Surat Keputusan, 9.4.5), drafted from final minutes and signed by the
    director. Its number is given when it is signed: a running number per year."""

    number_pattern_setting = "DECREE_NUMBER_PATTERN"  # see Certificate
    number_date_field = "signed_at"

    @staticmethod
    def number_counter() -> type[models.Model]:
        return DecreeCounter

    def number_fields(self) -> dict[str, str]:
        return {}

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SIGNED = "signed", _("Signed")

    minutes = models.OneToOneField(Minutes, on_delete=models.PROTECT, related_name="decree")
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    sequence = models.PositiveIntegerField(_("running number"), null=True, blank=True)
    number = models.CharField(_("decree number"), max_length=80, unique=True, null=True, blank=True)
    drafted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    drafted_at = models.DateTimeField(_("drafted at"), auto_now_add=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    signed_at = models.DateTimeField(_("signed at"), null=True, blank=True)

    pdf_template = "decisions/pdf/decree.html"

    class Meta:
        verbose_name = _("decree (SK)")
        verbose_name_plural = _("decrees (SK)")
        ordering = ["-drafted_at"]
        constraints = [
            models.UniqueConstraint(fields=["year", "sequence"], name="decree_sequence_per_year"),
        ]

    def __str__(self) -> str:
        return self.number or f"SK draft {self.pk}"

    def pdf_context(self) -> dict[str, Any]:
        from .documents import decree_context

        return decree_context(self)

    def pdf_context_data(self) -> dict[str, Any]:
        from .documents import decree_data

        return decree_data(self)


class DecreeCounter(models.Model):
    """The last decree number used in a year; locked while a decree is signed (no repeats)."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"
