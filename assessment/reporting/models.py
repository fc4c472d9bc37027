"""FR.AK.02 Rekaman Asesmen Kompetensi, FR.AK.05 Laporan Asesmen and FR.AK.06 Meninjau Proses
Asesmen (MUK 2023).

FR.AK.05 is the assessor's report to the LSP (9.3.5), written with the submission: the part read
from the records (candidate, scheme, units with K/BK, the recommendation, the BK units with the
evidence observed) is never copied here, only the assessor's own notes are. FR.AK.06 is the review
of the assessment process after it, by the case's assessor or LSP staff as lead assessor: for each
stage of the procedure whether the principles of assessment (valid, reliable, flexible, fair) were
met, and for the consistency of decisions which dimensions of competency were checked.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from lsp_portal.pdf import RenderedPDF


class SignedByAssessor(RenderedPDF):
    """A form the assessor signs when submitting (9.3.5): who signed and when."""

    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("signed by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    signed_at = models.DateTimeField(_("signed at"))

    class Meta:
        abstract = True


class CompetencyRecord(SignedByAssessor):
    """FR.AK.02 Rekaman Asesmen Kompetensi: per unit the evidence each kind of instrument produced
    and K/BK (read from the records, never copied here), the recommendation, the follow-up the
    candidate needs and the assessor's feedback; signed by the assessor at the submission (9.3.5)
    and by the candidate when they sign the result (or the refusal is shown). Rendered again when
    the candidate signs or declines."""

    assessment = models.OneToOneField(
        "assessment.Assessment", on_delete=models.CASCADE, related_name="competency_record"
    )
    follow_up = models.TextField(_("follow-up needed"), blank=True)
    feedback = models.TextField(_("feedback to the candidate"), blank=True)

    pdf_template = "assessment/pdf/ak02.html"

    class Meta:
        verbose_name = _("competency assessment record (FR.AK.02)")
        verbose_name_plural = _("competency assessment records (FR.AK.02)")

    def __str__(self) -> str:
        return f"FR.AK.02 {self.assessment}"

    def pdf_context(self) -> dict[str, Any]:
        from .documents import record_data

        return {"data": record_data(self)}

    def pdf_context_data(self) -> dict[str, Any]:
        from .documents import record_data

        return record_data(self)


class AssessmentReport(SignedByAssessor):
    """FR.AK.05 Laporan Asesmen: the assessor's notes on the assessment, signed by the assessor
    who submitted it, at the moment of the submission (9.3.5)."""

    assessment = models.OneToOneField(
        "assessment.Assessment", on_delete=models.CASCADE, related_name="report"
    )
    aspects = models.TextField(_("positive and negative aspects of the assessment"), blank=True)
    objection = models.TextField(_("the candidate's objection to the result"), blank=True)
    improvements = models.TextField(_("suggestions for improvement"), blank=True)
    notes = models.TextField(_("notes"), blank=True)

    pdf_template = "assessment/pdf/ak05.html"

    class Meta:
        verbose_name = _("assessment report (FR.AK.05)")
        verbose_name_plural = _("assessment reports (FR.AK.05)")

    def __str__(self) -> str:
        return f"FR.AK.05 {self.assessment}"

    def pdf_context(self) -> dict[str, Any]:
        from .documents import report_data

        return {"data": report_data(self)}

    def pdf_context_data(self) -> dict[str, Any]:
        from .documents import report_data

        return report_data(self)


class ProcessReview(RenderedPDF):
    """FR.AK.06 Meninjau Proses Asesmen: the review of the assessment process, once, after the
    submission (9.3.5)."""

    class Stage(models.TextChoices):
        PLAN = "plan", _("Assessment plan (rencana asesmen)")
        PREPARATION = "preparation", _("Preparation (persiapan)")
        IMPLEMENTATION = "implementation", _("Implementation (implementasi)")
        DECISION = "decision", _("Decision (keputusan)")
        FEEDBACK = "feedback", _("Feedback (umpan balik)")

    class Principle(models.TextChoices):
        VALID = "valid", _("Valid")
        RELIABLE = "reliable", _("Reliable (reliabel)")
        FLEXIBLE = "flexible", _("Flexible (fleksibel)")
        FAIR = "fair", _("Fair (adil)")

    class Dimension(models.TextChoices):
        TASK = "task", _("Task skills")
        TASK_MANAGEMENT = "task_management", _("Task management skills")
        CONTINGENCY = "contingency", _("Contingency management skills")
        ENVIRONMENT = "environment", _("Job role / environment skills")
        TRANSFER = "transfer", _("Transfer skills")

    assessment = models.OneToOneField(
        "assessment.Assessment", on_delete=models.CASCADE, related_name="process_review"
    )
    # stage -> the principles met at that stage, e.g. {"plan": ["valid", "fair"], ...}
    principles = models.JSONField(_("principles met per stage"), default=dict)
    recommendations = models.TextField(_("recommendations for improvement"), blank=True)
    dimensions = models.JSONField(_("dimensions of competency checked"), default=list)
    consistency_recommendations = models.TextField(
        _("recommendations on the consistency of decisions"), blank=True
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("reviewed at"))

    pdf_template = "assessment/pdf/ak06.html"

    class Meta:
        verbose_name = _("review of the assessment process (FR.AK.06)")
        verbose_name_plural = _("reviews of the assessment process (FR.AK.06)")

    def __str__(self) -> str:
        return f"FR.AK.06 {self.assessment}"

    def grid(self) -> list[dict[str, Any]]:
        """One row per stage: its label and, per principle, whether it was met."""
        return [
            {
                "stage": label,
                "cells": [
                    principle in self.principles.get(stage, [])
                    for principle in self.Principle.values
                ],
            }
            for stage, label in self.Stage.choices
        ]

    def principle_labels(self) -> list[str]:
        return [str(label) for label in self.Principle.labels]

    def dimension_labels(self) -> list[str]:
        return [label for label, checked in self.dimension_rows() if checked]

    def dimension_rows(self) -> list[tuple[str, bool]]:
        return [(str(label), code in self.dimensions) for code, label in self.Dimension.choices]

    def pdf_context(self) -> dict[str, Any]:
        from .documents import review_data

        return {"data": review_data(self)}

    def pdf_context_data(self) -> dict[str, Any]:
        from .documents import review_data

        return review_data(self)
