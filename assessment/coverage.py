"""9.3.3, the coverage of a unit's KUK by the instruments recorded: for each KUK of the standard
version pinned to the application, which instrument covered it (satisfactory), which was recorded
without covering it, and which KUK are still missing.

A KUK is covered by an FR.IA.01 observation marked achieved, by a satisfactory record of a bank
item (FR.IA.02/03/04A/04B/07/09/11) that names it, by an FR.IA.08 portfolio check that meets VATM
and shows it, or by an FR.IA.10 third-party statement that supports it and confirms it. The rule
holds for assessments that use an instrument bank (Assessment.instrument_bank, pinned with the
plan); an assessment planned without one (legacy cases, schemes with no bank) is judged per unit
as before (`applies` False)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from registration.models import KUK, Unit

from .instruments.models import InstrumentItem, InstrumentKind
from .models import (
    INSTRUMENTS_NOT_YET,
    Assessment,
    InstrumentRecord,
    ObservationRecord,
    PlanItem,
    PortfolioCheck,
    ThirdPartyStatement,
)

# A cell of the matrix: True, the instrument covered the KUK; False, it was recorded for the KUK
# but did not cover it (not achieved, not satisfactory, VATM not met, not supported).
Cell = bool


@dataclass
class KUKRow:
    kuk: KUK
    cells: dict[str, Cell] = field(default_factory=dict)
    # Instruments of the plan whose bank items name this KUK and are not recorded yet.
    pending: set[str] = field(default_factory=set)

    @property
    def covered(self) -> bool:
        return any(self.cells.values())

    def cell_list(self, instruments: Iterable[str]) -> list[Cell | None]:
        return [self.cells.get(code) for code in instruments]


@dataclass
class UnitCoverage:
    unit: Unit
    applies: bool
    instruments: list[str]
    rows: list[KUKRow]

    @property
    def missing(self) -> list[KUK]:
        return [row.kuk for row in self.rows if not row.covered]

    @property
    def observed_achieved(self) -> int:
        """KUK observed achieved with FR.IA.01."""
        return sum(1 for row in self.rows if row.cells.get(InstrumentKind.IA01))

    @property
    def covered_count(self) -> int:
        return sum(1 for row in self.rows if row.covered)

    @property
    def complete(self) -> bool:
        return not self.applies or not self.missing

    def instrument_labels(self) -> list[tuple[str, str]]:
        labels = dict(InstrumentKind.choices)
        return [(code, str(labels.get(code, code))) for code in self.instruments]


def _mark(cells: dict[str, Cell], code: str, ok: bool) -> None:
    cells[code] = cells.get(code, False) or ok


def coverage(
    assessment: Assessment,
    units: Iterable[Unit] | None = None,
    plan_items: Iterable[PlanItem] | None = None,
) -> dict[int, UnitCoverage]:
    """The coverage of each unit (all the scheme's when `units` is None), by unit id, in a fixed
    number of queries whatever the number of units, KUK and records."""
    units = list(assessment.application.scheme.units.all() if units is None else units)
    unit_ids = [unit.pk for unit in units]
    applies = assessment.instrument_bank_id is not None
    standard_id = assessment.application.standard_id
    if plan_items is None:
        plan_items = assessment.plan.filter(unit_id__in=unit_ids)
    plan = {item.unit_id: item for item in plan_items if item.unit_id in set(unit_ids)}
    rows: dict[int, KUKRow] = {}
    by_unit: dict[int, list[KUKRow]] = {pk: [] for pk in unit_ids}
    if standard_id is not None:
        kuks = KUK.objects.filter(
            element__version_id=standard_id, element__unit_id__in=unit_ids
        ).select_related("element")
        for kuk in kuks.order_by("position"):
            row = KUKRow(kuk)
            rows[kuk.pk] = row
            by_unit[kuk.element.unit_id].append(row)
    recorded: dict[int, set[str]] = {pk: set() for pk in unit_ids}
    for kuk_id, achieved in ObservationRecord.objects.filter(
        assessment=assessment, kuk_id__in=rows
    ).values_list("kuk_id", "achieved"):
        _mark(rows[kuk_id].cells, InstrumentKind.IA01, achieved)
    # The bank items of these units with the KUK each names (one query), and the assessment's
    # records of them (one query): the recorded ones cover, the planned others are pending.
    judged = dict(
        InstrumentRecord.objects.filter(
            assessment=assessment, item__unit_id__in=unit_ids
        ).values_list("item_id", "satisfactory")
    )
    if assessment.instrument_bank_id is not None:
        planned_kinds = {pk: set(item.instruments) for pk, item in plan.items()}
        links = InstrumentItem.kuks.through.objects.filter(
            instrumentitem__bank_id=assessment.instrument_bank_id,
            instrumentitem__unit_id__in=unit_ids,
        ).values_list(
            "instrumentitem_id", "instrumentitem__unit_id", "instrumentitem__kind", "kuk_id"
        )
        for item_id, unit_id, kind, kuk_id in links:
            if item_id in judged:
                recorded[unit_id].add(kind)
                if kuk_id in rows:
                    _mark(rows[kuk_id].cells, kind, judged[item_id])
            elif kind in planned_kinds.get(unit_id, ()) and kuk_id in rows:
                rows[kuk_id].pending.add(kind)
    # FR.IA.08 and FR.IA.10 with the KUK each names: one query each.
    checks = PortfolioCheck.kuks.through.objects.filter(
        portfoliocheck__assessment=assessment, portfoliocheck__unit_id__in=unit_ids
    ).values_list(
        "portfoliocheck__unit_id",
        "kuk_id",
        "portfoliocheck__valid",
        "portfoliocheck__authentic",
        "portfoliocheck__current",
        "portfoliocheck__sufficient",
    )
    for unit_id, kuk_id, *vatm in checks:
        recorded[unit_id].add(InstrumentKind.IA08)
        if kuk_id in rows:
            _mark(rows[kuk_id].cells, InstrumentKind.IA08, all(vatm))
    statements = ThirdPartyStatement.kuks.through.objects.filter(
        thirdpartystatement__assessment=assessment, thirdpartystatement__unit_id__in=unit_ids
    ).values_list("thirdpartystatement__unit_id", "kuk_id", "thirdpartystatement__supports")
    for unit_id, kuk_id, supports in statements:
        recorded[unit_id].add(InstrumentKind.IA10)
        if kuk_id in rows:
            _mark(rows[kuk_id].cells, InstrumentKind.IA10, supports)
    result = {}
    for unit in units:
        planned = plan[unit.pk].instruments if unit.pk in plan else []
        codes = set(planned) | recorded[unit.pk]
        if any(InstrumentKind.IA01 in row.cells for row in by_unit[unit.pk]):
            codes.add(InstrumentKind.IA01)
        instruments = [
            code
            for code in InstrumentKind.values
            if code in codes and code not in INSTRUMENTS_NOT_YET
        ]
        result[unit.pk] = UnitCoverage(unit, applies, instruments, by_unit[unit.pk])
    return result
