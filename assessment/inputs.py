"""What the assessment forms hand to assessment.services: one frozen dataclass per form row.

A view builds each from `form.cleaned_data` with `from_cleaned`; a test or the demo data builds it
directly. A field left out or misspelt fails when the input is built (TypeError, or KeyError from
`from_cleaned`): before these, the results were read with `values.get("valid")`, so a misspelt
key became a silent "not valid" in the VATM rule (9.3.3)."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .models import TUK


@dataclass(frozen=True)
class PlanHeaderInput:
    """The header of FR.MAPA.01 (9.2.3-9.2.4): the approach, the purpose, the context (the
    environment, the opportunity to gather evidence, who assesses), the people the plan is
    confirmed with (codes of AssessmentPlan.Confirm, and a free text) and the agreed start time.
    Codes are those of assessment.models.AssessmentPlan's choices; set_plan checks them."""

    approach: str
    purpose: str
    environment: str
    evidence_opportunity: str
    assessed_by: str
    confirm_with: tuple[str, ...]
    start_time: datetime.time
    approach_other: str = ""
    purpose_other: str = ""
    confirm_with_other: str = ""

    @classmethod
    def from_cleaned(cls, data: Mapping[str, Any]) -> PlanHeaderInput:
        return cls(
            approach=data["approach"],
            purpose=data["purpose"],
            environment=data["environment"],
            evidence_opportunity=data["evidence_opportunity"],
            assessed_by=data["assessed_by"],
            confirm_with=tuple(data["confirm_with"]),
            start_time=data["start_time"],
            approach_other=data["approach_other"],
            purpose_other=data["purpose_other"],
            confirm_with_other=data["confirm_with_other"],
        )


@dataclass(frozen=True)
class PlanItemInput:
    """One unit's row of the assessment plan FR.MAPA.01 (9.2.3-9.2.4): the kinds of evidence (L,
    TL, T: codes of EvidenceKind), the methods (9.3.1), the planned duration in minutes (None:
    not planned), the test date and the TUK (Tempat Uji Kompetensi, the test site; 9.3.2); and
    the unit's row of FR.MAPA.02: the instruments used (codes of InstrumentKind, "IA.01" ...)."""

    methods: tuple[str, ...]
    evidence_kinds: tuple[str, ...]
    duration_minutes: int | None
    date: datetime.date
    tuk: TUK
    instruments: tuple[str, ...]

    @classmethod
    def from_cleaned(cls, data: Mapping[str, Any]) -> PlanItemInput:
        return cls(
            methods=tuple(data["methods"]),
            evidence_kinds=tuple(data["evidence_kinds"]),
            duration_minutes=data["duration_minutes"],
            date=data["date"],
            tuk=data["tuk"],
            instruments=tuple(data["instruments"]),
        )


@dataclass(frozen=True)
class EvidenceReviewInput:
    """The VATM review of one unit's FR-APL-02 evidence (9.2.5): valid, authentic (asli),
    current (terkini), sufficient (memadai), and a note."""

    valid: bool
    authentic: bool
    current: bool
    sufficient: bool
    note: str = ""

    @property
    def meets_vatm(self) -> bool:
        return self.valid and self.authentic and self.current and self.sufficient

    @classmethod
    def from_cleaned(cls, data: Mapping[str, Any]) -> EvidenceReviewInput:
        return cls(
            valid=data["valid"],
            authentic=data["authentic"],
            current=data["current"],
            sufficient=data["sufficient"],
            note=data["note"],
        )


@dataclass(frozen=True)
class UnitResultInput:
    """One unit's competency test record (9.3.1-9.3.4): the methods used, the evidence
    observed, the four VATM rules and the result, K (kompeten) or BK (belum kompeten)."""

    methods: tuple[str, ...]
    evidence_observed: str
    valid: bool
    authentic: bool
    current: bool
    sufficient: bool
    result: str

    @property
    def meets_vatm(self) -> bool:
        return self.valid and self.authentic and self.current and self.sufficient

    @classmethod
    def from_cleaned(cls, data: Mapping[str, Any]) -> UnitResultInput:
        return cls(
            methods=tuple(data["methods"]),
            evidence_observed=data["evidence_observed"],
            valid=data["valid"],
            authentic=data["authentic"],
            current=data["current"],
            sufficient=data["sufficient"],
            result=data["result"],
        )


@dataclass(frozen=True)
class ObservationInput:
    """FR.IA.01 for one KUK: achieved (Ya) or not (Tidak), and the assessor's note."""

    achieved: bool
    note: str = ""

    @classmethod
    def from_cleaned(cls, data: Mapping[str, Any]) -> ObservationInput:
        return cls(achieved=data["achieved"] == "yes", note=data["note"])


@dataclass(frozen=True)
class ItemRecordInput:
    """One item of an item instrument (FR.IA.02/03/04A/04B/07/09/11): what the candidate answered
    or showed, whether it is satisfactory, and the assessor's note."""

    satisfactory: bool
    response: str = ""
    note: str = ""

    @classmethod
    def from_cleaned(cls, data: Mapping[str, Any]) -> ItemRecordInput:
        return cls(
            satisfactory=data["satisfactory"] == "yes",
            response=data["response"],
            note=data["note"],
        )


@dataclass(frozen=True)
class PortfolioCheckInput:
    """FR.IA.08 for one piece of portfolio evidence: the uploaded document (its id, or None
    when shown on paper and described in `title`), VATM, the KUK it shows (ids) and a note."""

    title: str
    kuk_ids: tuple[int, ...]
    valid: bool
    authentic: bool
    current: bool
    sufficient: bool
    document_id: int | None = None
    note: str = ""

    @classmethod
    def from_cleaned(cls, data: Mapping[str, Any]) -> PortfolioCheckInput:
        document = data["document"]
        return cls(
            title=data["title"],
            kuk_ids=tuple(int(pk) for pk in data["kuks"]),
            valid=data["valid"],
            authentic=data["authentic"],
            current=data["current"],
            sufficient=data["sufficient"],
            document_id=int(document) if document else None,
            note=data["note"],
        )


@dataclass(frozen=True)
class ThirdPartyInput:
    """FR.IA.10: the third party (name, position and relation to the candidate, contact), the
    date of the clarification, their statement, whether it supports the competence, and the KUK
    it confirms (ids)."""

    person: str
    relation: str
    contact: str
    statement: str
    supports: bool
    clarified_on: datetime.date
    kuk_ids: tuple[int, ...]

    @classmethod
    def from_cleaned(cls, data: Mapping[str, Any]) -> ThirdPartyInput:
        return cls(
            person=data["person"],
            relation=data["relation"],
            contact=data["contact"],
            statement=data["statement"],
            supports=data["supports"] == "yes",
            clarified_on=data["clarified_on"],
            kuk_ids=tuple(int(pk) for pk in data["kuks"]),
        )


@dataclass(frozen=True)
class FeedbackAnswer:
    """The applicant's answer to one question of the feedback form FR-AK-03: yes or no, and a
    comment."""

    yes: bool
    comment: str = ""


@dataclass(frozen=True)
class AdjustmentInput:
    """FR.AK.07, reasonable adjustments recorded before the test: whether one is needed, the
    needs (codes of Adjustment.Need), the candidate's situation, what is adjusted, and whether it
    was agreed with the candidate."""

    needed: bool
    needs: tuple[str, ...] = ()
    description: str = ""
    adjustments: str = ""
    agreed_with_candidate: bool = False

    @classmethod
    def from_cleaned(cls, data: Mapping[str, Any]) -> AdjustmentInput:
        return cls(
            needed=data["needed"],
            needs=tuple(data["needs"]),
            description=data["description"],
            adjustments=data["adjustments"],
            agreed_with_candidate=data["agreed_with_candidate"],
        )


@dataclass(frozen=True)
class ReportInput:
    """The assessor's own part of FR.AK.05 Laporan Asesmen, written with the submission (9.3.5):
    positive and negative aspects of the assessment (aspek negatif dan positif), the record of
    the candidate's objection to the result (pencatatan penolakan hasil asesmen), suggestions for
    improvement (saran perbaikan) and notes (catatan). Each may be empty."""

    aspects: str = ""
    objection: str = ""
    improvements: str = ""
    notes: str = ""
    # FR.AK.02, written with the same submission: the follow-up the candidate needs (the
    # additional work and assessment to reach competence) and the feedback to the candidate.
    follow_up: str = ""
    feedback: str = ""

    @classmethod
    def from_cleaned(cls, data: Mapping[str, Any]) -> ReportInput:
        return cls(
            aspects=data["aspects"],
            objection=data["objection"],
            improvements=data["improvements"],
            notes=data["notes"],
            follow_up=data["follow_up"],
            feedback=data["feedback"],
        )


@dataclass(frozen=True)
class ProcessReviewInput:
    """FR.AK.06, the review of the assessment process: per stage of the procedure (codes of
    ProcessReview.Stage) the principles met (codes of ProcessReview.Principle), recommendations
    for improvement, the dimensions of competency checked for the consistency of decisions
    (codes of ProcessReview.Dimension) and recommendations on them."""

    principles: Mapping[str, tuple[str, ...]]
    recommendations: str = ""
    dimensions: tuple[str, ...] = ()
    consistency_recommendations: str = ""


@dataclass(frozen=True)
class InstrumentItemInput:
    """An item row of the instrument bank's unit editor, as typed: the instrument's code
    (InstrumentKind), the number, the task or question, the answer guide, the minutes allowed
    and the primary keys of the KUK ticked (checked by instruments.sheet.parse_unit_items);
    `row` numbers it on the page, for the messages."""

    kind: str
    number: str
    text: str
    guide: str
    minutes: str
    kuks: tuple[int, ...]
    row: int


@dataclass(frozen=True)
class UnitItemsInput:
    """One unit's items as edited in the portal; `based_on` is the number of the bank version
    the form showed (a save over a newer version is refused)."""

    based_on: int
    items: tuple[InstrumentItemInput, ...]
