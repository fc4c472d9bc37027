"""What FR-APL-02 (9.1.3) asks of one application, and its answers, unit by unit.

An application answers each element of each unit ("Dapatkah saya ...?", judged against the
element's KUK) in the version of the competency standard pinned to it when it was opened. A unit
that version gives no elements (and every unit of an application opened before the standard was
kept, `Application.standard` empty) is answered once as a whole. The applicant's page, the
completeness check, the service that saves the answers and the pages that show them to staff and
the assessor all read the rows from here, so that they agree on what is asked.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .models import Application, Document, Element, SelfAssessment, Unit


@dataclass
class UnitAnswers:
    """One unit of the scheme: the elements it is answered by (none: answered as a whole) and
    the answers given so far, by element id (None for the whole unit)."""

    unit: Unit
    elements: list[Element]
    answers: dict[int | None, SelfAssessment] = field(default_factory=dict)
    # The page's forms, one per question, when the applicant's page builds them.
    forms: list[Any] = field(default_factory=list)

    @property
    def questions(self) -> list[Element | None]:
        """What is answered: each element, or the unit itself (None)."""
        return list(self.elements) or [None]

    def answer_to(self, element: Element | None) -> SelfAssessment | None:
        return self.answers.get(element.pk if element is not None else None)

    @property
    def rows(self) -> list[tuple[Element | None, SelfAssessment | None]]:
        return [(element, self.answer_to(element)) for element in self.questions]

    @property
    def unanswered(self) -> int:
        return sum(1 for _element, answer in self.rows if answer is None)

    @property
    def missing_evidence(self) -> int:
        return sum(
            1
            for _element, answer in self.rows
            if answer is not None
            and answer.answer == SelfAssessment.Answer.K
            and answer.evidence_id is None
        )

    @property
    def result(self) -> str | None:
        """K when every question of the unit is answered K, BK when all are answered and one is
        BK, None while one is unanswered."""
        if self.unanswered:
            return None
        if all(answer and answer.answer == SelfAssessment.Answer.K for _e, answer in self.rows):
            return SelfAssessment.Answer.K
        return SelfAssessment.Answer.BK

    @property
    def evidence(self) -> list[Document]:
        """The documents given as evidence for the unit, each once, in the order of the rows."""
        seen: dict[int, Document] = {}
        for _element, answer in self.rows:
            if answer is not None and answer.evidence is not None:
                seen.setdefault(answer.evidence.pk, answer.evidence)
        return list(seen.values())


def question_phrase(element: Element) -> str:
    """The element's title as the rest of a question ("Dapatkah saya menganalisis situasi
    pasar?"): its first letter in lower case, unless the first word is an acronym."""
    title = element.title.strip()
    first = title.split(" ", 1)[0]
    if len(first) > 1 and first[:2].isupper():
        return title
    return title[:1].lower() + title[1:]


def elements_by_unit(
    application: Application, *, with_kuks: bool = True
) -> dict[int, list[Element]]:
    """The elements of the standard pinned to `application`, by unit id (empty when none is
    pinned)."""
    elements: dict[int, list[Element]] = {}
    if application.standard_id is None:
        return elements
    queryset = Element.objects.filter(version_id=application.standard_id).order_by("number")
    if with_kuks:
        queryset = queryset.prefetch_related("kuks")
    for element in queryset:
        elements.setdefault(element.unit_id, []).append(element)
    return elements


def unit_answers(
    application: Application, *, with_kuks: bool = True, with_evidence: bool = True
) -> list[UnitAnswers]:
    """Every unit of the scheme in order, with its questions and the answers given."""
    elements = elements_by_unit(application, with_kuks=with_kuks)
    answers = application.self_assessments.all()
    if with_evidence:
        answers = answers.select_related("evidence")
    by_unit: dict[int, dict[int | None, SelfAssessment]] = {}
    for answer in answers:
        by_unit.setdefault(answer.unit_id, {})[answer.element_id] = answer
    rows = []
    for unit in application.scheme.units.all():
        unit_elements = elements.get(unit.pk, [])
        given = by_unit.get(unit.pk, {})
        if unit_elements:
            # Answers of another shape (a unit-level answer left from before) do not count.
            given = {k: v for k, v in given.items() if k is not None}
        else:
            given = {k: v for k, v in given.items() if k is None}
        rows.append(UnitAnswers(unit=unit, elements=unit_elements, answers=given))
    return rows


def answer_keys(application: Application) -> list[Unit | Element]:
    """What services.save_self_assessment takes answers under, in the page's order: each
    element asked, or the unit itself where it is answered as a whole."""
    return [
        element if element is not None else unit.unit
        for unit in unit_answers(application, with_kuks=False, with_evidence=False)
        for element in unit.questions
    ]


def form_prefix(key: Unit | Element) -> str:
    """The prefix of the applicant's page's fields for one answer ("element-7-answer")."""
    return f"element-{key.pk}" if isinstance(key, Element) else f"unit-{key.pk}"
