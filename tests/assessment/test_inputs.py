"""The typed service inputs: a field left out or misspelt fails when the input is built, never
later as a silent "no" inside a rule (before, `values.get("valid")` turned a misspelt key into
evidence that is not valid, 9.3.3)."""

import dataclasses

import pytest

from appeals.inputs import AppealInput
from assessment import services
from assessment.inputs import EvidenceReviewInput, UnitResultInput
from registration.inputs import ExperienceInput, SelfAssessmentInput
from tests.fixtures_assessment import result_values

RESULT = {
    "methods": ("observasi",),
    "evidence_observed": "Demonstrasi di TUK.",
    "valid": True,
    "authentic": True,
    "current": True,
    "sufficient": True,
    "result": "K",
}


def test_a_misspelt_vatm_field_fails_when_the_result_is_built():
    values = {**RESULT}
    values["vaild"] = values.pop("valid")
    with pytest.raises(TypeError, match="vaild"):
        UnitResultInput(**values)


def test_a_missing_vatm_field_fails_when_the_result_is_built():
    values = {k: v for k, v in RESULT.items() if k != "sufficient"}
    with pytest.raises(TypeError, match="sufficient"):
        UnitResultInput(**values)


def test_a_form_without_a_field_fails_when_the_input_is_built_from_it():
    with pytest.raises(KeyError, match="current"):
        EvidenceReviewInput.from_cleaned(
            {"valid": True, "authentic": True, "sufficient": True, "note": ""}
        )


def test_the_inputs_of_the_other_stages_refuse_a_misspelt_field_too():
    with pytest.raises(TypeError, match="answr"):
        SelfAssessmentInput(answr="K")
    with pytest.raises(TypeError, match="hour"):
        ExperienceInput(
            organisation="PT Contoh",
            field=None,
            role="Magang",
            start_date=None,
            end_date=None,
            hour=400,
        )
    with pytest.raises(TypeError, match="reason"):
        AppealInput(
            process_explained=True,
            discussed_with_assessor=True,
            involve_other_person=False,
            other_person="",
            reason="Tidak adil.",
        )


def test_an_input_cannot_be_changed_after_it_is_built():
    result = UnitResultInput(**RESULT)
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.valid = False


def test_the_form_fields_build_the_result_the_service_records(assessor, reviewed):
    unit = reviewed.application.scheme.units.first()
    cleaned = {**RESULT, "methods": ["observasi", "lisan"], "sufficient": False, "result": "BK"}
    services.record_results(assessor, reviewed, {unit: UnitResultInput.from_cleaned(cleaned)})
    recorded = reviewed.results.get(unit=unit)
    assert (recorded.methods, recorded.sufficient, recorded.result) == (
        ["lisan", "observasi"],
        False,
        "BK",
    )
    assert result_values("K").meets_vatm and not UnitResultInput.from_cleaned(cleaned).meets_vatm
