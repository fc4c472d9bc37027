"""What the applicant's forms hand to registration.services: one frozen dataclass per form.

A view builds each from `form.cleaned_data` with `from_cleaned`; a test or the demo data builds it
directly. A field left out or misspelt fails when the input is built (TypeError, or KeyError from
`from_cleaned`), never later as a silently empty value inside a rule."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from lsp_portal.files import CheckedUpload

    from .models import Document, ExperienceField, RequiredCourse


@dataclass(frozen=True)
class PersonalDataInput:
    """FR-APL-01 parts a (personal data) and b (education, 9.1.2), and the scheme's courses the
    applicant completed (6.1). Every field may be empty in a draft; submission checks them."""

    full_name: str
    nik: str
    birth_place: str
    birth_date: datetime.date | None
    gender: str
    address: str
    phone: str
    email: str
    university: str
    study_programme: str
    student_number: str
    semester: int | None
    completed_courses: tuple[RequiredCourse, ...]

    @classmethod
    def from_cleaned(cls, data: Mapping[str, Any]) -> PersonalDataInput:
        return cls(
            full_name=data["full_name"],
            nik=data["nik"],
            birth_place=data["birth_place"],
            birth_date=data["birth_date"],
            gender=data["gender"],
            address=data["address"],
            phone=data["phone"],
            email=data["email"],
            university=data["university"],
            study_programme=data["study_programme"],
            student_number=data["student_number"],
            semester=data["semester"],
            completed_courses=tuple(data["completed_courses"]),
        )


@dataclass(frozen=True)
class ExperienceInput:
    """One work or internship entry of FR-APL-01 (6.2); `field` None is "another field", whose
    hours do not count."""

    organisation: str
    field: ExperienceField | None
    role: str
    start_date: datetime.date
    end_date: datetime.date
    hours: int

    @classmethod
    def from_cleaned(cls, data: Mapping[str, Any]) -> ExperienceInput:
        return cls(
            organisation=data["organisation"],
            field=data["field"],
            role=data["role"],
            start_date=data["start_date"],
            end_date=data["end_date"],
            hours=data["hours"],
        )


@dataclass(frozen=True)
class SelfAssessmentInput:
    """The FR-APL-02 answer for one unit (9.1.3): K or BK, a note, and as evidence either one of
    the application's documents or a new checked upload (stored as evidence)."""

    answer: str
    note: str = ""
    evidence: Document | None = None
    upload: CheckedUpload | None = None

    @classmethod
    def from_cleaned(cls, data: Mapping[str, Any]) -> SelfAssessmentInput:
        return cls(
            answer=data["answer"],
            note=data["note"],
            evidence=data["evidence"],
            upload=data.get("checked"),  # set by the form's clean() only for a new file
        )


@dataclass(frozen=True)
class KUKInput:
    """A KUK row of the unit editor, as typed (checked by standard.parse_unit); `row` numbers
    it on the page under its element, for the messages."""

    number: str
    text: str
    row: int


@dataclass(frozen=True)
class ElementInput:
    """An element row of the unit editor with its KUK rows, as typed; `row` numbers it on the
    page, for the messages."""

    number: str
    title: str
    kuks: tuple[KUKInput, ...]
    row: int


@dataclass(frozen=True)
class UnitStandardInput:
    """The elements and KUK of one unit as edited in the portal; `based_on` is the number of the
    standard version the form showed (a save over a newer version is refused)."""

    based_on: int
    elements: tuple[ElementInput, ...]
