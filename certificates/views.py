"""Views of certificates: the holder's and staff's pages, downloads, and public verification."""

import uuid

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from lsp_portal import exports
from lsp_portal.accounts.decorators import role_required
from lsp_portal.accounts.roles import Role
from lsp_portal.accounts.security import client_ip
from lsp_portal.audit.services import events_for
from lsp_portal.errors import RuleError
from lsp_portal.ratelimit import hit

from . import services, verification
from .forms import (
    AgreementForm,
    FeeForm,
    FreezeForm,
    NoteForm,
    ReduceScopeForm,
    RegistryFilterForm,
    RevokeForm,
    VerifyForm,
    WarnForm,
)
from .models import Certificate


def _certificate_for(request, pk):
    return get_object_or_404(
        Certificate.objects.visible_to(request.user).select_related("signatory", "holder"), pk=pk
    )


@require_GET
def mine(request):
    certificates = Certificate.objects.filter(holder=request.user).select_related("signatory")
    return render(request, "certificates/mine.html", {"certificates": certificates})


@require_GET
def detail(request, pk):
    certificate = _certificate_for(request, pk)
    is_staff = request.user.has_role(Role.STAFF)
    is_director = request.user.has_role(Role.DIRECTOR)
    warnings = list(certificate.warnings.select_related("issued_by"))
    return render(
        request,
        "certificates/detail.html",
        {
            "certificate": certificate,
            "is_holder": certificate.holder_id == request.user.pk,
            "is_staff": is_staff,
            "agreement_form": AgreementForm(),
            "fee_form": FeeForm(
                initial={"amount": certificate.decision.assessment.application.scheme.fee}
            ),
            "units": certificate.scope.order_by("number"),
            "events": events_for(certificate) if is_staff else None,
            "is_director": is_director,
            "warnings": warnings,
            # The action forms offered are those the services accept now (issue 13.5).
            "can_warn": is_staff and services.warn_refusal(certificate) is None,
            "revoke_refusal": (
                services.revoke_refusal(certificate, warned=bool(warnings)) if is_director else None
            ),
            "warn_form": WarnForm(),
            "freeze_form": FreezeForm(),
            "note_form": NoteForm(),
            "revoke_form": RevokeForm(),
            "reduce_form": ReduceScopeForm(certificate=certificate),
        },
    )


@require_POST
def agree(request, pk):
    certificate = _certificate_for(request, pk)
    form = AgreementForm(request.POST)
    points = form.cleaned_data["points"] if form.is_valid() else []
    try:
        services.sign_agreement(request.user, certificate, points=points)
    except RuleError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Your agreement was recorded."))
    return redirect("certificates:detail", certificate.pk)


@require_POST
@role_required(Role.STAFF)
def record_fee(request, pk):
    certificate = _certificate_for(request, pk)
    form = FeeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter the amount paid."))
        return redirect("certificates:detail", certificate.pk)
    try:
        services.record_fee(request.user, certificate, amount=form.cleaned_data["amount"])
    except RuleError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The fee was recorded as paid."))
    return redirect("certificates:detail", certificate.pk)


ACTIONS = {
    # name: (form, service call, success message)
    "warn": (
        WarnForm,
        lambda user, c, d: services.warn(user, c, ground=d["ground"], text=d["text"]),
        gettext_lazy("The warning was recorded and sent to the holder."),
    ),
    "freeze": (
        FreezeForm,
        lambda user, c, d: services.freeze(
            user, c, ground=d["ground"], reason=d["reason"], resolve_by=d["resolve_by"]
        ),
        gettext_lazy("The certificate is frozen; the holder was told."),
    ),
    "restore": (
        NoteForm,
        lambda user, c, d: services.restore(user, c, note=d["note"]),
        gettext_lazy("The certificate is in force again."),
    ),
    "revoke": (
        RevokeForm,
        lambda user, c, d: services.revoke(user, c, reason=d["reason"]),
        gettext_lazy("The certificate is revoked; the holder was told to return it."),
    ),
    "reduce": (
        ReduceScopeForm,
        lambda user, c, d: services.reduce_scope(
            user, c, remove_units=list(d["units"]), reason=d["reason"]
        ),
        gettext_lazy("The scope was reduced; a new version of the certificate is rendered."),
    ),
    "returned": (
        None,
        lambda user, c, d: services.record_return(user, c),
        gettext_lazy("The return of the certificate was recorded."),
    ),
}


@require_POST
@role_required(Role.STAFF, Role.DIRECTOR)
def action(request, pk, name):
    """Warn, freeze, restore, revoke, reduce the scope or record the return (9.5, 9.8.4); the
    service checks who may do what."""
    certificate = _certificate_for(request, pk)
    if name not in ACTIONS:
        raise Http404
    form_class, call, done = ACTIONS[name]
    data = {}
    if form_class is not None:
        kwargs = {"certificate": certificate} if form_class is ReduceScopeForm else {}
        form = form_class(request.POST, **kwargs)
        if not form.is_valid():
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, error)
            return redirect("certificates:detail", certificate.pk)
        data = form.cleaned_data
    try:
        call(request.user, certificate, data)
    except RuleError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, done)
    return redirect("certificates:detail", certificate.pk)


@require_GET
def download(request, pk, kind):
    """The certificate or card PDF: the holder while it is valid (9.5.3), staff whenever stored."""
    certificate = _certificate_for(request, pk)
    if kind == "certificate":
        document = certificate
    elif kind == "card":
        document = getattr(certificate, "card", None)
    else:
        raise Http404
    if document is None or not document.pdf:
        raise Http404
    if not request.user.has_role(Role.STAFF) and not certificate.can_download:
        raise PermissionDenied
    name = f"{kind}-{(certificate.number or 'draft').replace('/', '-')}.pdf"
    response = FileResponse(document.pdf.open("rb"), content_type="application/pdf", filename=name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
@role_required(Role.STAFF, Role.DIRECTOR)
def registry(request):
    form = RegistryFilterForm(request.GET or None)
    certificates = Certificate.objects.select_related("holder").order_by("-created_at")
    if form.is_valid():
        data = form.cleaned_data
        if data["status"]:
            certificates = certificates.filter(status=data["status"])
        if data["scheme"]:
            certificates = certificates.filter(
                decision__assessment__application__scheme=data["scheme"]
            )
        if data["year"]:
            certificates = certificates.filter(year=data["year"])
        if data["q"]:
            certificates = certificates.filter(
                Q(holder_name__icontains=data["q"]) | Q(number__icontains=data["q"])
            )
    if request.GET.get("format") in ("csv", "xlsx"):
        return _registry_export(certificates, request.GET["format"])
    page = Paginator(certificates, 25).get_page(request.GET.get("page"))
    return render(request, "certificates/registry.html", {"form": form, "page": page})


REGISTRY_COLUMNS = [
    "number",
    "holder",
    "scheme",
    "status",
    "public_status",
    "issued_on",
    "valid_until",
    "units",
]


def _registry_export(certificates, kind):
    """The filtered registry as CSV or XLSX, through lsp_portal.exports (holder names come from
    applicants: no cell can run as a formula), streamed in chunks of 500."""
    rows = (
        [
            c.number or "",
            c.holder_name,
            c.scheme_name,
            c.status,
            c.public_status.value if c.number else "",
            c.issued_on,
            c.valid_until,
            " ".join(u.code for u in c.scope.all()),
        ]
        for c in certificates.prefetch_related("scope").iterator(chunk_size=500)
    )
    if kind == "xlsx":
        return exports.xlsx_response(
            "certificates.xlsx", REGISTRY_COLUMNS, rows, title="certificates"
        )
    return exports.csv_response("certificates.csv", REGISTRY_COLUMNS, rows)


# ---------------------------------------------------------------------------------------------
# Public verification: no login, no personal data beyond name and scheme
# ---------------------------------------------------------------------------------------------


def _token(value):
    """A well-formed token, or None: anything malformed is simply not found."""
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


@login_not_required
@require_GET
def verify(request):
    """Verification by number, for anyone. Numbers run per year and scheme, so they can be
    guessed in order: each client may look up VERIFY_NUMBER_LIMIT_PER_MINUTE numbers a minute
    (issue 12.8); beyond it the page answers 429 with the form and says to wait. The QR link
    (`verify_token`, an unguessable token) is not limited."""
    form = VerifyForm(request.GET or None)
    record = None
    searched = bool(request.GET.get("number", "").strip())
    if searched and not hit(
        "verify-number",
        client_ip(request) or "unknown",
        limit=settings.VERIFY_NUMBER_LIMIT_PER_MINUTE,
        period=60,
    ):
        return render(
            request, "certificates/verify.html", {"form": form, "limited": True}, status=429
        )
    if searched and form.is_valid():
        record = verification.by_number(form.cleaned_data["number"].strip())
    return render(
        request,
        "certificates/verify.html",
        {
            "form": form,
            "searched": searched,
            "data": verification.public_data(record, dates=True) if record else None,
        },
        status=404 if searched and record is None else 200,
    )


@login_not_required
@require_GET
def verify_token(request, token):
    token = _token(token)
    record = verification.by_token(token) if token else None
    return render(
        request,
        "certificates/verify.html",
        {
            "form": VerifyForm(),
            "searched": True,
            "data": verification.public_data(record, dates=True) if record else None,
        },
        status=200 if record else 404,
    )


@login_not_required
@require_GET
def verify_json(request, token):
    token = _token(token)
    record = verification.by_token(token) if token else None
    if record is None:
        return JsonResponse({"found": False}, status=404)
    return JsonResponse({"found": True, **verification.public_data(record)})
