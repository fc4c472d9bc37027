"""What the appeal form hands to appeals.services: a frozen dataclass, built by the view from
`form.cleaned_data` with `from_cleaned` (or directly by a test or the demo data). A field left
out or misspelt fails when the input is built, not inside the rule."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class AppealInput:
    """FR-AK-04, the appeal form (9.9.3): the three questions asked of the appellant, who else
    should be involved (when they want someone), and the reasons for the appeal. The
    attachments are passed beside it, as checked uploads."""

    process_explained: bool
    discussed_with_assessor: bool
    involve_other_person: bool
    other_person: str
    reasons: str

    @classmethod
    def from_cleaned(cls, data: Mapping[str, Any]) -> AppealInput:
        return cls(
            process_explained=data["process_explained"],
            discussed_with_assessor=data["discussed_with_assessor"],
            involve_other_person=data["involve_other_person"],
            other_person=data["other_person"],
            reasons=data["reasons"],
        )
