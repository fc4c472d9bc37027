"""Views of the appeal stage: filing (applicant), the appeal page, the team, the answer, the
staff dashboard with deadlines and SLA figures."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from decisions.models import Decision
from lsp_portal.accounts.decorators import role_required
from lsp_portal.accounts.roles import Role
from lsp_portal.audit.services import events_for
from lsp_portal.errors import RuleError
from lsp_portal.files import private_file_response

from . import services
from .forms import AnswerForm, AppealForm, AppointForm, FindingForm
from .inputs import AppealInput
from .models import AnswerLetter, Appeal, Finding

APPEAL_ROLES = (Role.APPLICANT, Role.STAFF, Role.DIRECTOR, Role.APPEAL_TEAM)


def _appeal_for(request, pk):
    """An appeal the user may see: staff and the director all, team members the ones they are
    appointed to, the appellant their own (404 otherwise); other roles 403."""
    if not any(request.user.has_role(role) for role in APPEAL_ROLES):
        raise PermissionDenied
    return get_object_or_404(
        Appeal.objects.visible_to(request.user).select_related(
            "application__scheme", "appellant", "decision__meeting", "answered_by"
        ),
        pk=pk,
    )


def _back(request, appeal, error=None):
    if error is not None:
        messages.error(request, error.message)
    return redirect("appeals:detail", appeal.pk)


@require_http_methods(["GET", "POST"])
@role_required(Role.APPLICANT)
def file(request, decision_pk):
    """FR-AK-04: the applicant appeals their published decision within the window (9.9.2)."""
    decision = get_object_or_404(
        Decision.objects.for_applicant(request.user).select_related(
            "assessment__application__scheme"
        ),
        pk=decision_pk,
    )
    existing = Appeal.objects.filter(decision=decision).first()
    if existing is not None:
        return redirect("appeals:detail", existing.pk)
    refusal = services.appeal_refusal(decision)
    if refusal and request.method == "GET":
        messages.error(request, refusal)
        return redirect("decisions:my_decision", decision.pk)
    form = AppealForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            appeal = services.file_appeal(
                request.user,
                decision,
                AppealInput.from_cleaned(data),
                attachments=data["attachments"],
            )
        except RuleError as error:
            messages.error(request, error.message)
            return redirect("decisions:my_decision", decision.pk)
        messages.success(
            request,
            _("Your appeal %(reference)s was received. You will be told the answer.")
            % {"reference": appeal.reference},
        )
        return redirect("appeals:detail", appeal.pk)
    return render(
        request,
        "appeals/file.html",
        {"form": form, "decision": decision, "application": decision.assessment.application},
    )


@require_GET
@role_required(*APPEAL_ROLES)
def detail(request, pk):
    appeal = _appeal_for(request, pk)
    user = request.user
    is_staff = user.has_role(Role.STAFF) or user.has_role(Role.DIRECTOR)
    appointment = appeal.team.filter(user=user).first()
    insider = is_staff or appointment is not None
    team = list(
        appeal.team.select_related("user", "appointed_by").prefetch_related(
            Prefetch("finding", queryset=Finding.objects.all())
        )
    )
    context = {
        "appeal": appeal,
        "application": appeal.application,
        "decision": appeal.decision,
        "attachments": appeal.attachments.all(),
        "team": team,
        "insider": insider,
        "letter": AnswerLetter.objects.filter(appeal=appeal).first(),
        "reassessment": services.reassessment_of(appeal),
    }
    if insider:
        context["history"] = events_for(appeal)
    # Only the forms the services accept in this state and for this user (issue 13.5): none once
    # the director has answered (9.9.7).
    if appeal.is_open:
        if is_staff:
            candidates = services.eligible_members(appeal)
            context["appoint_form"] = AppointForm(candidates=candidates) if candidates else None
            context["no_candidates"] = not candidates
        if (
            appointment is not None
            and appeal.status == Appeal.Status.UNDER_REVIEW
            and user.has_role(Role.APPEAL_TEAM)
        ):
            finding = Finding.objects.filter(member=appointment).first()
            initial = (
                {"text": finding.text, "recommendation": finding.recommendation}
                if finding
                else None
            )
            context["finding_form"] = FindingForm(initial=initial)
        if user.has_role(Role.DIRECTOR):
            refusal = services.answer_refusal(
                appeal, has_finding=any(hasattr(member, "finding") for member in team)
            )
            context["answer_refusal"] = refusal
            context["answer_form"] = None if refusal else AnswerForm()
    return render(request, "appeals/detail.html", context)


@require_POST
@role_required(Role.STAFF, Role.DIRECTOR)
def appoint(request, pk):
    appeal = _appeal_for(request, pk)
    form = AppointForm(request.POST, candidates=[])
    if not form.is_valid():
        messages.error(request, _("Choose a member of the appeal team."))
        return _back(request, appeal)
    form_member = form.cleaned_data["member"]
    try:
        services.appoint(request.user, appeal, form_member)
    except RuleError as error:
        return _back(request, appeal, error)
    messages.success(
        request, _("%(name)s was appointed and notified.") % {"name": form_member.full_name}
    )
    return _back(request, appeal)


@require_POST
@role_required(Role.APPEAL_TEAM)
def finding(request, pk):
    appeal = _appeal_for(request, pk)
    form = FindingForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Write the finding and choose the outcome you recommend."))
        return _back(request, appeal)
    try:
        services.record_finding(request.user, appeal, **form.cleaned_data)
    except RuleError as error:
        return _back(request, appeal, error)
    messages.success(request, _("Your finding was recorded."))
    return _back(request, appeal)


@require_POST
@role_required(Role.DIRECTOR)
def answer(request, pk):
    appeal = _appeal_for(request, pk)
    form = AnswerForm(request.POST)
    if not form.is_valid():
        messages.error(
            request, _("Choose the answer, give the reasons and confirm that it is final.")
        )
        return _back(request, appeal)
    try:
        appeal = services.answer(
            request.user,
            appeal,
            outcome=form.cleaned_data["outcome"],
            reasons=form.cleaned_data["reasons"],
        )
    except RuleError as error:
        return _back(request, appeal, error)
    messages.success(
        request,
        _("The appeal was answered: %(outcome)s. The answer letter is being generated.")
        % {"outcome": appeal.get_outcome_display()},
    )
    return _back(request, appeal)


@require_POST
@role_required(Role.STAFF)
def retry_letter(request, pk):
    appeal = _appeal_for(request, pk)
    letter = get_object_or_404(AnswerLetter, appeal=appeal)
    try:
        services.retry_letter(request.user, letter)
    except RuleError as error:
        return _back(request, appeal, error)
    messages.success(request, _("The PDF is being rendered again."))
    return _back(request, appeal)


@require_GET
@role_required(*APPEAL_ROLES)
def attachment(request, pk, attachment_pk):
    appeal = _appeal_for(request, pk)
    item = get_object_or_404(appeal.attachments, pk=attachment_pk)
    return private_file_response(item.file, item.content_type, item.original_name)


@require_GET
@role_required(*APPEAL_ROLES)
def letter(request, pk):
    appeal = _appeal_for(request, pk)
    document = get_object_or_404(AnswerLetter, appeal=appeal)
    if not document.pdf:
        raise Http404
    name = f"jawaban-banding-{document.number.replace('/', '-')}.pdf"
    return private_file_response(document.pdf, "application/pdf", name)


@require_GET
@role_required(Role.STAFF, Role.DIRECTOR, Role.APPEAL_TEAM)
def appeal_list(request):
    """Staff and the director: open appeals, overdue first, with days left on each deadline, and
    the SLA figures of the last 12 months. Team members: the appeals they are appointed to."""
    appeals = Appeal.objects.visible_to(request.user).select_related("application__scheme")
    if not (request.user.has_role(Role.STAFF) or request.user.has_role(Role.DIRECTOR)):
        appeals = appeals.filter(team__user=request.user)
        findings = Finding.objects.filter(member__user=request.user)
        done = set(findings.values_list("member__appeal_id", flat=True))
        answered = appeals.filter(status=Appeal.Status.ANSWERED).order_by("-answered_at")[:50]
        return render(
            request,
            "appeals/list.html",
            {"open": appeals.open(), "answered": answered, "done": done},
        )
    return render(
        request,
        "appeals/list.html",
        {
            "open": appeals.open(),
            "answered": appeals.filter(status=Appeal.Status.ANSWERED).order_by("-answered_at")[:50],
            "sla": services.sla_summary(),
            "staff_view": True,
        },
    )
