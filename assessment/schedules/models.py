"""An assessment event (Schedule) and its candidates (ScheduleCandidate).

An event takes place at a TUK verified on its date (9.3.2), with assessors registered for the
scheme on that date (9.2.2); eligible applications (9.1.6) take its seats up to the quota, each
candidate assessed by one of the event's assessors. KODE JADWAL is the code BNSP gives the event.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from registration.models import Application, Scheme


class ScheduleQuerySet(models.QuerySet):
    def active(self) -> ScheduleQuerySet:
        return self.filter(cancelled_at__isnull=True)

    def open_for_registration(self, on_date=None) -> ScheduleQuerySet:
        """Not cancelled, inside the registration window on `on_date` (seats are counted by the
        caller: `with_counts`)."""
        on_date = on_date or timezone.localdate()
        return self.active().filter(
            registration_opens__lte=on_date, registration_closes__gte=on_date
        )

    def with_counts(self) -> ScheduleQuerySet:
        return self.annotate(
            candidate_count=models.Count("candidates", filter=Q(candidates__is_active=True))
        )


class Schedule(models.Model):
    """An assessment event (jadwal uji kompetensi)."""

    class Mode(models.TextChoices):
        ON_SITE = "on_site", _("On site")
        REMOTE = "remote", _("Remote")

    class Funding(models.TextChoices):
        """BNSP's funding source codes (sumber anggaran)."""

        APBN = "01", _("01 APBN")
        APBD = "02", _("02 APBD")
        COMPANY = "03", _("03 Company (Perusahaan)")
        SELF = "04", _("04 Self-funded (Mandiri)")

    scheme = models.ForeignKey(
        Scheme, verbose_name=_("scheme"), on_delete=models.PROTECT, related_name="schedules"
    )
    tuk = models.ForeignKey(
        "assessment.TUK", verbose_name=_("TUK"), on_delete=models.PROTECT, related_name="schedules"
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    mode = models.CharField(_("mode"), max_length=10, choices=Mode.choices, default=Mode.ON_SITE)
    meeting_link = models.URLField(_("meeting link"), blank=True)
    assessors = models.ManyToManyField(
        "assessment.Assessor", verbose_name=_("assessors"), related_name="schedules"
    )
    quota = models.PositiveIntegerField(_("quota"), validators=[MinValueValidator(1)])
    registration_opens = models.DateField(_("registration opens"))
    registration_closes = models.DateField(_("registration closes"))
    bnsp_code = models.CharField(_("BNSP schedule code (KODE JADWAL)"), max_length=40, blank=True)
    funding_source = models.CharField(
        _("funding source"), max_length=2, choices=Funding.choices, default=Funding.SELF
    )
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancel_reason = models.TextField(_("reason for cancelling"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScheduleQuerySet.as_manager()

    class Meta:
        verbose_name = _("assessment event")
        verbose_name_plural = _("assessment events")
        ordering = ["starts_at", "pk"]
        constraints = [
            # The service refuses an event that does not end after it starts; the table holds the
            # order (equal allowed, as the other periods of the portal are).
            models.CheckConstraint(
                condition=Q(ends_at__gte=models.F("starts_at")), name="schedule_period_ordered"
            ),
            models.CheckConstraint(condition=Q(quota__gte=1), name="schedule_quota_positive"),
            models.CheckConstraint(
                condition=Q(registration_closes__gte=models.F("registration_opens")),
                name="schedule_registration_window_ordered",
            ),
            models.CheckConstraint(
                condition=~Q(mode="remote") | ~Q(meeting_link=""),
                name="schedule_remote_has_link",
            ),
            models.UniqueConstraint(
                fields=["bnsp_code"], condition=~Q(bnsp_code=""), name="schedule_bnsp_code_unique"
            ),
        ]

    def __str__(self) -> str:
        start = timezone.localtime(self.starts_at)
        return f"{self.reference} {self.scheme.name} {start:%d/%m/%Y %H:%M}"

    def get_absolute_url(self) -> str:
        return reverse("assessment:schedule_detail", args=[self.pk])

    @property
    def reference(self) -> str:
        return f"JDW-{self.pk:05d}" if self.pk else "JDW-?"

    @property
    def event_date(self):
        return timezone.localtime(self.starts_at).date()

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_at is not None


class ScheduleCandidate(models.Model):
    """An application's seat in an event, with the event's assessor who assesses it. A cancelled
    event releases its seats (is_active False), so the application may take another."""

    schedule = models.ForeignKey(
        Schedule, verbose_name=_("event"), on_delete=models.CASCADE, related_name="candidates"
    )
    application = models.ForeignKey(
        Application,
        verbose_name=_("application"),
        on_delete=models.PROTECT,
        related_name="schedule_seats",
    )
    assessor = models.ForeignKey(
        "assessment.Assessor",
        verbose_name=_("assessor"),
        on_delete=models.PROTECT,
        related_name="schedule_candidates",
    )
    is_active = models.BooleanField(default=True)
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("placed by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    placed_at = models.DateTimeField(_("placed at"))

    class Meta:
        verbose_name = _("event candidate")
        verbose_name_plural = _("event candidates")
        ordering = ["placed_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["schedule", "application"], name="schedule_candidate_once"
            ),
            models.UniqueConstraint(
                fields=["application"],
                condition=Q(is_active=True),
                name="one_active_schedule_per_application",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.schedule.reference}: {self.application.reference}"
