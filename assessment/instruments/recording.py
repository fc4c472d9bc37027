"""The assessor's instrument page of one unit (9.3.1, 9.3.3): the coverage of the unit's KUK as a
matrix (KUK x instrument) with what is still missing, and the records of the instruments the
plan (FR.MAPA.02) uses - the bank items of FR.IA.02/03/04A/04B/07/09/11 judged one by one, the
FR.IA.08 portfolio checks and the FR.IA.10 third-party statements. FR.IA.01 has its own page.
Each form saves one instrument as the assessor works; read-only after submission (9.3.5)."""

from django.contrib import messages
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from lsp_portal.errors import RuleError
from registration.models import KUK

from .. import coverage, services
from ..forms import ItemRecordForm, PortfolioCheckForm, ThirdPartyForm
from ..inputs import ItemRecordInput, PortfolioCheckInput, ThirdPartyInput
from ..models import (
    ITEM_INSTRUMENTS,
    InstrumentRecord,
    PortfolioCheck,
    ThirdPartyStatement,
)
from ..views import _declared_case, _submitted_lock
from .models import InstrumentItem, InstrumentKind


def _item_sections(assessment, unit, plan_item, data, action):
    """(kind, label, [(item, form, record)], refusal) for each item instrument the plan uses."""
    planned = [k for k in ITEM_INSTRUMENTS if plan_item is not None and k in plan_item.instruments]
    if not planned:
        return []
    items = []
    if assessment.instrument_bank_id is not None:
        items = list(
            InstrumentItem.objects.filter(
                bank_id=assessment.instrument_bank_id, unit=unit, kind__in=planned
            )
            .prefetch_related(Prefetch("kuks", queryset=KUK.objects.order_by("position")))
            .order_by("kind", "number")
        )
    records = {
        r.item_id: r for r in InstrumentRecord.objects.filter(assessment=assessment, item__in=items)
    }
    labels = dict(InstrumentKind.choices)
    today = timezone.localdate()
    sections = []
    for kind in planned:
        rows = []
        bound = data if action == f"items-{kind}" else None
        for item in (i for i in items if i.kind == kind):
            record = records.get(item.pk)
            initial = (
                {
                    "satisfactory": "yes" if record.satisfactory else "no",
                    "response": record.response,
                    "note": record.note,
                }
                if record
                else {}
            )
            form = ItemRecordForm(bound, item=item, initial=initial)
            rows.append({"item": item, "form": form, "record": record})
        refusal = services.instrument_refusal(assessment, unit, plan_item, kind, today)
        sections.append({"kind": kind, "label": labels[kind], "rows": rows, "refusal": refusal})
    return sections


def _save_items(request, assessment, unit, section):
    forms = [row["form"] for row in section["rows"]]
    if not all([form.is_valid() for form in forms]):
        raise RuleError(_("Nothing was saved. Please correct the errors below."))
    services.record_instrument_items(
        request.user,
        assessment,
        unit,
        section["kind"],
        {f.item: ItemRecordInput.from_cleaned(f.cleaned_data) for f in forms if f.filled},
    )
    return _("%(instrument)s of unit %(unit)s was saved.") % {
        "instrument": section["label"],
        "unit": unit.code,
    }


@require_http_methods(["GET", "POST"])
@_declared_case
def instruments(request, assessment, unit_pk):
    """One unit's instruments and the coverage of its KUK (module docstring)."""
    application = assessment.application
    unit = get_object_or_404(application.scheme.units.all(), pk=unit_pk)
    plan_item = assessment.plan.select_related("tuk").filter(unit=unit).first()
    data = request.POST if request.method == "POST" else None
    action = request.POST.get("action", "") if data is not None else ""
    kuks = (
        list(
            KUK.objects.filter(element__version_id=application.standard_id, element__unit=unit)
            .select_related("element")
            .order_by("position")
        )
        if application.standard_id
        else []
    )
    today = timezone.localdate()
    sections = _item_sections(assessment, unit, plan_item, data, action)
    planned = set(plan_item.instruments) if plan_item else set()
    lock = _submitted_lock(assessment) if assessment.is_locked else None
    portfolio_form = third_party_form = None
    refusals = {}
    for kind in (InstrumentKind.IA08, InstrumentKind.IA10):
        if kind in planned:
            refusals[kind] = services.instrument_refusal(assessment, unit, plan_item, kind, today)
    if InstrumentKind.IA08 in planned:
        documents = application.documents.order_by("uploaded_at", "id")
        portfolio_form = PortfolioCheckForm(
            data if action == "ia08" else None, documents=documents, kuks=kuks
        )
    if InstrumentKind.IA10 in planned:
        third_party_form = ThirdPartyForm(
            data if action == "ia10" else None,
            kuks=kuks,
            initial={"clarified_on": today, "supports": "yes"},
        )
    status = 200
    if data is not None:
        try:
            if action.startswith("items-"):
                section = next((s for s in sections if f"items-{s['kind']}" == action), None)
                if section is None:
                    raise RuleError(_("This instrument is not used for this unit."))
                done = _save_items(request, assessment, unit, section)
            elif action == "ia08" and portfolio_form is not None:
                if not portfolio_form.is_valid():
                    raise RuleError(_("Nothing was saved. Please correct the errors below."))
                check = services.add_portfolio_check(
                    request.user,
                    assessment,
                    unit,
                    PortfolioCheckInput.from_cleaned(portfolio_form.cleaned_data),
                )
                done = _("Portfolio evidence %(title)s was checked (FR.IA.08).") % {
                    "title": check.title
                }
            elif action == "ia10" and third_party_form is not None:
                if not third_party_form.is_valid():
                    raise RuleError(_("Nothing was saved. Please correct the errors below."))
                statement = services.add_third_party_statement(
                    request.user,
                    assessment,
                    unit,
                    ThirdPartyInput.from_cleaned(third_party_form.cleaned_data),
                )
                done = _("The statement of %(person)s was recorded (FR.IA.10).") % {
                    "person": statement.person
                }
            elif action.startswith("remove-"):
                _remove, kind, pk = (action.split("-", 2) + ["", ""])[:3]
                kind = {"ia08": InstrumentKind.IA08, "ia10": InstrumentKind.IA10}.get(kind, "")
                if not pk.isdigit():
                    raise RuleError(_("This entry no longer exists."))
                services.remove_instrument_entry(request.user, assessment, unit, kind, int(pk))
                done = _("The entry was removed.")
            else:
                raise RuleError(_("This instrument is not used for this unit."))
        except RuleError as error:
            messages.error(request, error.message)
            status = 400
        else:
            messages.success(request, done)
            return redirect("assessment:instruments", assessment.pk, unit.pk)
    unit_coverage = coverage.coverage(assessment, [unit])[unit.pk]
    checks = list(
        PortfolioCheck.objects.filter(assessment=assessment, unit=unit)
        .select_related("document")
        .prefetch_related(Prefetch("kuks", queryset=KUK.objects.order_by("position")))
    )
    statements = list(
        ThirdPartyStatement.objects.filter(assessment=assessment, unit=unit).prefetch_related(
            Prefetch("kuks", queryset=KUK.objects.order_by("position"))
        )
    )
    return render(
        request,
        "assessment/instruments.html",
        {
            "assessment": assessment,
            "unit": unit,
            "item": plan_item,
            "coverage": unit_coverage,
            "matrix": [
                (row, row.cell_list(unit_coverage.instruments)) for row in unit_coverage.rows
            ],
            "sections": sections,
            "observed": InstrumentKind.IA01 in planned,
            "portfolio_form": portfolio_form,
            "third_party_form": third_party_form,
            "portfolio_refusal": refusals.get(InstrumentKind.IA08),
            "third_party_refusal": refusals.get(InstrumentKind.IA10),
            "checks": checks,
            "statements": statements,
            "lock": lock,
        },
        status=status,
    )
