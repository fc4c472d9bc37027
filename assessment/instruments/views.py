"""The staff page of a scheme's instrument bank: the current version by unit and instrument,
its history, the import of a new version and the export (services: all or nothing)."""

from django.contrib import messages
from django.db.models import Prefetch
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from lsp_portal import exports
from lsp_portal.accounts.decorators import role_required
from lsp_portal.accounts.roles import Role
from lsp_portal.rowforms import Outcome, save_rows
from registration.models import KUK, Scheme, Unit

from . import services
from .forms import InstrumentImportForm, UnitItemsForm
from .models import GUIDE_REQUIRED, InstrumentKind, current_instrument_bank
from .sheet import unit_kuks


def _bank_units(scheme, bank):
    """(unit, [(kind, instrument label, its items)], the unit's KUK no item covers) for each unit
    of the scheme, in a fixed number of queries whatever the number of items and KUK."""
    by_unit = {}
    uncovered = {}
    if bank is not None:
        items = bank.items.prefetch_related(
            Prefetch("kuks", queryset=KUK.objects.order_by("position"))
        ).order_by("kind", "number")
        covered = set()
        for item in items:
            by_unit.setdefault(item.unit_id, {}).setdefault(item.kind, []).append(item)
            covered.update(kuk.pk for kuk in item.kuks.all())
        kuks = KUK.objects.filter(element__version=bank.standard_id).select_related("element")
        for kuk in kuks.order_by("position"):
            if kuk.pk not in covered:
                uncovered.setdefault(kuk.element.unit_id, []).append(kuk)
    labels = dict(InstrumentKind.choices)
    return [
        (
            unit,
            [(kind, labels[kind], items) for kind, items in by_unit.get(unit.pk, {}).items()],
            uncovered.get(unit.pk, []),
        )
        for unit in scheme.units.all()
    ]


@require_http_methods(["GET", "POST"])
@role_required(Role.STAFF)
def instrument_bank(request, code):
    """The current version of the scheme's instrument bank, its history and the import of a
    new one (services.import_instruments: all or nothing; every problem shown with its row)."""
    scheme = get_object_or_404(Scheme, code=code)
    form = InstrumentImportForm(request.POST or None, request.FILES or None)
    outcome = Outcome()
    if request.method == "POST":
        outcome = save_rows(
            request,
            form,
            lambda: services.import_instruments(
                request.user,
                scheme,
                form.cleaned_data["file"],
                dry_run=form.cleaned_data["dry_run"],
            ),
            invalid=_("The file was not imported. See the message below."),
        )
        result = outcome.result
        if result is not None:
            counts = {"units": result.units, "items": result.items}
            if result.bank is None:
                messages.success(
                    request,
                    _(
                        "The file is correct: %(items)d items for %(units)d units. Nothing "
                        "was imported (check only)."
                    )
                    % counts,
                )
            else:
                messages.success(
                    request,
                    _(
                        "Instrument bank version %(version)d imported: %(items)d items for "
                        "%(units)d units."
                    )
                    % {"version": result.bank.number, **counts},
                )
                return redirect("assessment:instrument_bank", scheme.code)
    versions = list(
        scheme.instrument_banks.select_related("created_by", "standard").order_by("-number")
    )
    current = versions[0] if versions else None
    standard = scheme.current_standard()
    return render(
        request,
        "assessment/instrument_bank.html",
        {
            "scheme": scheme,
            "bank": current,
            "standard": standard,
            "editable": services.editing_refused(scheme, current, standard) is None,
            "units": _bank_units(scheme, current),
            "versions": versions,
            "form": form,
            "problems": outcome.problems,
        },
        status=outcome.status,
    )


@require_http_methods(["GET", "POST"])
@role_required(Role.STAFF)
def instrument_bank_unit(request, code, unit_pk):
    """One unit's items edited in the browser; a save is the bank's next version
    (services.edit_unit_items: all or nothing, the other units' items copied unchanged).
    Refused while the scheme's standard is newer than the bank's (services.editing_refused)."""
    scheme = get_object_or_404(Scheme, code=code)
    unit = get_object_or_404(Unit, pk=unit_pk, scheme=scheme)
    bank = current_instrument_bank(scheme)
    refused = services.editing_refused(scheme, bank, scheme.current_standard())
    if refused is not None:
        messages.error(request, refused)
        return redirect("assessment:instrument_bank", scheme.code)
    items = (
        bank.items.filter(unit=unit)
        .prefetch_related(Prefetch("kuks", queryset=KUK.objects.order_by("position")))
        .order_by("kind", "number")
    )
    kuks = unit_kuks(bank.standard, unit)
    form = UnitItemsForm(
        request.POST if request.method == "POST" else None, bank=bank, items=items, kuks=kuks
    )
    outcome = Outcome()
    if request.method == "POST":
        outcome = save_rows(
            request,
            form,
            lambda: services.edit_unit_items(request.user, scheme, unit, form.to_input()),
            invalid=_("Nothing was saved. See the messages below."),
        )
        if outcome.result is not None:
            messages.success(
                request,
                _("The items of unit %(code)s saved as instrument bank version %(version)d.")
                % {"code": unit.code, "version": outcome.result.number},
            )
            return redirect("assessment:instrument_bank", scheme.code)
    return render(
        request,
        "assessment/instrument_bank_unit.html",
        {
            "scheme": scheme,
            "unit": unit,
            "bank": bank,
            "form": form,
            "problems": outcome.problems,
            "guide_required": ", ".join(f"FR.{kind}" for kind in sorted(GUIDE_REQUIRED)),
        },
        status=outcome.status,
    )


@require_GET
@role_required(Role.STAFF)
def instrument_bank_export(request, code):
    """The current version as the spreadsheet the import reads (services.export_instruments)."""
    scheme = get_object_or_404(Scheme, code=code)
    bank = current_instrument_bank(scheme)
    content = services.export_instruments(request.user, scheme, bank)
    number = bank.number if bank is not None else 0
    response = HttpResponse(content, content_type=exports.XLSX)
    response["Content-Disposition"] = (
        f'attachment; filename="instruments-{scheme.code}-v{number}.xlsx"'
    )
    return response
