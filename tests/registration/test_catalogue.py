"""Schemes are data: staff maintain them in the admin, and a second scheme works like the first."""

import pytest
from django.urls import reverse

from registration import services
from registration.eligibility import completeness_checks, eligibility_checks
from registration.inputs import SelfAssessmentInput


def test_public_pages_list_every_open_scheme(client, second_scheme):
    html = client.get("/").content.decode()
    assert "Pemasaran Digital" in html
    assert "Pengelolaan Sistem Manajemen Hubungan Pelanggan" in html
    response = client.get(reverse("registration:scheme_detail", args=["pemasaran-digital"]))
    assert "Rp 500.000" in response.content.decode()
    assert "Mengelola Iklan Daring" in response.content.decode()


def test_an_application_follows_its_own_schemes_rules(alice, second_scheme):
    application = services.start_application(alice, second_scheme)
    application.study_programme = "S1 Bisnis Digital"
    checks = {c.code: c for c in eligibility_checks(application)}
    assert checks["study_programme"].passed
    assert checks["experience_hours"].reason == "Jam magang 0 < 200"
    completeness = {c.code: c for c in completeness_checks(application)}
    assert completeness["self_assessment"].reason == "2 dari 2 unit belum dijawab"
    assert "document_pasfoto" not in completeness


def test_one_open_application_per_scheme_not_per_applicant(alice, scheme, second_scheme):
    first = services.start_application(alice, scheme)
    second = services.start_application(alice, second_scheme)
    assert first.pk != second.pk


def test_a_unit_of_another_scheme_is_refused(alice, draft, second_scheme):
    from lsp_portal.errors import RuleError

    foreign = second_scheme.units.first()
    with pytest.raises(RuleError):
        services.save_self_assessment(alice, draft, {foreign: SelfAssessmentInput(answer="BK")})
    assert not draft.self_assessments.exists()


def test_staff_maintain_schemes_in_the_admin(login, staff):
    staff.is_staff = True
    staff.save()
    client = login(staff)
    assert client.get(reverse("admin:registration_scheme_add")).status_code == 200
    response = client.get(reverse("admin:registration_scheme_changelist"))
    assert "Pengelolaan Sistem Manajemen Hubungan Pelanggan" in response.content.decode()
    # applications are read-only there: they change only through the audited review
    assert client.get(reverse("admin:registration_application_add")).status_code == 403
