"""9.2.2: an assessor sees the applicant's FR-APL-02 answers, notes and evidence only after
declaring impartiality. The attack: the assigned assessor, not yet declared, opens the evidence
page (and the others of the case) by URL instead of following the case page."""

import pytest
from django.urls import reverse

from assessment import services
from assessment.models import EvidenceReview, UnitResult
from registration import apl02
from registration import services as registration_services
from registration.inputs import SelfAssessmentInput
from tests.fixtures_assessment import ALL_VATM

SECRET_NOTE = "Catatan rahasia FR-APL-02 milik Alice"
PAGES = ("assessment:plan", "assessment:evidence", "assessment:results")


@pytest.fixture
def undeclared(alice, staff, complete_draft, assessor_profile):
    """alice's case assigned to Ana, who has not declared impartiality; alice's FR-APL-02 has a
    note on every unit and her internship letter as evidence."""
    letter = complete_draft.documents.get(requirement__code="surat-magang")
    registration_services.save_self_assessment(
        alice,
        complete_draft,
        {
            key: SelfAssessmentInput(answer="K", note=SECRET_NOTE, evidence=letter)
            for key in apl02.answer_keys(complete_draft)
        },
    )
    application = registration_services.submit(alice, complete_draft, agreed=True)
    application = registration_services.confirm_eligible(staff, application)
    return services.assign(staff, application, assessor_profile)


def leaked(response, assessment):
    page = response.content.decode()
    letter = assessment.application.documents.get(requirement__code="surat-magang")
    return SECRET_NOTE in page or reverse("registration:document_file", args=[letter.pk]) in page


@pytest.mark.parametrize("name", PAGES)
def test_an_undeclared_assessor_is_sent_back_from_the_pages_with_the_applicants_data(
    client, assessor, undeclared, name
):
    client.force_login(assessor)
    response = client.get(reverse(name, args=[undeclared.pk]), follow=True)
    assert response.redirect_chain == [(undeclared.get_absolute_url(), 302)]
    assert not leaked(response, undeclared)
    assert "Nyatakan imparsialitas Anda terlebih dahulu (9.2.2)." in response.content.decode()


@pytest.mark.parametrize("name", PAGES)
def test_a_post_by_an_undeclared_assessor_changes_nothing(client, assessor, undeclared, tuk, name):
    client.force_login(assessor)
    unit = undeclared.application.scheme.units.first()
    prefix = f"unit-{unit.pk}"
    data = {f"{prefix}-{field}": "on" for field in ALL_VATM} | {
        f"{prefix}-result": "K",
        f"{prefix}-methods": "observasi",
        f"{prefix}-tuk": tuk.pk,
        "proceed": "yes",
    }
    response = client.post(reverse(name, args=[undeclared.pk]), data)
    assert response.status_code == 302
    assert response["Location"] == undeclared.get_absolute_url()
    undeclared.refresh_from_db()
    assert undeclared.plan_set_at is None
    assert not undeclared.plan.exists()
    assert not EvidenceReview.objects.filter(assessment=undeclared).exists()
    assert not UnitResult.objects.filter(assessment=undeclared).exists()


def test_the_case_page_shows_the_evidence_only_once_declared(client, assessor, undeclared):
    client.force_login(assessor)
    assert not leaked(client.get(undeclared.get_absolute_url()), undeclared)
    services.declare_impartiality(assessor, undeclared)
    assert leaked(client.get(undeclared.get_absolute_url()), undeclared)


def test_once_declared_the_evidence_page_shows_the_answers(client, assessor, undeclared):
    """The check above can fail: the same page shows the notes and evidence after declaring."""
    services.declare_impartiality(assessor, undeclared)
    client.force_login(assessor)
    response = client.get(reverse("assessment:evidence", args=[undeclared.pk]))
    assert response.status_code == 200
    assert leaked(response, undeclared)
