"""What FR.AK.05 and FR.AK.06 show, as plain data: hashed (a PDF is rendered again only when it
changes) and passed to the templates and the pages. The part of FR.AK.05 generated from the
records (candidate, scheme, units with K/BK, the recommendation, the BK units and their evidence)
is read here from the assessment, never copied into the report."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.http import FileResponse, Http404
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from lsp_portal.dates import format_date, format_datetime
from lsp_portal.files import private_file_response

if TYPE_CHECKING:
    from lsp_portal.accounts.models import User

    from ..models import Assessment
    from .models import AssessmentReport, CompetencyRecord, ProcessReview


def report_of(assessment: Assessment) -> AssessmentReport | None:
    """The case's FR.AK.05, or None (submitted before FR.AK.05 was kept, or not yet)."""
    from .models import AssessmentReport

    try:
        return assessment.report
    except AssessmentReport.DoesNotExist:
        return None


def competency_record_of(assessment: Assessment) -> CompetencyRecord | None:
    """The case's FR.AK.02, or None (submitted before FR.AK.02 was kept, or not yet)."""
    from .models import CompetencyRecord

    try:
        return assessment.competency_record
    except CompetencyRecord.DoesNotExist:
        return None


def process_review_of(assessment: Assessment) -> ProcessReview | None:
    from .models import ProcessReview

    try:
        return assessment.process_review
    except ProcessReview.DoesNotExist:
        return None


def pdf_response(
    document: AssessmentReport | CompetencyRecord | ProcessReview | None, name: str
) -> FileResponse:
    """A stored FR.AK.02/FR.AK.05/FR.AK.06 PDF; 404 while it is not rendered yet."""
    if document is None or not document.pdf:
        raise Http404
    return private_file_response(document.pdf, "application/pdf", name)


def _registration_number(user: User, assessment: Assessment) -> str:
    """The signer's No. Reg. MET; "" for LSP staff without an assessor record."""
    from ..models import Assessor

    if user.pk == assessment.assessor.user_id:
        return assessment.assessor.registration_number
    return (
        Assessor.objects.filter(user=user).values_list("registration_number", flat=True).first()
        or ""
    )


def header_data(assessment: Assessment) -> dict[str, Any]:
    """The table at the top of both forms: candidate, scheme, assessor, TUK and dates."""
    application = assessment.application
    scheme = application.scheme
    plan = list(assessment.plan.select_related("tuk").order_by("date", "pk"))
    tuks = list(dict.fromkeys(item.tuk.name for item in plan))
    days = sorted({item.date for item in plan})
    if days:
        dates = format_date(days[0])
        if days[-1] != days[0]:
            dates = f"{dates} - {format_date(days[-1])}"
    else:
        dates = format_date(assessment.submitted_at) if assessment.submitted_at else ""
    return {
        "lsp": settings.LSP_NAME,
        "assessment": assessment.reference,
        "application": application.reference,
        "candidate": application.full_name,
        "scheme": scheme.name,
        "scheme_code": scheme.code,
        "scheme_number": scheme.document_number,
        "assessor": assessment.assessor.user.full_name,
        "assessor_reg": assessment.assessor.registration_number,
        "tuk": ", ".join(tuks),
        "dates": dates,
        "submitted_at": format_datetime(assessment.submitted_at) if assessment.submitted_at else "",
    }


def report_data(report: AssessmentReport) -> dict[str, Any]:
    with translation.override(settings.LANGUAGE_CODE):
        return _report_data(report)


def _report_data(report: AssessmentReport) -> dict[str, Any]:
    assessment = report.assessment
    results = {r.unit_id: r for r in assessment.results.all()}
    units = []
    for unit in assessment.application.scheme.units.all():
        result = results.get(unit.pk)
        units.append(
            {
                "code": unit.code,
                "title": unit.title,
                "result": result.result if result else "",
                "evidence": result.evidence_observed if result else "",
            }
        )
    return {
        **header_data(assessment),
        "tested": bool(assessment.proceed_to_test),
        "not_recommended_reason": assessment.not_recommended_reason,
        "recommendation": assessment.recommendation,
        "recommendation_label": str(assessment.get_recommendation_display()),
        "units": units,
        "bk_units": [u for u in units if u["result"] == "BK"],
        "note": assessment.recommendation_note,
        "aspects": report.aspects,
        "objection": report.objection,
        "improvements": report.improvements,
        "notes": report.notes,
        "signed_by": report.signed_by.full_name,
        "signed_by_reg": _registration_number(report.signed_by, assessment),
        "signed_at": format_datetime(report.signed_at),
    }


def review_data(review: ProcessReview) -> dict[str, Any]:
    with translation.override(settings.LANGUAGE_CODE):
        return _review_data(review)


def _review_data(review: ProcessReview) -> dict[str, Any]:
    return {
        **header_data(review.assessment),
        "principles": [str(label) for label in review.Principle.labels],
        "grid": [{"stage": str(row["stage"]), "cells": row["cells"]} for row in review.grid()],
        "recommendations": review.recommendations,
        "dimensions": review.dimension_rows(),
        "consistency_recommendations": review.consistency_recommendations,
        "reviewed_by": review.reviewed_by.full_name,
        "reviewed_by_reg": _registration_number(review.reviewed_by, review.assessment),
        "reviewed_at": format_datetime(review.reviewed_at),
    }


# FR.AK.02's columns: the kinds of evidence, and the instruments (and, for units recorded before
# the instruments were kept, the methods of 9.3.1) that produce each.
AK02_COLUMNS = (
    ("observasi", _("Observation or demonstration"), ("IA.01", "IA.02")),
    ("portofolio", _("Portfolio"), ("IA.08",)),
    ("pihak_ketiga", _("Third-party statement"), ("IA.10",)),
    ("wawancara", _("Interview questions"), ("IA.09",)),
    ("lisan", _("Oral questions"), ("IA.03", "IA.07")),
    ("tertulis", _("Written questions"), ("IA.05", "IA.06")),
    ("proyek", _("Work project"), ("IA.04A", "IA.04B")),
    ("lainnya", _("Other"), ("IA.11",)),
)


def evidence_columns(assessment: Assessment) -> dict[int, set[str]]:
    """The FR.AK.02 columns ticked per unit id: the instruments recorded for the unit (any
    record, judged either way); a unit with none falls back on the methods of its result."""
    from ..models import InstrumentRecord, ObservationRecord, PortfolioCheck, ThirdPartyStatement

    column_of = {code: key for key, _label, codes in AK02_COLUMNS for code in codes}
    used: dict[int, set[str]] = {}
    for unit_id in ObservationRecord.objects.filter(assessment=assessment).values_list(
        "kuk__element__unit_id", flat=True
    ):
        used.setdefault(unit_id, set()).add(column_of["IA.01"])
    for unit_id, kind in InstrumentRecord.objects.filter(assessment=assessment).values_list(
        "item__unit_id", "item__kind"
    ):
        used.setdefault(unit_id, set()).add(column_of.get(kind, "lainnya"))
    for model, code in ((PortfolioCheck, "IA.08"), (ThirdPartyStatement, "IA.10")):
        for unit_id in model.objects.filter(assessment=assessment).values_list(
            "unit_id", flat=True
        ):
            used.setdefault(unit_id, set()).add(column_of[code])
    methods = {"observasi", "portofolio", "wawancara", "lisan", "tertulis"}
    for result in assessment.results.all():
        if result.unit_id not in used:
            used[result.unit_id] = set(result.methods) & methods
    return used


def record_data(record: CompetencyRecord, language: str | None = None) -> dict[str, Any]:
    """FR.AK.02's data, its labels in `language` (the PDF's: the LSP's language)."""
    with translation.override(language or settings.LANGUAGE_CODE):
        return _record_data(record)


def _record_data(record: CompetencyRecord) -> dict[str, Any]:
    assessment = record.assessment
    results = {r.unit_id: r for r in assessment.results.all()}
    columns = evidence_columns(assessment)
    units = []
    for unit in assessment.application.scheme.units.all():
        result = results.get(unit.pk)
        ticked = columns.get(unit.pk, set())
        units.append(
            {
                "code": unit.code,
                "title": unit.title,
                "ticks": [key in ticked for key, _label, _codes in AK02_COLUMNS],
                "evidence": [str(label) for key, label, _codes in AK02_COLUMNS if key in ticked],
                "result": result.result if result else "",
            }
        )
    candidate_signed = ""
    if assessment.applicant_signed_at:
        candidate_signed = format_datetime(assessment.applicant_signed_at)
    return {
        **header_data(assessment),
        "columns": [str(label) for _key, label, _codes in AK02_COLUMNS],
        "units": units,
        "tested": bool(assessment.proceed_to_test),
        "recommendation": assessment.recommendation,
        "follow_up": record.follow_up,
        "feedback": record.feedback,
        "comment": assessment.recommendation_note,
        "signed_by": record.signed_by.full_name,
        "signed_by_reg": _registration_number(record.signed_by, assessment),
        "signed_at": format_datetime(record.signed_at),
        "candidate_signed_at": candidate_signed,
        "candidate_declined_at": format_datetime(assessment.signature_declined_at)
        if assessment.signature_declined_at
        else "",
        "candidate_declined_comment": assessment.signature_decline_comment
        if assessment.signature_declined_at
        else "",
    }
