"""What the minutes (Berita Acara) and the decree (SK) show, as plain data.

The same data is hashed (a PDF is rendered again only when it changes) and passed to the template.
"""

from django.conf import settings
from django.utils import translation

from lsp_portal.dates import format_date, format_datetime


def _when(value):
    """A moment as official documents write it, in Indonesian on the Asia/Jakarta clock: "2 Des
    2026 00.58 WIB" (lsp_portal.dates)."""
    if not value:
        return None
    with translation.override(settings.LANGUAGE_CODE):
        return format_datetime(value)


def _day(value):
    """ "2 Des 2026": the Asia/Jakarta date of a moment, in Indonesian."""
    if not value:
        return None
    with translation.override(settings.LANGUAGE_CODE):
        return format_date(value)


def minutes_data(minutes):
    meeting = minutes.meeting
    signatures = {s.member_id: s.signed_at for s in minutes.signatures.all()}
    decisions = {
        d.assessment_id: d
        for d in meeting.decisions.select_related("decided_by__user", "assessment")
    }
    agenda = []
    for item in meeting.agenda.select_related(
        "assessment__application__scheme", "assessment__assessor__user"
    ):
        assessment = item.assessment
        decision = decisions.get(assessment.pk)
        agenda.append(
            {
                "applicant": assessment.application.full_name,
                "application": assessment.application.reference,
                "assessment": assessment.reference,
                "scheme": assessment.application.scheme.name,
                "assessor": assessment.assessor.user.full_name,
                "recommendation": assessment.recommendation,
                "signature_declined": bool(assessment.signature_declined_at),
                "decision": decision.result if decision else None,
                "basis": decision.basis if decision else "",
                "against_reason": decision.against_recommendation_reason if decision else "",
                "decided_by": decision.decided_by.user.full_name if decision else "",
                "decided_at": _when(decision.decided_at) if decision else None,
            }
        )
    return {
        "lsp": settings.LSP_NAME,
        "reference": meeting.reference,
        "title": meeting.title,
        # 9.4.4: the minutes tell when the session really took place (opened_at and closed_at,
        # as the audit trail records them), and the time it had been called for.
        "held_on": _day(meeting.opened_at),
        "scheduled_at": _when(meeting.scheduled_at),
        "opened_at": _when(meeting.opened_at),
        "closed_at": _when(meeting.closed_at),
        "location": meeting.location,
        "online": meeting.is_online,
        "quorum": meeting.quorum,
        "attendees": [
            {
                "name": a.member.user.full_name,
                "present": bool(a.present),
                "signed_at": _when(signatures.get(a.member_id)),
            }
            for a in meeting.attendances.select_related("member__user")
        ],
        "agenda": agenda,
        "final": bool(minutes.final_at),
    }


def minutes_context(minutes):
    return {"data": minutes_data(minutes)}


def decree_data(decree):
    minutes = decree.minutes
    meeting = minutes.meeting
    competent = []
    not_yet = 0
    for decision in meeting.decisions.select_related("assessment__application__scheme").order_by(
        "assessment__application__full_name"
    ):
        application = decision.assessment.application
        if decision.result == "K":
            competent.append(
                {
                    "name": application.full_name,
                    "student_number": application.student_number,
                    "university": application.university,
                    "scheme": application.scheme.name,
                    "scheme_number": application.scheme.document_number,
                }
            )
        else:
            not_yet += 1
    return {
        "lsp": settings.LSP_NAME,
        "lsp_city": settings.LSP_CITY,
        "number": decree.number,
        "signed": decree.status == "signed",
        "signed_by": decree.signed_by.full_name if decree.signed_by_id else "",
        "signed_at": _when(decree.signed_at),
        "meeting": meeting.reference,
        "meeting_title": meeting.title,
        "meeting_date": _day(meeting.opened_at or meeting.scheduled_at),
        "minutes_final_at": _when(minutes.final_at),
        "competent": competent,
        "not_yet_competent": not_yet,
    }


def decree_context(decree):
    return {"data": decree_data(decree)}
