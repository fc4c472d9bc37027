"""Views of the decision stage: meetings, deciding, minutes, decree, the applicant's decision."""

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from assessment.coverage import coverage
from assessment.models import Assessment, Feedback
from assessment.reporting.documents import (
    competency_record_of,
    pdf_response,
    process_review_of,
    record_data,
    report_data,
    report_of,
)
from lsp_portal.accounts.decorators import role_required
from lsp_portal.accounts.roles import Role
from lsp_portal.audit.services import events_for
from lsp_portal.errors import RuleError

from . import hooks, services
from .forms import AttendanceForm, ConflictForm, DecisionForm, MeetingForm
from .models import Attendance, Decision, Decree, Meeting, Minutes, TechnicalTeamMember

MEETING_ROLES = (Role.STAFF, Role.TECHNICAL_TEAM, Role.DIRECTOR)


def _meeting_for(request, pk):
    """A meeting the user may see: staff and the director all, members the ones they are invited
    to (404 otherwise); other roles 403."""
    if not any(request.user.has_role(r) for r in MEETING_ROLES):
        raise PermissionDenied
    return get_object_or_404(Meeting.objects.visible_to(request.user), pk=pk)


def _back(request, meeting, error=None):
    if error is not None:
        messages.error(request, error.message)
    return redirect("decisions:meeting_detail", meeting.pk)


def _my_member(request, meeting):
    member = TechnicalTeamMember.objects.filter(user=request.user).first()
    if member is None:
        return None, None
    attendance = Attendance.objects.filter(meeting=meeting, member=member).first()
    return member, attendance


def _acts_as_present(request, member, attendance):
    """Whether the user may act as a member present (decide, declare, close, sign): what
    services._present_member accepts - an active Tim Teknis member recorded as present."""
    return bool(
        member
        and member.is_active
        and attendance
        and attendance.present
        and request.user.has_role(Role.TECHNICAL_TEAM)
    )


@require_GET
@role_required(*MEETING_ROLES)
def meeting_list(request):
    """The meetings the user may see, latest first (every meeting ever held: 50 a page)."""
    meetings = (
        Meeting.objects.visible_to(request.user)
        .annotate(case_count=Count("agenda", distinct=True))
        .order_by("-scheduled_at", "-pk")
    )
    context = {"page": Paginator(meetings, 50).get_page(request.GET.get("page"))}
    if request.user.has_role(Role.STAFF):
        context["available"] = services.available_recommendations()
    if request.user.has_role(Role.DIRECTOR):
        context["to_sign"] = Decree.objects.filter(status=Decree.Status.DRAFT).select_related(
            "minutes__meeting"
        )
    return render(request, "decisions/meeting_list.html", context)


@require_http_methods(["GET", "POST"])
@role_required(Role.STAFF)
def meeting_new(request):
    available = services.available_recommendations()
    form = MeetingForm(request.POST or None, available=available)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            meeting = services.plan_meeting(
                request.user,
                title=data["title"],
                scheduled_at=data["scheduled_at"],
                location=data["location"],
                is_online=data["is_online"],
                members=list(data["members"]),
                assessments=list(data["assessments"]),
            )
        except RuleError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("The meeting was planned and the members notified."))
            return redirect("decisions:meeting_detail", meeting.pk)
    return render(
        request,
        "decisions/meeting_form.html",
        {"form": form, "quorum": settings.DECISION_QUORUM},
    )


@require_GET
def meeting_detail(request, pk):
    meeting = _meeting_for(request, pk)
    member, attendance = _my_member(request, meeting)
    decisions = {d.assessment_id: d for d in meeting.decisions.select_related("decided_by__user")}
    cases = [
        item.assessment
        for item in meeting.agenda.select_related(
            "assessment__application", "assessment__assessor__user"
        )
    ]
    conflicts = services.conflicts_of(member, cases, meeting) if member and attendance else {}
    agenda = [(a, decisions.get(a.pk), conflicts.get(a.pk)) for a in cases]
    minutes = Minutes.objects.filter(meeting=meeting).first()
    decree = Decree.objects.filter(minutes=minutes).first() if minutes else None
    signed = set(minutes.signatures.values_list("member_id", flat=True)) if minutes else set()
    is_staff = request.user.has_role(Role.STAFF)
    i_am_present = _acts_as_present(request, member, attendance)
    i_signed = bool(member and member.pk in signed)
    held = meeting.status == Meeting.Status.HELD
    close_refusal = (
        services.close_refusal(meeting, cases=cases, decided=set(decisions)) if held else None
    )
    return render(
        request,
        "decisions/meeting_detail.html",
        {
            "meeting": meeting,
            "attendances": meeting.attendances.select_related("member__user"),
            "agenda": agenda,
            "member": member,
            "attendance": attendance,
            "i_am_present": i_am_present,
            "agenda_decided": bool(decisions),
            "is_staff": is_staff,
            "is_director": request.user.has_role(Role.DIRECTOR),
            "attendance_form": AttendanceForm(meeting=meeting),
            "open_refusal": services.open_refusal(meeting),
            "close_refusal": close_refusal,
            "can_close": held and (is_staff or i_am_present) and not close_refusal,
            "minutes": minutes,
            "signed": signed,
            "i_signed": i_signed,
            "can_sign": bool(
                minutes
                and meeting.status == Meeting.Status.CLOSED
                and i_am_present
                and not i_signed
            ),
            "decree": decree,
            "events": events_for(meeting),
        },
    )


@require_POST
@role_required(Role.STAFF)
def meeting_cancel(request, pk):
    meeting = _meeting_for(request, pk)
    try:
        services.cancel_meeting(request.user, meeting, reason=request.POST.get("reason", "")[:1000])
    except RuleError as error:
        return _back(request, meeting, error)
    messages.success(request, _("The meeting was cancelled; its cases can be put on another."))
    return redirect("decisions:meeting_detail", meeting.pk)


@require_POST
@role_required(Role.STAFF)
def meeting_open(request, pk):
    meeting = _meeting_for(request, pk)
    form = AttendanceForm(request.POST, meeting=meeting)
    if not form.is_valid():
        return _back(request, meeting, RuleError(_("Choose the members present.")))
    try:
        services.open_meeting(request.user, meeting, list(form.cleaned_data["present"]))
    except RuleError as error:
        return _back(request, meeting, error)
    messages.success(request, _("The meeting is open; attendance recorded."))
    return redirect("decisions:meeting_detail", meeting.pk)


def _agenda_case(meeting, assessment_pk):
    item = meeting.agenda.filter(assessment_id=assessment_pk).select_related("assessment").first()
    if item is None:
        raise Http404
    return item.assessment


@require_GET
def case(request, pk, assessment_pk):
    """Everything the team needs to decide (9.4.1): recommendation, per-unit results with methods
    and VATM, the evidence review, the applicant's feedback and any declined signature."""
    meeting = _meeting_for(request, pk)
    assessment = get_object_or_404(
        Assessment.objects.select_related(
            "application__scheme",
            "assessor__user",
            "adjustment",
            "report__signed_by",
            "competency_record__signed_by",
            "process_review__reviewed_by",
        ),
        pk=_agenda_case(meeting, assessment_pk).pk,
    )
    # ... and on FR.AK.02 with the coverage of every unit's KUK by the instruments (9.3.3).
    competency_record = competency_record_of(assessment)
    coverages = [
        (
            unit_coverage,
            [(row, row.cell_list(unit_coverage.instruments)) for row in unit_coverage.rows],
        )
        for unit_coverage in coverage(assessment).values()
        if unit_coverage.rows
    ]
    # 9.4.1-9.4.2: the decision rests on the assessor's report FR.AK.05 (and FR.AK.06 when done).
    report = report_of(assessment)
    member, attendance = _my_member(request, meeting)
    conflict = services.conflict_of(member, assessment, meeting) if member else None
    decision = Decision.objects.filter(assessment=assessment).select_related("decided_by__user")
    decision = decision.first()
    held = meeting.status == Meeting.Status.HELD
    present = _acts_as_present(request, member, attendance)
    # What services.decide and services.declare_conflict accept, so that the page offers no
    # form the service would refuse (issue 13.5).
    quorum_refusal = services.quorum_refusal(meeting) if held and present else None
    can_decide = held and present and not conflict and not quorum_refusal
    can_declare = (
        held and present and not conflict and not (decision and decision.decided_by_id == member.pk)
    )
    initial = (
        {
            "result": decision.result,
            "basis": decision.basis,
            "reason": decision.against_recommendation_reason,
        }
        if decision
        else {"result": assessment.recommendation}
    )
    return render(
        request,
        "decisions/case.html",
        {
            "meeting": meeting,
            "assessment": assessment,
            "application": assessment.application,
            "results": assessment.results.select_related("unit"),
            "reviews": assessment.evidence_reviews.select_related("unit", "element"),
            "feedback": Feedback.objects.filter(assessment=assessment).first(),
            "report": report,
            "ak05": report_data(report) if report else None,
            "competency_record": competency_record,
            "ak02": record_data(competency_record, translation.get_language())
            if competency_record
            else None,
            "coverages": coverages,
            "process_review": process_review_of(assessment),
            "decision": decision,
            "conflict": conflict,
            "can_decide": can_decide,
            "can_declare": can_declare,
            "quorum_refusal": quorum_refusal,
            "i_am_present": present,
            "form": DecisionForm(initial=initial),
            "conflict_form": ConflictForm(),
        },
    )


@require_POST
@role_required(Role.TECHNICAL_TEAM)
def decide(request, pk, assessment_pk):
    meeting = _meeting_for(request, pk)
    assessment = _agenda_case(meeting, assessment_pk)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("decisions:case", meeting.pk, assessment.pk)
    try:
        services.decide(
            request.user,
            meeting,
            assessment,
            result=form.cleaned_data["result"],
            basis=form.cleaned_data["basis"],
            reason=form.cleaned_data["reason"],
        )
    except RuleError as error:
        messages.error(request, error.message)
        return redirect("decisions:case", meeting.pk, assessment.pk)
    messages.success(request, _("The decision was recorded."))
    return redirect("decisions:meeting_detail", meeting.pk)


@require_POST
@role_required(Role.TECHNICAL_TEAM)
def declare_conflict(request, pk, assessment_pk):
    meeting = _meeting_for(request, pk)
    assessment = _agenda_case(meeting, assessment_pk)
    form = ConflictForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        services.declare_conflict(request.user, meeting, assessment, note=note)
    except RuleError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, _("Your involvement was recorded; you will not decide this case.")
        )
    return redirect("decisions:case", meeting.pk, assessment.pk)


@require_POST
@role_required(Role.STAFF, Role.TECHNICAL_TEAM)
def meeting_close(request, pk):
    meeting = _meeting_for(request, pk)
    try:
        services.close_meeting(request.user, meeting)
    except RuleError as error:
        return _back(request, meeting, error)
    messages.success(request, _("The meeting was closed; the minutes are being generated."))
    return redirect("decisions:meeting_detail", meeting.pk)


@require_POST
@role_required(Role.TECHNICAL_TEAM)
def minutes_sign(request, pk):
    meeting = _meeting_for(request, pk)
    minutes = get_object_or_404(Minutes, meeting=meeting)
    try:
        services.sign_minutes(request.user, minutes)
    except RuleError as error:
        return _back(request, meeting, error)
    messages.success(request, _("You signed the minutes."))
    return redirect("decisions:meeting_detail", meeting.pk)


@require_POST
@role_required(Role.STAFF)
def decree_draft(request, pk):
    meeting = _meeting_for(request, pk)
    minutes = get_object_or_404(Minutes, meeting=meeting)
    try:
        services.draft_decree(request.user, minutes)
    except RuleError as error:
        return _back(request, meeting, error)
    messages.success(request, _("The decree was drafted for the director's signature."))
    return redirect("decisions:meeting_detail", meeting.pk)


@require_POST
@role_required(Role.DIRECTOR)
def decree_sign(request, pk):
    meeting = _meeting_for(request, pk)
    decree = get_object_or_404(Decree, minutes__meeting=meeting)
    try:
        decree = services.sign_decree(request.user, decree)
    except RuleError as error:
        return _back(request, meeting, error)
    messages.success(
        request,
        _("Decree %(number)s signed; the decisions are published.") % {"number": decree.number},
    )
    return redirect("decisions:meeting_detail", meeting.pk)


@require_POST
@role_required(Role.STAFF)
def retry_pdf(request, pk, kind):
    meeting = _meeting_for(request, pk)
    model = {"minutes": Minutes, "decree": Decree}.get(kind)
    if model is None:
        raise Http404
    lookup = {"meeting": meeting} if model is Minutes else {"minutes__meeting": meeting}
    document = get_object_or_404(model, **lookup)
    try:
        services.retry_render(request.user, document)
    except RuleError as error:
        return _back(request, meeting, error)
    messages.success(request, _("The PDF is being rendered again."))
    return redirect("decisions:meeting_detail", meeting.pk)


@require_GET
def document_pdf(request, pk, kind):
    """The minutes or decree PDF, for staff, the director and the meeting's members."""
    meeting = _meeting_for(request, pk)
    if kind == "minutes":
        document = get_object_or_404(Minutes, meeting=meeting)
        name = f"berita-acara-{meeting.reference}.pdf"
    elif kind == "decree":
        document = get_object_or_404(Decree, minutes__meeting=meeting)
        name = f"sk-{(document.number or 'draft').replace('/', '-')}.pdf"
    else:
        raise Http404
    if not document.pdf:
        raise Http404
    response = FileResponse(document.pdf.open("rb"), content_type="application/pdf", filename=name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
def case_document(request, pk, assessment_pk, kind):
    """FR.AK.02, FR.AK.05 or FR.AK.06 of a case on the meeting's agenda, for whoever may open
    the case page: staff, the director and the meeting's members (9.4.1)."""
    meeting = _meeting_for(request, pk)
    assessment = _agenda_case(meeting, assessment_pk)
    document: Any
    if kind == "ak02":
        document = competency_record_of(assessment)
    elif kind == "ak05":
        document = report_of(assessment)
    elif kind == "ak06":
        document = process_review_of(assessment)
    else:
        raise Http404
    name = f"FR.{kind[:2].upper()}.{kind[2:]}-{assessment.reference}.pdf"
    return pdf_response(document, name)


@require_GET
@role_required(Role.APPLICANT)
def my_decision(request, pk):
    """The applicant's own published decision, with its publication time (the appeal window of
    9.9.2 starts then)."""
    decision = get_object_or_404(
        Decision.objects.for_applicant(request.user).select_related(
            "assessment__application__scheme", "meeting"
        ),
        pk=pk,
    )
    decree = Decree.objects.filter(minutes__meeting=decision.meeting).first()
    return render(
        request,
        "decisions/my_decision.html",
        {
            "decision": decision,
            "assessment": decision.assessment,
            "application": decision.assessment.application,
            "decree": decree,
            "results": decision.assessment.results.select_related("unit"),
            "panels": [panel(request, decision) for panel in hooks.decision_panels],
        },
    )
