"""Views for schemes (public), the applicant's FR-APL-01/02, and the LSP's review (9.1.6).

Views are thin: they load what the user may see (404 otherwise), check the role (403), and call
services.py. A refused action (RuleError) is shown as a message and changes nothing.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from lsp_portal import exports
from lsp_portal.accounts.decorators import role_required
from lsp_portal.accounts.roles import Role
from lsp_portal.audit.services import events_for
from lsp_portal.errors import RuleError
from lsp_portal.files import private_file_response
from lsp_portal.rowforms import Outcome, save_rows

from . import apl02, eligibility, services
from .forms import (
    DocumentUploadForm,
    ExperienceForm,
    PersonalDataForm,
    QueueFilterForm,
    ReviewDecisionForm,
    SelfAssessmentForm,
    StandardImportForm,
    SubmitForm,
    UnitStandardForm,
)
from .inputs import ExperienceInput, PersonalDataInput, SelfAssessmentInput
from .models import KUK, Application, Document, Scheme, SchemeClause, Unit

Status = Application.Status


# ---------------------------------------------------------------------------------------------
# Public pages
# ---------------------------------------------------------------------------------------------


@login_not_required
@require_GET
def home(request):
    schemes = Scheme.objects.open_for_applications().annotate(unit_count=Count("units"))
    return render(request, "registration/home.html", {"schemes": schemes})


@login_not_required
@require_GET
def scheme_detail(request, code):
    """9.1.1: requirements, evidence, process, rights, obligations, fee and appeals, from data."""
    scheme = get_object_or_404(Scheme, code=code)
    clauses = {}
    for clause in scheme.clauses.all():
        clauses.setdefault(clause.kind, []).append(clause)
    sections = [
        (kind, label, clauses[kind]) for kind, label in SchemeClause.Kind.choices if kind in clauses
    ]
    return render(
        request,
        "registration/scheme_detail.html",
        {
            "scheme": scheme,
            "units": scheme.units.all(),
            "courses": scheme.required_courses.all(),
            "documents": scheme.required_documents.all(),
            "fields": scheme.experience_fields.all(),
            "sections": sections,
        },
    )


# ---------------------------------------------------------------------------------------------
# LSP staff: the scheme's competency standard (units -> elements -> KUK)
# ---------------------------------------------------------------------------------------------


def _standard_units(scheme, version):
    """(unit, its elements with their KUK) for each unit of the scheme, in a fixed number of
    queries whatever the number of elements and KUK."""
    by_unit = {}
    if version is not None:
        elements = version.elements.prefetch_related(
            Prefetch("kuks", queryset=KUK.objects.order_by("position"))
        )
        for element in elements:
            by_unit.setdefault(element.unit_id, []).append(element)
    return [(unit, by_unit.get(unit.pk, [])) for unit in scheme.units.all()]


@require_http_methods(["GET", "POST"])
@role_required(Role.STAFF)
def scheme_standard(request, code):
    """The current version of the scheme's standard, its history and the import of a new one
    (services.import_units: all or nothing; every problem shown with its row)."""
    scheme = get_object_or_404(Scheme, code=code)
    form = StandardImportForm(request.POST or None, request.FILES or None)
    outcome = Outcome()
    if request.method == "POST":
        outcome = save_rows(
            request,
            form,
            lambda: services.import_units(
                request.user,
                scheme,
                form.cleaned_data["file"],
                dry_run=form.cleaned_data["dry_run"],
            ),
            invalid=_("The file was not imported. See the message below."),
        )
        result = outcome.result
        if result is not None:
            counts = {"units": result.units, "elements": result.elements, "kuks": result.kuks}
            if result.version is None:
                messages.success(
                    request,
                    _(
                        "The file is correct: %(units)d units, %(elements)d elements, "
                        "%(kuks)d KUK. Nothing was imported (check only)."
                    )
                    % counts,
                )
            else:
                messages.success(
                    request,
                    _(
                        "Version %(version)d imported: %(units)d units, %(elements)d "
                        "elements, %(kuks)d KUK."
                    )
                    % {"version": result.version.number, **counts},
                )
                return redirect("registration:scheme_standard", scheme.code)
    versions = list(scheme.standard_versions.select_related("created_by").order_by("-number"))
    current = versions[0] if versions else None
    return render(
        request,
        "registration/scheme_standard.html",
        {
            "scheme": scheme,
            "version": current,
            "units": _standard_units(scheme, current),
            "versions": versions,
            "form": form,
            "problems": outcome.problems,
        },
        status=outcome.status,
    )


@require_http_methods(["GET", "POST"])
@role_required(Role.STAFF)
def scheme_standard_unit(request, code, unit_pk):
    """One unit's elements and KUK edited in the browser; a save is the next version of the
    standard (services.edit_unit: all or nothing, the other units copied unchanged)."""
    scheme = get_object_or_404(Scheme, code=code)
    unit = get_object_or_404(Unit, pk=unit_pk, scheme=scheme)
    version = scheme.current_standard()
    if version is None:
        messages.error(
            request,
            _("No elements and KUK have been imported for this scheme yet: import them first."),
        )
        return redirect("registration:scheme_standard", scheme.code)
    elements = version.elements.filter(unit=unit).prefetch_related(
        Prefetch("kuks", queryset=KUK.objects.order_by("position"))
    )
    form = UnitStandardForm(
        request.POST if request.method == "POST" else None, version=version, elements=elements
    )
    outcome = Outcome()
    if request.method == "POST":
        outcome = save_rows(
            request,
            form,
            lambda: services.edit_unit(request.user, scheme, unit, form.to_input()),
            invalid=_("Nothing was saved. See the messages below."),
        )
        if outcome.result is not None:
            messages.success(
                request,
                _("Unit %(code)s saved as version %(version)d of the competency standard.")
                % {"code": unit.code, "version": outcome.result.number},
            )
            return redirect("registration:scheme_standard", scheme.code)
    return render(
        request,
        "registration/scheme_standard_unit.html",
        {
            "scheme": scheme,
            "unit": unit,
            "version": version,
            "form": form,
            "problems": outcome.problems,
        },
        status=outcome.status,
    )


@require_GET
@role_required(Role.STAFF)
def scheme_standard_export(request, code):
    """The current version as the spreadsheet the import reads (services.export_units)."""
    scheme = get_object_or_404(Scheme, code=code)
    version = scheme.current_standard()
    content = services.export_units(scheme, version)
    number = version.number if version is not None else 0
    response = HttpResponse(content, content_type=exports.XLSX)
    response["Content-Disposition"] = (
        f'attachment; filename="standard-{scheme.code}-v{number}.xlsx"'
    )
    return response


# ---------------------------------------------------------------------------------------------
# Dashboard
# ---------------------------------------------------------------------------------------------


def _journeys(applications):
    """The applicant's status tracker of each application (pk -> steps): registration, then the
    later stages (each app adds its own through registration.hooks.journey, one call for all the
    applications); stages not reached yet are shown as such."""
    from . import hooks

    journeys = {}
    for application in applications:
        registration_state = {
            Status.DRAFT: "current",
            Status.SUBMITTED: "current",
            Status.REVISION_REQUESTED: "attention",
            Status.ELIGIBLE: "done",
            Status.REJECTED: "failed",
            Status.WITHDRAWN: "failed",
        }[application.status]
        later = "next" if application.status == Status.ELIGIBLE else "pending"
        journeys[application.pk] = [
            {"key": "registration", "label": _("Registration"), "state": registration_state},
            {"key": "assessment", "label": _("Assessment"), "state": later},
            {"key": "decision", "label": _("Decision"), "state": "pending"},
            {"key": "certificate", "label": _("Certificate"), "state": "pending"},
            {"key": "appeal", "label": _("Appeal"), "state": "pending"},
        ]
    if not journeys:
        return journeys
    for provider in hooks.journey:
        for pk, provided in (provider(applications) or {}).items():
            by_key = {step["key"]: step for step in journeys[pk]}
            for step in provided:
                by_key[step["key"]].update(step)
    return journeys


def _journey(application):
    return _journeys([application])[application.pk]


@require_GET
def dashboard(request):
    from . import hooks

    user = request.user
    if user.has_role(Role.STAFF) and not user.has_role(Role.APPLICANT):
        return redirect("registration:review_queue")
    if not user.has_role(Role.APPLICANT):
        for role, url_name in hooks.homes:
            if user.has_role(role):
                return redirect(url_name)
    context = {}
    if user.has_role(Role.APPLICANT):
        applications = list(
            Application.objects.filter(applicant=user)
            .select_related("scheme")
            .order_by("-created_at")
        )
        journeys = _journeys(applications)
        context["applications"] = []
        for application in applications:
            journey = journeys[application.pk]
            moved_on = any(step.get("url") for step in journey[1:])
            context["applications"].append((application, journey, moved_on))
        taken = {a.scheme_id for a in applications if a.status not in Application.CLOSED_STATUSES}
        context["open_schemes"] = Scheme.objects.open_for_applications().exclude(pk__in=taken)
    return render(request, "registration/dashboard.html", context)


# ---------------------------------------------------------------------------------------------
# The applicant: FR-APL-01 and FR-APL-02
# ---------------------------------------------------------------------------------------------


def _own_application(request, pk):
    """Applicant role or 403; the applicant's own application or 404."""
    if not request.user.has_role(Role.APPLICANT):
        raise PermissionDenied
    return get_object_or_404(
        Application.objects.select_related("scheme"), pk=pk, applicant=request.user
    )


def _refused(request, error, application):
    messages.error(request, error.message)
    return redirect("registration:application_detail", application.pk)


@require_POST
@role_required(Role.APPLICANT)
def application_start(request, code):
    scheme = get_object_or_404(Scheme, code=code)
    try:
        application = services.start_application(request.user, scheme)
    except RuleError as error:
        messages.error(request, error.message)
        return redirect("dashboard")
    return redirect("registration:application_personal", application.pk)


@require_GET
def application_detail(request, pk):
    application = _own_application(request, pk)
    return render(
        request,
        "registration/application_detail.html",
        {
            "application": application,
            "journey": _journey(application),
            "completeness": eligibility.completeness_checks(application),
            "eligibility": eligibility.eligibility_checks(application),
            "submit_form": SubmitForm(),
        },
    )


@require_http_methods(["GET", "POST"])
def application_personal(request, pk):
    application = _own_application(request, pk)
    form = PersonalDataForm(request.POST or None, instance=application)
    if request.method == "POST" and application.is_editable and form.is_valid():
        try:
            services.save_personal_data(
                request.user, application, PersonalDataInput.from_cleaned(form.cleaned_data)
            )
        except RuleError as error:
            return _refused(request, error, application)
        messages.success(request, _("Personal and education data saved."))
        if "continue" in request.POST:
            return redirect("registration:application_experience", application.pk)
        return redirect("registration:application_personal", application.pk)
    if request.method == "POST" and not application.is_editable:
        return _refused(request, RuleError(_locked_message()), application)
    return render(
        request,
        "registration/application_personal.html",
        {
            "application": application,
            "form": form,
            "programmes": application.scheme.study_programme_list(),
        },
    )


def _locked_message():
    return _(
        "This application has been submitted and can no longer be changed. "
        "You can change it again if the LSP asks for a revision."
    )


@require_http_methods(["GET", "POST"])
def application_experience(request, pk):
    application = _own_application(request, pk)
    form = ExperienceForm(request.POST or None, scheme=application.scheme)
    if request.method == "POST":
        if form.is_valid():
            try:
                services.add_experience(
                    request.user, application, ExperienceInput.from_cleaned(form.cleaned_data)
                )
            except RuleError as error:
                return _refused(request, error, application)
            messages.success(request, _("Experience added."))
            return redirect("registration:application_experience", application.pk)
        messages.error(request, _("Please correct the errors below."))
    experiences = application.experiences.select_related("field")
    return render(
        request,
        "registration/application_experience.html",
        {
            "application": application,
            "form": form,
            "experiences": experiences,
            "relevant_hours": application.relevant_experience_hours(),
        },
    )


@require_POST
def experience_delete(request, pk, experience_pk):
    application = _own_application(request, pk)
    try:
        services.remove_experience(request.user, application, experience_pk)
    except RuleError as error:
        return _refused(request, error, application)
    messages.success(request, _("Experience removed."))
    return redirect("registration:application_experience", application.pk)


@require_http_methods(["GET", "POST"])
def application_documents(request, pk):
    application = _own_application(request, pk)
    documents = list(application.documents.select_related("requirement"))
    requirements = [
        (req, [d for d in documents if d.requirement_id == req.pk])
        for req in application.scheme.required_documents.all()
    ]
    # Preselect the first document still missing, so uploading is one file after another.
    missing = next((req for req, files in requirements if len(files) < req.quantity), None)
    form = DocumentUploadForm(
        request.POST or None,
        request.FILES or None,
        scheme=application.scheme,
        initial={"requirement": missing},
    )
    if request.method == "POST":
        if form.is_valid():
            try:
                services.upload_document(
                    request.user,
                    application,
                    form.cleaned_data["requirement"],
                    form.cleaned_data["checked"],
                )
            except RuleError as error:
                messages.error(request, error.message)
            else:
                messages.success(request, _("File uploaded."))
                return redirect("registration:application_documents", application.pk)
        else:
            messages.error(request, _("The file was not uploaded. See the message below."))
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "registration/application_documents.html",
        {
            "application": application,
            "form": form,
            "requirements": requirements,
            "evidence": [d for d in documents if d.requirement_id is None],
            "max_upload": settings.UPLOAD_MAX_BYTES,
        },
        status=status,
    )


@require_POST
def document_delete(request, pk, document_pk):
    application = _own_application(request, pk)
    try:
        services.remove_document(request.user, application, document_pk)
    except RuleError as error:
        return _refused(request, error, application)
    messages.success(request, _("File removed."))
    return redirect("registration:application_documents", application.pk)


@require_http_methods(["GET", "POST"])
def application_self_assessment(request, pk):
    """FR-APL-02 (9.1.3): K/BK with evidence per element of each unit ("Dapatkah saya ...?",
    the element's KUK shown), in the version of the standard pinned to the application; units
    without elements there are answered as a whole (registration/apl02.py)."""
    application = _own_application(request, pk)
    documents = list(application.documents.select_related("requirement"))
    units = apl02.unit_answers(application, with_evidence=False)
    forms = []
    for unit_rows in units:
        unit_rows.forms = []
        for element, current in unit_rows.rows:
            initial = (
                {"answer": current.answer, "note": current.note, "evidence": current.evidence_id}
                if current
                else {}
            )
            form = SelfAssessmentForm(
                request.POST or None,
                request.FILES or None,
                unit=unit_rows.unit,
                element=element,
                documents=documents,
                initial=initial,
            )
            unit_rows.forms.append(form)
            forms.append(form)
    if request.method == "POST":
        if all(f.is_valid() for f in forms):
            values = {
                f.key: SelfAssessmentInput.from_cleaned(f.cleaned_data)
                for f in forms
                if f.cleaned_data.get("answer")
            }
            try:
                services.save_self_assessment(request.user, application, values)
            except RuleError as error:
                return _refused(request, error, application)
            messages.success(request, _("Self-assessment saved."))
            if "continue" in request.POST:
                return redirect("registration:application_detail", application.pk)
            return redirect("registration:application_self_assessment", application.pk)
        messages.error(request, _("Nothing was saved. Please correct the rows marked below."))
    return render(
        request,
        "registration/application_self_assessment.html",
        {
            "application": application,
            "units": units,
            "by_element": any(u.elements for u in units),
        },
        status=400 if request.method == "POST" else 200,
    )


@require_POST
def application_submit(request, pk):
    application = _own_application(request, pk)
    form = SubmitForm(request.POST)
    try:
        services.submit(request.user, application, agreed=form.is_valid())
    except RuleError as error:
        return _refused(request, error, application)
    messages.success(
        request, _("Your application has been submitted. The LSP will review it and e-mail you.")
    )
    return redirect("registration:application_detail", application.pk)


@require_POST
def application_withdraw(request, pk):
    application = _own_application(request, pk)
    try:
        services.withdraw(request.user, application, reason=request.POST.get("reason", "")[:500])
    except RuleError as error:
        return _refused(request, error, application)
    messages.success(request, _("Your application has been withdrawn."))
    return redirect("dashboard")


@require_GET
@xframe_options_sameorigin
def document_file(request, pk):
    """An uploaded file, shown inline to whoever may see its application (404 for anyone else)."""
    visible = Application.objects.visible_to(request.user)
    document = get_object_or_404(Document, pk=pk, application__in=visible)
    return private_file_response(
        document.file,
        document.content_type,
        document.original_name,
        as_attachment="download" in request.GET,
    )


# ---------------------------------------------------------------------------------------------
# LSP staff: the review queue (9.1.6)
# ---------------------------------------------------------------------------------------------


@require_GET
@role_required(Role.STAFF)
def review_queue(request):
    form = QueueFilterForm(request.GET or None)
    applications = Application.objects.select_related("scheme", "applicant").order_by(
        "submitted_at", "created_at"
    )
    status = Status.SUBMITTED
    if form.is_valid():
        status = form.cleaned_data["status"] if "status" in request.GET else Status.SUBMITTED
        if form.cleaned_data["scheme"]:
            applications = applications.filter(scheme=form.cleaned_data["scheme"])
        if form.cleaned_data["q"]:
            q = form.cleaned_data["q"]
            # The e-mail of FR-APL-01 (the account's, unless changed): no join with the users.
            applications = applications.filter(
                Q(full_name__icontains=q) | Q(email__icontains=q) | Q(nik=q)
            )
    if status:
        applications = applications.filter(status=status)
    counts = Application.status_counts()
    page = Paginator(applications, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "registration/review_queue.html",
        {
            "form": form,
            "page": page,
            "status": status,
            "counts": [(value, label, counts.get(value, 0)) for value, label in Status.choices],
        },
    )


@require_GET
@role_required(Role.STAFF)
def review_detail(request, pk):
    application = get_object_or_404(
        Application.objects.select_related("scheme", "applicant", "reviewed_by"), pk=pk
    )
    documents = list(application.documents.select_related("requirement"))
    return render(
        request,
        "registration/review_detail.html",
        {
            "application": application,
            "eligibility": eligibility.eligibility_checks(application),
            "completeness": eligibility.completeness_checks(application),
            "documents": documents,
            "experiences": application.experiences.select_related("field"),
            "answers": apl02.unit_answers(application, with_kuks=False),
            "events": events_for(application),
            "form": ReviewDecisionForm(),
        },
    )


@require_POST
@role_required(Role.STAFF)
def review_decide(request, pk):
    application = get_object_or_404(Application, pk=pk)
    form = ReviewDecisionForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("registration:review_detail", application.pk)
    decision, note = form.cleaned_data["decision"], form.cleaned_data["note"]
    try:
        if decision == form.ELIGIBLE:
            services.confirm_eligible(request.user, application, note=note)
            messages.success(request, _("The application was confirmed eligible."))
        elif decision == form.REVISION:
            services.request_revision(request.user, application, note=note)
            messages.success(request, _("The applicant was asked to revise the application."))
        else:
            services.reject(request.user, application, reason=note)
            messages.success(request, _("The application was rejected."))
    except RuleError as error:
        messages.error(request, error.message)
    return redirect("registration:review_detail", application.pk)
