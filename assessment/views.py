"""Views of the assessment stage. Thin: load what the user may see (404 otherwise), check the role
(403), call services.py; a refused action (RuleError) is shown as a message and changes nothing."""

import functools

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Case, Count, Exists, Min, OuterRef, Q, Value, When
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from lsp_portal.accounts.decorators import role_required
from lsp_portal.accounts.roles import Role
from lsp_portal.audit.services import events_for
from lsp_portal.errors import RuleError
from lsp_portal.files import private_file_response
from registration import apl02
from registration.models import Application, Element

from . import services
from .coverage import coverage as unit_coverages
from .forms import (
    VATM,
    AdjustmentForm,
    AgreementForm,
    AssignForm,
    DeclineForm,
    EvidenceReviewForm,
    FeedbackForm,
    ObservationCommentForm,
    ObservationForm,
    PlanDefaultsForm,
    PlanHeaderForm,
    PlanItemForm,
    ProceedForm,
    ProcessReviewForm,
    ReassignForm,
    SubmitRecommendationForm,
    UnitResultForm,
)
from .inputs import (
    AdjustmentInput,
    EvidenceReviewInput,
    ObservationInput,
    PlanHeaderInput,
    PlanItemInput,
    ProcessReviewInput,
    ReportInput,
    UnitResultInput,
)
from .models import (
    TUK,
    Adjustment,
    Assessment,
    AssessmentPlan,
    Assessor,
    Feedback,
    InstrumentKind,
    ObservationComment,
    ObservationRecord,
    PlanDocument,
    instrument_codes_in_order,
)
from .reporting.documents import (
    competency_record_of,
    pdf_response,
    process_review_of,
    record_data,
    report_data,
    report_of,
)
from .reporting.models import ProcessReview

Status = Assessment.Status


def _assessors_with_workload(scheme):
    return (
        Assessor.objects.qualified_for(scheme)
        .select_related("user")
        .annotate(
            workload=Count(
                "assessments",
                filter=Q(assessments__is_current=True) & ~Q(assessments__status=Status.RECOMMENDED),
            )
        )
        .order_by("workload", "user__full_name")
    )


def _own_case(request, pk):
    """The assessor's own current case (404 for anyone else's)."""
    if not request.user.has_role(Role.ASSESSOR):
        raise PermissionDenied
    return get_object_or_404(
        # The plan page shows FR.MAPA.01's header: joined here, not queried again.
        Assessment.objects.for_assessor(request.user).select_related(
            "application__scheme", "assessor__user", "plan_header"
        ),
        pk=pk,
    )


def _declared_case(view):
    """The view gets the assessor's own current case once impartiality is declared (9.2.2): the
    pages that show the applicant's FR-APL-01/02 data (plan, evidence, results) send the assessor
    back to the case page, where the declaration is made, until then."""

    @functools.wraps(view)
    def wrapper(request, pk, **kwargs):
        assessment = _own_case(request, pk)
        if not assessment.impartiality_declared_at:
            return _back(
                request, assessment, RuleError(_("Declare your impartiality first (9.2.2)."))
            )
        return view(request, assessment, **kwargs)

    return wrapper


def _applicants_case(request, pk):
    if not request.user.has_role(Role.APPLICANT):
        raise PermissionDenied
    return get_object_or_404(
        Assessment.objects.for_applicant(request.user).select_related(
            "application__scheme", "feedback"
        ),
        pk=pk,
    )


def _back(request, assessment, error=None):
    if error is not None:
        messages.error(request, error.message)
    return redirect("assessment:detail", assessment.pk)


def _submitted_lock(assessment):
    return {
        "reason": _(
            "The records and the recommendation were submitted to the LSP (9.3.5); "
            "nothing can be changed any more."
        ),
        "since": assessment.submitted_at,
    }


def _lock(assessment, page):
    """Why `page` of this assessment can no longer (or cannot yet) be edited, and since when;
    None while it is open. Only what is shown: the services refuse the change whatever the
    page offers."""
    if assessment.is_locked:
        return _submitted_lock(assessment)
    status = assessment.status
    if page == "plan" and status != Status.ASSIGNED:
        return {
            "reason": _(
                "The applicant and the assessor signed FR.AK.01 for this plan; "
                "it can no longer be changed."
            ),
            "since": max(assessment.applicant_agreed_at, assessment.assessor_agreed_at),
        }
    if page == "evidence":
        if status == Status.ASSIGNED:
            return {
                "reason": _("The evidence is reviewed once both parties agreed to the plan."),
                "since": None,
            }
        if status != Status.PLAN_AGREED:
            return {
                "reason": _("The evidence review was recorded (9.2.5-9.2.6)."),
                "since": assessment.evidence_reviewed_at,
            }
    if page == "results":
        if status != Status.EVIDENCE_REVIEWED:
            return {
                "reason": _("Results are recorded after the evidence review."),
                "since": None,
            }
        if not assessment.proceed_to_test:
            return {
                "reason": _(
                    "The applicant was not recommended for the competency test (9.2.6); "
                    "there are no results to record."
                ),
                "since": assessment.evidence_reviewed_at,
            }
    return None


# ---------------------------------------------------------------------------------------------
# Staff
# ---------------------------------------------------------------------------------------------


@require_GET
@role_required(Role.STAFF)
def staff_overview(request):
    """Eligible applications waiting for an assessor, assessments in progress, and the queue of
    recommendations ready for the technical team (9.3.5): not yet decided. Oldest first, 50 a
    page each."""
    current = Assessment.objects.filter(application=OuterRef("pk"), is_current=True)
    waiting = (
        Application.objects.filter(status=Application.Status.ELIGIBLE)
        .annotate(has_assessment=Exists(current), earlier_attempts=Count("assessments"))
        .filter(has_assessment=False)
        .select_related("scheme")
        .order_by("reviewed_at", "pk")
    )
    assessments = Assessment.objects.filter(is_current=True).select_related(
        "application__scheme", "assessor__user"
    )
    in_progress = assessments.exclude(status=Status.RECOMMENDED).order_by("assigned_at", "pk")
    # Decided ones have left the queue: the decision is the technical team's (decisions app).
    ready = assessments.filter(status=Status.RECOMMENDED, decision__isnull=True).order_by(
        "submitted_at", "pk"
    )
    return render(
        request,
        "assessment/staff_overview.html",
        {
            "waiting": Paginator(waiting, 50).get_page(request.GET.get("waiting")),
            "in_progress": Paginator(in_progress, 50).get_page(request.GET.get("progress")),
            "ready": Paginator(ready, 50).get_page(request.GET.get("ready")),
        },
    )


@require_http_methods(["GET", "POST"])
@role_required(Role.STAFF)
def assign(request, application_pk):
    application = get_object_or_404(Application.objects.select_related("scheme"), pk=application_pk)
    current = application.assessments.filter(is_current=True).first()
    if current:
        return redirect("assessment:reassign", current.pk)
    assessors = _assessors_with_workload(application.scheme)
    form = AssignForm(request.POST or None, assessors=assessors)
    if request.method == "POST" and form.is_valid():
        try:
            assessment = services.assign(request.user, application, form.cleaned_data["assessor"])
        except RuleError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("The assessor was assigned and notified."))
            return redirect("assessment:detail", assessment.pk)
    return render(
        request,
        "assessment/assign.html",
        {
            "application": application,
            "previous": application.assessments.select_related("assessor__user").order_by(
                "attempt"
            ),
            "form": form,
            "assessors": assessors,
            "others": Assessor.objects.exclude(pk__in=assessors.values("pk")).select_related(
                "user"
            ),
        },
    )


@require_http_methods(["GET", "POST"])
@role_required(Role.STAFF)
def reassign(request, pk):
    assessment = get_object_or_404(
        Assessment.objects.select_related("application__scheme", "assessor__user").annotate(
            first_result_at=Min("results__recorded_at")
        ),
        pk=pk,
    )
    assessors = _assessors_with_workload(assessment.application.scheme).exclude(
        pk=assessment.assessor_id
    )
    form = ReassignForm(request.POST or None, assessors=assessors)
    if request.method == "POST" and form.is_valid():
        try:
            services.reassign(
                request.user,
                assessment,
                form.cleaned_data["assessor"],
                reason=form.cleaned_data["reason"],
            )
        except RuleError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("The assessment was reassigned."))
            return redirect("assessment:detail", assessment.pk)
    return render(
        request,
        "assessment/assign.html",
        {
            "application": assessment.application,
            "assessment": assessment,
            "form": form,
            "assessors": assessors,
            "lock": _reassign_lock(assessment, assessment.first_result_at),
            "assignments": assessment.assignments.select_related("assessor__user"),
        },
    )


def _reassign_lock(assessment, first_result_at):
    """9.2.2: another assessor may take over until a test result is recorded."""
    if assessment.is_locked:
        return _submitted_lock(assessment)
    if first_result_at:
        return {
            "reason": _("A test result has been recorded; the assessor can no longer be changed."),
            "since": first_result_at,
        }
    return None


# ---------------------------------------------------------------------------------------------
# Everyone involved: the case page
# ---------------------------------------------------------------------------------------------


@require_GET
@role_required(Role.ASSESSOR)
def assessor_cases(request):
    """Every case the assessor holds, open ones first (submitted ones stay listed, and pile up
    over the years: 50 a page)."""
    cases = (
        Assessment.objects.for_assessor(request.user)
        .select_related("application__scheme")
        .alias(submitted=Case(When(status=Status.RECOMMENDED, then=Value(1)), default=Value(0)))
        .order_by("submitted", "status", "assigned_at", "pk")
    )
    page = Paginator(cases, 50).get_page(request.GET.get("page"))
    return render(request, "assessment/assessor_cases.html", {"page": page})


@require_GET
def detail(request, pk):
    user = request.user
    if not (user.has_role(Role.STAFF) or user.has_role(Role.ASSESSOR) or user.is_applicant):
        raise PermissionDenied
    assessment = get_object_or_404(
        Assessment.objects.visible_to(user).select_related(
            "application__scheme",
            "application__applicant",
            "assessor__user",
            "adjustment",
            "plan_header",
            "report__signed_by",
            "process_review__reviewed_by",
            "instrument_bank",
        ),
        pk=pk,
    )
    is_assessor = assessment.assessor.user_id == user.pk and assessment.is_current
    is_applicant = assessment.application.applicant_id == user.pk
    is_staff = user.has_role(Role.STAFF)
    # The assessor sees the evidence only after declaring impartiality (9.2.2).
    show_evidence = is_staff or is_applicant or bool(assessment.impartiality_declared_at)
    results = list(assessment.results.select_related("unit"))
    application = assessment.application
    plan_items = list(assessment.plan.select_related("unit", "tuk"))
    context = {
        "assessment": assessment,
        "application": application,
        "is_assessor": is_assessor,
        "is_applicant": is_applicant,
        "is_staff": is_staff,
        "show_evidence": show_evidence,
        "plan": plan_items,
        "mapa02": _mapa02(plan_items),
        "observation_open": is_assessor
        and assessment.status in (Status.EVIDENCE_REVIEWED, Status.RECOMMENDED)
        and bool(assessment.proceed_to_test),
        "reviews": assessment.evidence_reviews.select_related("unit", "element"),
        "results": results,
        "agreement_form": AgreementForm(party="assessor" if is_assessor else "applicant"),
        "statements": AgreementForm.STATEMENTS,
        "plan_header": _plan_header_of(assessment),
        "plan_documents": {
            document.kind: document
            for document in assessment.plan_documents.all()
            if document.pdf and document.pdf_status == PlanDocument.PDFStatus.READY
        }
        if assessment.plan_set_at
        else {},
        "submit_form": SubmitRecommendationForm(),
        "decline_form": DeclineForm(),
        "feedback": Feedback.objects.filter(assessment=assessment).first(),
        "events": events_for(assessment) if (is_staff or is_assessor) else None,
        # Who held this attempt, also before a reassignment (they stay involved: 9.4.2, 9.9.4).
        "assignments": assessment.assignments.select_related(
            "assessor__user", "assigned_by", "ended_by"
        )
        if is_staff
        else None,
        "today": timezone.localdate(),
        "can_reassign": is_staff and not assessment.is_locked and not results,
        "adjustment": _adjustment_of(assessment),
        # FR.AK.07 is filled in by the assessor after the declaration, before the test.
        "can_record_adjustment": is_assessor
        and bool(assessment.impartiality_declared_at)
        and services.adjustment_refusal(assessment, has_results=bool(results)) is None,
    }
    # FR.AK.02 is signed by both: staff, the assessor and the candidate read it.
    competency_record = competency_record_of(assessment) if assessment.is_locked else None
    context["competency_record"] = competency_record
    context["ak02"] = (
        record_data(competency_record, translation.get_language()) if competency_record else None
    )
    if is_staff or is_assessor:
        # FR.AK.05 and FR.AK.06 are the LSP's records (9.3.5): the applicant sees the
        # recommendation and the BK units above, not the assessor's report or review.
        report = report_of(assessment)
        review = process_review_of(assessment)
        context["report"] = report
        context["ak05"] = report_data(report) if report else None
        context["process_review"] = review
        context["can_review_process"] = (
            assessment.is_locked
            and review is None
            and services.may_review_process(user, assessment)
        )
    if show_evidence:
        # The sidebar with the applicant's evidence is for the LSP's side, not the applicant.
        context["answers"] = (
            apl02.unit_answers(application, with_kuks=False) if not is_applicant else []
        )
        context["documents"] = application.documents.select_related("requirement")
    return render(request, "assessment/detail.html", context)


def _mapa02(plan_items):
    """FR.MAPA.02 as a table: the instruments any unit uses (in the forms' order) as columns, a
    row per unit with a tick for each it uses."""
    kinds = instrument_codes_in_order(code for item in plan_items for code in item.instruments)
    labels = dict(InstrumentKind.choices)
    return {
        "columns": [(code, labels[code]) for code in kinds],
        "rows": [(item, [code in item.instruments for code in kinds]) for item in plan_items],
    }


@require_POST
def declare_impartiality(request, pk):
    assessment = _own_case(request, pk)
    try:
        services.declare_impartiality(request.user, assessment)
    except RuleError as error:
        return _back(request, assessment, error)
    messages.success(request, _("Impartiality declared. You can now see the evidence."))
    return redirect("assessment:plan", assessment.pk)


def _plan_header_of(assessment):
    try:
        return assessment.plan_header
    except AssessmentPlan.DoesNotExist:
        return None


def _header_initial(header):
    if header is None:
        # The usual case of this LSP: a certification assessment the LSP itself carries out.
        return {
            "purpose": AssessmentPlan.Purpose.CERTIFICATION,
            "assessed_by": AssessmentPlan.AssessedBy.LSP,
        }
    return {
        name: getattr(header, name)
        for name in (
            "approach",
            "approach_other",
            "purpose",
            "purpose_other",
            "environment",
            "evidence_opportunity",
            "assessed_by",
            "confirm_with",
            "confirm_with_other",
            "start_time",
        )
    }


@require_http_methods(["GET", "POST"])
@_declared_case
def plan(request, assessment):
    """FR.MAPA.01: the header and each unit's evidence, methods, duration, date and TUK."""
    existing = {item.unit_id: item for item in assessment.plan.all()}
    current_header = _plan_header_of(assessment)
    data = request.POST or None
    defaults = PlanDefaultsForm(data)
    header_form = PlanHeaderForm(data, initial=_header_initial(current_header))
    forms = []
    for unit in assessment.application.scheme.units.all():
        item = existing.get(unit.pk)
        initial = (
            {
                "methods": item.methods,
                "evidence_kinds": item.evidence_kinds,
                "duration_minutes": item.duration_minutes,
                "date": item.date,
                "tuk": item.tuk_id,
                "instruments": item.instruments,
            }
            if item
            else {}
        )
        forms.append(PlanItemForm(data, unit=unit, initial=initial))
    if request.method == "POST":
        header_valid = header_form.is_valid()
        if defaults.is_valid() and header_valid and all([f.is_valid() for f in forms]):
            chosen = {k: v for k, v in defaults.cleaned_data.items() if v}
            items = {f.unit: f.values(chosen) for f in forms}
            incomplete = [u.code for u, v in items.items() if not v["date"] or not v["tuk"]]
            if incomplete:
                messages.error(
                    request,
                    _("Give a date and a TUK for every unit; missing: %(units)s.")
                    % {"units": ", ".join(incomplete)},
                )
            else:
                try:
                    services.set_plan(
                        request.user,
                        assessment,
                        {u: PlanItemInput.from_cleaned(v) for u, v in items.items()},
                        header=PlanHeaderInput.from_cleaned(header_form.cleaned_data),
                    )
                except RuleError as error:
                    messages.error(request, error.message)
                else:
                    messages.success(
                        request, _("The plan was saved. The applicant is asked to agree to it.")
                    )
                    return redirect("assessment:detail", assessment.pk)
        else:
            messages.error(request, _("Correct the marked fields; the plan was not saved."))
    today = timezone.localdate()
    lock = _lock(assessment, "plan")
    return render(
        request,
        "assessment/plan.html",
        {
            "assessment": assessment,
            "defaults": defaults,
            "header_form": header_form,
            "header": current_header,
            "forms": forms,
            "lock": lock,
            "plan": assessment.plan.select_related("unit", "tuk") if lock else None,
            "tuks": TUK.objects.all() if not lock else None,
            "today": today,
        },
        status=400 if request.method == "POST" else 200,
    )


@require_POST
def agree(request, pk):
    user = request.user
    if not (user.has_role(Role.ASSESSOR) or user.has_role(Role.APPLICANT)):
        raise PermissionDenied
    assessment = get_object_or_404(Assessment.objects.visible_to(user), pk=pk)
    form = AgreementForm(request.POST)
    form.is_valid()
    try:
        services.agree_plan(
            user,
            assessment,
            plan=form.cleaned_data.get("plan", False),
            confidentiality=form.cleaned_data.get("confidentiality", False),
        )
    except RuleError as error:
        return _back(request, assessment, error)
    messages.success(request, _("Your agreement to the plan was recorded."))
    return redirect("assessment:detail", assessment.pk)


@require_GET
def plan_document(request, pk, kind):
    """FR.MAPA.01 or FR.AK.01 as a PDF, for the case's assessor, its applicant and staff (404 for
    anyone else's case, and while there is no plan or the PDF is still being rendered)."""
    user = request.user
    if not (user.has_role(Role.STAFF) or user.has_role(Role.ASSESSOR) or user.is_applicant):
        raise PermissionDenied
    assessment = get_object_or_404(Assessment.objects.visible_to(user), pk=pk)
    if kind not in PlanDocument.Kind.values or not assessment.plan_set_at:
        raise Http404
    document = get_object_or_404(
        PlanDocument, assessment=assessment, kind=kind, pdf_status=PlanDocument.PDFStatus.READY
    )
    if not document.pdf:
        raise Http404
    return private_file_response(document.pdf, "application/pdf", document.filename)


def _adjustment_of(assessment):
    try:
        return assessment.adjustment
    except Adjustment.DoesNotExist:
        return None


@require_http_methods(["GET", "POST"])
def adjustment(request, pk):
    """FR.AK.07, reasonable adjustments, recorded by the case's assessor after the impartiality
    declaration and before the test; staff and the applicant read it (a POST of theirs is
    refused, 403); after a result or the submission it is a read-only document."""
    user = request.user
    if not (user.has_role(Role.STAFF) or user.has_role(Role.ASSESSOR) or user.is_applicant):
        raise PermissionDenied
    assessment = get_object_or_404(
        Assessment.objects.visible_to(user)
        .select_related("application__scheme", "assessor__user", "adjustment__recorded_by")
        .annotate(first_result_at=Min("results__recorded_at")),
        pk=pk,
    )
    is_assessor = assessment.assessor.user_id == user.pk and assessment.is_current
    if is_assessor and not assessment.impartiality_declared_at:
        return _back(request, assessment, RuleError(_("Declare your impartiality first (9.2.2).")))
    if request.method == "POST" and not is_assessor:
        raise PermissionDenied
    existing = _adjustment_of(assessment)
    lock = _adjustment_lock(assessment, is_assessor=is_assessor)
    initial = {}
    if existing:
        initial = {
            "needed": "yes" if existing.needed else "no",
            "needs": existing.needs,
            "description": existing.description,
            "adjustments": existing.adjustments,
            "agreed_with_candidate": existing.agreed_with_candidate,
        }
    form = AdjustmentForm(request.POST or None, initial=initial)
    if request.method == "POST":
        if form.is_valid():
            try:
                services.record_adjustment(
                    user, assessment, AdjustmentInput.from_cleaned(form.cleaned_data)
                )
            except RuleError as error:
                messages.error(request, error.message)
            else:
                messages.success(request, _("The reasonable adjustments (FR.AK.07) were saved."))
                return redirect("assessment:detail", assessment.pk)
        else:
            messages.error(request, _("Nothing was saved. Please correct the errors below."))
    return render(
        request,
        "assessment/adjustment.html",
        {"assessment": assessment, "form": form, "lock": lock, "adjustment": existing},
        status=400 if request.method == "POST" else 200,
    )


def _adjustment_lock(assessment, *, is_assessor):
    """Why the FR.AK.07 page is read-only, and since when; None when the assessor may edit it."""
    if assessment.is_locked:
        return _submitted_lock(assessment)
    if assessment.first_result_at:
        return {
            "reason": _(
                "A test result has been recorded: the reasonable adjustments (FR.AK.07) are "
                "recorded before the test and can no longer be changed."
            ),
            "since": assessment.first_result_at,
        }
    if not is_assessor:
        return {
            "reason": _("The case's assessor records the reasonable adjustments (FR.AK.07)."),
            "since": None,
        }
    return None


@require_http_methods(["GET", "POST"])
@_declared_case
def evidence(request, assessment):
    """9.2.5-9.2.6: VATM for the evidence of every element as the applicant answered FR-APL-02
    (every unit, for applications answered per unit), then the recommendation to proceed."""
    data = request.POST or None
    units = apl02.unit_answers(assessment.application, with_kuks=False)
    lock = _lock(assessment, "evidence")
    reviews = (
        {(r.unit_id, r.element_id): r for r in assessment.evidence_reviews.all()} if lock else {}
    )
    forms = []
    for unit_rows in units:
        for element, answer in unit_rows.rows:
            form = EvidenceReviewForm(data, unit=unit_rows.unit, element=element)
            forms.append(form)
            review = reviews.get((unit_rows.unit.pk, element.pk if element else None))
            unit_rows.forms.append((element, answer, form, review))
    proceed_form = ProceedForm(data)
    if request.method == "POST":
        if proceed_form.is_valid() and all(f.is_valid() for f in forms):
            try:
                services.review_evidence(
                    request.user,
                    assessment,
                    {f.key: EvidenceReviewInput.from_cleaned(f.cleaned_data) for f in forms},
                    proceed=proceed_form.cleaned_data["proceed"],
                    reason=proceed_form.cleaned_data["reason"],
                )
            except RuleError as error:
                messages.error(request, error.message)
            else:
                messages.success(request, _("The evidence review was recorded."))
                return redirect("assessment:detail", assessment.pk)
        else:
            messages.error(request, _("Nothing was saved. Please correct the errors below."))
    return render(
        request,
        "assessment/evidence.html",
        {
            "assessment": assessment,
            "units": units,
            "by_element": any(u.elements for u in units),
            "proceed_form": proceed_form,
            "lock": lock,
        },
        status=400 if request.method == "POST" else 200,
    )


@require_http_methods(["GET", "POST"])
@_declared_case
def results(request, assessment):
    """K/BK per unit (9.3.1-9.3.4), saved in parts: a unit is recorded only when its result is
    chosen; a refused unit keeps its row, marked with the reason, and the others are saved."""
    data = request.POST or None
    units = list(assessment.application.scheme.units.all())
    existing = {r.unit_id: r for r in assessment.results.all()}
    plan_items = {p.unit_id: p for p in assessment.plan.select_related("tuk")}
    lock = _lock(assessment, "results")
    forms = []
    for unit in units:
        result = existing.get(unit.pk)
        item = plan_items.get(unit.pk)
        if result:
            initial = {
                "methods": result.methods,
                "evidence_observed": result.evidence_observed,
                "valid": result.valid,
                "authentic": result.authentic,
                "current": result.current,
                "sufficient": result.sufficient,
                "result": result.result,
            }
        else:
            initial = {"methods": item.methods if item else []}
        forms.append(UnitResultForm(data, unit=unit, initial=initial))
    refused, unsaved = {}, set()
    status = 200
    if request.method == "POST":
        refused = {f.unit.pk: " ".join(f.error_list()) for f in forms if not f.is_valid()}
        filled = {
            f.unit: UnitResultInput.from_cleaned(f.cleaned_data)
            for f in forms
            if f.unit.pk not in refused and f.filled
        }
        # A row typed in but without K or BK is not saved; it stays on screen, not lost.
        unsaved = {
            f.unit.pk
            for f in forms
            if f.unit.pk not in refused and not f.filled and f.has_changed()
        }
        saved = ()
        try:
            if filled:
                outcome = services.record_valid_results(request.user, assessment, filled)
                refused.update(outcome.refused)
                saved = outcome.saved
        except RuleError as error:
            messages.error(request, error.message)
            status = 400
        else:
            if saved:
                messages.success(
                    request,
                    _("Results saved for %(count)s unit(s).") % {"count": len(saved)},
                )
            if refused:
                messages.error(
                    request,
                    _("%(count)s unit(s) were not saved: the reason is given in each marked row.")
                    % {"count": len(refused)},
                )
                status = 400
            if unsaved:
                messages.warning(
                    request,
                    _("Not saved, no result chosen: %(units)s. Choose K or BK to record a unit.")
                    % {"units": ", ".join(f.unit.code for f in forms if f.unit.pk in unsaved)},
                )
            if not (saved or refused or unsaved):
                messages.info(request, _("No unit has K or BK chosen; nothing was saved."))
            if saved and not (refused or unsaved):
                return redirect("assessment:detail", assessment.pk)
        existing = {r.unit_id: r for r in assessment.results.all()}
    kuk_coverage = unit_coverages(assessment, units, plan_items.values())
    # FR.IA.01's line per unit whose plan uses it: KUK observed achieved, of how many.
    coverage = {
        unit_id: {
            "achieved": kuk_coverage[unit_id].observed_achieved,
            "total": len(kuk_coverage[unit_id].rows),
        }
        for unit_id, item in plan_items.items()
        if item.observed and unit_id in kuk_coverage
    }
    rows = [
        {
            "form": form,
            "unit": form.unit,
            "item": plan_items.get(form.unit.pk),
            "recorded": existing.get(form.unit.pk),
            "refusal": refused.get(form.unit.pk),
            "unsaved": form.unit.pk in unsaved,
            "observed": coverage.get(form.unit.pk),
            "coverage": kuk_coverage[form.unit.pk],
        }
        for form in forms
    ]
    return render(
        request,
        "assessment/results.html",
        {
            "assessment": assessment,
            "rows": rows,
            "lock": lock,
            "recorded_count": len(existing),
            "vatm_rules": [
                (name, str(field.label)[:1], field.label)
                for name, field in ((n, forms[0].fields[n]) for n in VATM)
            ]
            if forms
            else [],
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
@_declared_case
def observation(request, assessment, unit_pk):
    """FR.IA.01, the observation checklist of one unit: its elements and their KUK (the
    application's pinned standard version), each achieved Ya / Tidak with a note, and a general
    comment. Saved as the assessor works: the KUK marked are saved, the others left for later.
    Read-only after submission (9.3.5); the service refuses what the page would not offer."""
    unit = get_object_or_404(assessment.application.scheme.units.all(), pk=unit_pk)
    plan_item = assessment.plan.select_related("tuk").filter(unit=unit).first()
    application = assessment.application
    elements = (
        list(
            Element.objects.filter(version_id=application.standard_id, unit=unit)
            .order_by("number")
            .prefetch_related("kuks")
        )
        if application.standard_id
        else []
    )
    records = {
        r.kuk_id: r
        for r in ObservationRecord.objects.filter(
            assessment=assessment, kuk__element__unit=unit
        ).select_related("recorded_by")
    }
    comment = ObservationComment.objects.filter(assessment=assessment, unit=unit).first()
    refusal = services.observation_refusal(assessment, unit, plan_item, timezone.localdate())
    lock = _submitted_lock(assessment) if assessment.is_locked else None
    if refusal and not lock:
        lock = {"reason": refusal, "since": None}
    data = request.POST if request.method == "POST" else None
    groups, forms = [], []
    for element in elements:
        rows = []
        for kuk in element.kuks.all():
            record_ = records.get(kuk.pk)
            initial = (
                {"achieved": "yes" if record_.achieved else "no", "note": record_.note}
                if record_
                else {}
            )
            form = ObservationForm(data, kuk=kuk, initial=initial)
            forms.append(form)
            rows.append({"kuk": kuk, "form": form, "record": record_})
        groups.append({"element": element, "rows": rows})
    comment_form = ObservationCommentForm(
        data, initial={"comment": comment.comment if comment else ""}
    )
    status = 200
    if request.method == "POST":
        if comment_form.is_valid() and all([f.is_valid() for f in forms]):
            try:
                services.record_observations(
                    request.user,
                    assessment,
                    unit,
                    {
                        f.kuk: ObservationInput.from_cleaned(f.cleaned_data)
                        for f in forms
                        if f.filled
                    },
                    comment=comment_form.cleaned_data["comment"],
                )
            except RuleError as error:
                messages.error(request, error.message)
                status = 400
            else:
                messages.success(
                    request,
                    _("The observation checklist (FR.IA.01) of unit %(unit)s was saved.")
                    % {"unit": unit.code},
                )
                return redirect("assessment:observation", assessment.pk, unit.pk)
        else:
            messages.error(request, _("Nothing was saved. Please correct the errors below."))
            status = 400
    total = sum(len(g["rows"]) for g in groups)
    return render(
        request,
        "assessment/observation.html",
        {
            "assessment": assessment,
            "unit": unit,
            "item": plan_item,
            "groups": groups,
            "comment_form": comment_form,
            "comment": comment,
            "lock": lock,
            "total": total,
            "achieved": sum(1 for r in records.values() if r.achieved),
            "observed_count": len(records),
        },
        status=status,
    )


@require_POST
def submit(request, pk):
    assessment = _own_case(request, pk)
    form = SubmitRecommendationForm(request.POST)
    if not form.is_valid():
        return _back(
            request, assessment, RuleError(_("A note is too long; nothing was submitted."))
        )
    try:
        services.submit_recommendation(
            request.user,
            assessment,
            note=form.cleaned_data["note"],
            report=ReportInput.from_cleaned(form.cleaned_data),
        )
    except RuleError as error:
        return _back(request, assessment, error)
    messages.success(request, _("The records and recommendation were submitted to the LSP."))
    return redirect("assessment:detail", assessment.pk)


@require_POST
def sign(request, pk):
    assessment = _applicants_case(request, pk)
    try:
        services.sign_result(request.user, assessment)
    except RuleError as error:
        return _back(request, assessment, error)
    messages.success(request, _("You signed the assessment result."))
    return redirect("assessment:detail", assessment.pk)


@require_POST
def decline(request, pk):
    assessment = _applicants_case(request, pk)
    form = DeclineForm(request.POST)
    comment = form.cleaned_data["comment"] if form.is_valid() else ""
    try:
        services.decline_to_sign(request.user, assessment, comment=comment)
    except RuleError as error:
        return _back(request, assessment, error)
    messages.success(request, _("Your reason for not signing was recorded."))
    return redirect("assessment:detail", assessment.pk)


@require_http_methods(["GET", "POST"])
def feedback(request, pk):
    assessment = _applicants_case(request, pk)
    form = FeedbackForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.give_feedback(
                request.user,
                assessment,
                answers=form.answers(),
                comment=form.cleaned_data["comment"],
            )
        except RuleError as error:
            return _back(request, assessment, error)
        messages.success(request, _("Thank you for your feedback."))
        return redirect("assessment:detail", assessment.pk)
    try:
        given = assessment.feedback
    except Feedback.DoesNotExist:
        given = None
    if given:
        lock = {"reason": _("Your feedback was sent (FR-AK-03)."), "since": given.submitted_at}
    elif not assessment.is_locked:
        lock = {"reason": _("Feedback is given once the result was submitted."), "since": None}
    else:
        lock = None
    return render(
        request,
        "assessment/feedback.html",
        {"assessment": assessment, "form": form, "lock": lock, "given": given},
        status=400 if request.method == "POST" else 200,
    )


# ---------------------------------------------------------------------------------------------
# FR.AK.05 (the assessor's report) and FR.AK.06 (the review of the process), after submission
# ---------------------------------------------------------------------------------------------


def _lsp_record_case(request, pk):
    """A case whose LSP records (FR.AK.05, FR.AK.06) the user may read here: staff, and the
    case's current assessor (404 for another assessor's case); the applicant 403."""
    user = request.user
    if not (user.has_role(Role.STAFF) or user.has_role(Role.ASSESSOR)):
        raise PermissionDenied
    assessment = get_object_or_404(
        Assessment.objects.visible_to(user).select_related(
            "application__scheme", "assessor__user", "report", "process_review__reviewed_by"
        ),
        pk=pk,
    )
    if not services.may_review_process(user, assessment):
        raise PermissionDenied
    return assessment


@require_http_methods(["GET", "POST"])
def process_review(request, pk):
    """FR.AK.06, filled once after the submission (9.3.5) by the case's assessor or staff as
    lead assessor; a signed review is shown read-only."""
    assessment = _lsp_record_case(request, pk)
    existing = process_review_of(assessment)
    if existing:
        lock = {
            "reason": _("The review of the assessment process (FR.AK.06) was signed."),
            "since": existing.reviewed_at,
        }
    elif not assessment.is_locked:
        lock = {
            "reason": _(
                "The assessment process is reviewed (FR.AK.06) once the records were "
                "submitted to the LSP (9.3.5)."
            ),
            "since": None,
        }
    else:
        lock = None
    form = ProcessReviewForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                services.review_process(
                    request.user,
                    assessment,
                    ProcessReviewInput(
                        principles=form.principles(),
                        recommendations=form.cleaned_data["recommendations"],
                        dimensions=tuple(form.cleaned_data["dimensions"]),
                        consistency_recommendations=form.cleaned_data[
                            "consistency_recommendations"
                        ],
                    ),
                )
            except RuleError as error:
                messages.error(request, error.message)
            else:
                messages.success(
                    request, _("The review of the assessment process (FR.AK.06) was signed.")
                )
                return redirect("assessment:detail", assessment.pk)
        else:
            messages.error(request, _("Nothing was saved. Please correct the errors below."))
    return render(
        request,
        "assessment/process_review.html",
        {
            "assessment": assessment,
            "form": form,
            "lock": lock,
            "process_review": existing,
            "principle_labels": [str(label) for label in ProcessReview.Principle.labels],
        },
        status=400 if request.method == "POST" else 200,
    )


@require_GET
def report_pdf(request, pk):
    assessment = _lsp_record_case(request, pk)
    return pdf_response(report_of(assessment), f"FR.AK.05-{assessment.reference}.pdf")


@require_POST
@role_required(Role.STAFF)
def retry_pdf(request, pk, kind):
    """Staff render again an FR.AK.02/05/06 PDF whose rendering failed."""
    assessment = get_object_or_404(Assessment, pk=pk)
    try:
        services.retry_render(request.user, assessment, kind)
    except RuleError as error:
        return _back(request, assessment, error)
    messages.success(request, _("The PDF is being rendered again."))
    return redirect("assessment:detail", assessment.pk)


@require_GET
def record_pdf(request, pk):
    """FR.AK.02: staff, the case's assessor, and the candidate, who signs it."""
    if request.user.has_role(Role.APPLICANT):
        assessment = _applicants_case(request, pk)
    else:
        assessment = _lsp_record_case(request, pk)
    return pdf_response(competency_record_of(assessment), f"FR.AK.02-{assessment.reference}.pdf")


@require_GET
def review_pdf(request, pk):
    assessment = _lsp_record_case(request, pk)
    return pdf_response(process_review_of(assessment), f"FR.AK.06-{assessment.reference}.pdf")
