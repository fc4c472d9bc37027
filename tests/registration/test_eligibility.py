"""Eligibility (6.1, 6.2) as named checks with reasons, at the boundaries."""

import pytest

from registration.eligibility import eligibility_checks, normalise_programme
from tests.conftest import fill_application


def checks_by_code(application):
    return {c.code: c for c in eligibility_checks(application)}


def test_399_hours_fail_with_the_reason_shown(alice, draft):
    application = fill_application(alice, draft, hours=399, documents=False, answers=False)
    check = checks_by_code(application)["experience_hours"]
    assert not check.passed
    assert check.reason == "Jam magang 399 < 400"


def test_400_hours_pass(alice, draft):
    application = fill_application(alice, draft, hours=400, documents=False, answers=False)
    check = checks_by_code(application)["experience_hours"]
    assert check.passed
    assert check.reason == "Jam magang 400 >= 400"


def test_hours_in_another_field_do_not_count(alice, draft):
    application = fill_application(alice, draft, hours=None, documents=False, answers=False)
    application.experiences.create(
        organisation="Toko Roti",
        field=None,
        role="Kasir",
        start_date="2024-01-01",
        end_date="2024-06-30",
        hours=900,
    )
    assert not checks_by_code(application)["experience_hours"].passed


@pytest.mark.parametrize("missing", ["Manajemen Pemasaran", "Perilaku Konsumen", "Manajemen Jasa"])
def test_each_missing_course_fails_by_name(alice, draft, scheme, missing):
    courses = [c for c in scheme.required_courses.all() if c.name != missing]
    application = fill_application(alice, draft, courses=courses, documents=False, answers=False)
    failing = [c for c in eligibility_checks(application) if not c.passed]
    assert len(failing) == 1
    assert missing in failing[0].reason


def test_another_study_programme_fails(alice, draft):
    application = fill_application(alice, draft, documents=False, answers=False)
    application.study_programme = "Manajemen Informatika"
    check = checks_by_code(application)["study_programme"]
    assert not check.passed
    assert "Manajemen Informatika" in check.reason


def test_all_checks_pass_for_a_qualified_applicant(complete_draft):
    assert all(c.passed for c in eligibility_checks(complete_draft))


@pytest.mark.parametrize(
    "written", ["Manajemen", "  manajemen ", "S1 Manajemen", "Program Studi Manajemen"]
)
def test_study_programme_is_matched_as_people_write_it(written):
    assert normalise_programme(written) == "manajemen"
