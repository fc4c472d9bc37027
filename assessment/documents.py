"""What the FR.MAPA.01 and FR.AK.01 PDFs show, as plain data (hashed: a PDF is rendered again
only when it changes), in the portal's default language (Indonesian)."""

from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from lsp_portal.dates import format_date, format_datetime


def plan_document_data(document: Any) -> dict[str, Any]:
    with translation.override(settings.LANGUAGE_CODE):
        return _plan_document_data(document)


def _plan_document_data(document: Any) -> dict[str, Any]:
    from .forms import AgreementForm
    from .models import Assessment, AssessmentPlan

    assessment = Assessment.objects.select_related("application__scheme", "assessor__user").get(
        pk=document.assessment_id
    )
    header = AssessmentPlan.objects.filter(assessment=assessment).first()
    items = [
        {
            "code": item.unit.code,
            "title": item.unit.title,
            "kinds": item.evidence_kind_codes(),
            "methods": item.method_labels(),
            # FR.MAPA.02: the instruments chosen for the unit, by their form codes.
            "instruments": [f"FR.{code}" for code in item.instruments],
            "minutes": item.duration_minutes,
            "date": format_date(item.date),
            "tuk": item.tuk.name,
            "tuk_address": item.tuk.address,
            "tuk_kind": str(item.tuk.get_kind_display()),
        }
        for item in assessment.plan.select_related("unit", "tuk")
    ]
    application = assessment.application
    data: dict[str, Any] = {
        "kind": document.kind,
        "lsp": settings.LSP_NAME,
        "reference": assessment.reference,
        "application": application.reference,
        "scheme": application.scheme.name,
        "scheme_code": application.scheme.code,
        "applicant": application.full_name,
        "assessor": assessment.assessor.user.full_name,
        "assessor_number": assessment.assessor.registration_number,
        "plan_set": format_datetime(assessment.plan_set_at) if assessment.plan_set_at else "",
        "items": items,
        "applicant_signed": format_datetime(assessment.applicant_agreed_at)
        if assessment.applicant_agreed_at
        else "",
        "assessor_signed": format_datetime(assessment.assessor_agreed_at)
        if assessment.assessor_agreed_at
        else "",
        "applicant_statements": [str(s) for s in AgreementForm.STATEMENTS["applicant"]],
        "assessor_statements": [str(s) for s in AgreementForm.STATEMENTS["assessor"]],
        "header": None,
    }
    if header is not None:
        data["header"] = {
            "approach": header.approach_label(),
            "purpose": header.purpose_label(),
            "environment": str(header.get_environment_display()),
            "opportunity": str(header.get_evidence_opportunity_display()),
            "assessed_by": str(header.get_assessed_by_display()),
            "confirm_with": header.confirm_labels(),
            "start_time": header.start_time.strftime("%H.%M"),
        }
    data["labels"] = {
        "approach": _("Assessment approach"),
        "purpose": _("Purpose of the assessment"),
        "context": _("Assessment context"),
        "environment": _("Environment"),
        "opportunity": _("Opportunity to gather evidence"),
        "assessed_by": _("Assessed by"),
        "confirm_with": _("Confirm with the relevant people"),
        "start_time": _("Start time"),
    }
    return data
