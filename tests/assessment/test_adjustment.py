"""FR.AK.07, reasonable and justified adjustments (Ceklis Penyesuaian yang Wajar dan Beralasan):
recorded by the case's assessor after the impartiality declaration and before the test, through
the page and the service; read by staff and the applicant; refused once a unit result is recorded
and after submission (9.3.5)."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils.html import escape
from django.utils.translation import gettext

from assessment import services
from assessment.inputs import AdjustmentInput
from assessment.models import Adjustment
from lsp_portal.audit.models import AuditEvent
from lsp_portal.errors import RuleError
from tests.fixtures_assessment import observe_all, result_values

pytestmark = pytest.mark.django_db

LOCKED = gettext(
    "This assessment was submitted to the LSP and is read-only; nothing can be changed any more."
)
AFTER_RESULT = gettext(
    "A test result has been recorded: the reasonable adjustments (FR.AK.07) are recorded "
    "before the test and can no longer be changed."
)
NEED, SITUATION, ADJUSTMENTS = (
    "at least one need",
    "the candidate's situation",
    "the adjustments to be made",
)

NEEDED = {
    "needed": "yes",
    "needs": ["bahasa", "literasi"],
    "description": "Asesi lambat membaca soal tertulis berbahasa Indonesia baku.",
    "adjustments": "Waktu tambahan 30 menit; pertanyaan dibacakan.",
    "agreed_with_candidate": "on",
}


def url(assessment):
    return reverse("assessment:adjustment", args=[assessment.pk])


def events(assessment):
    return list(
        AuditEvent.objects.for_object(assessment).filter(action__endswith="adjustment_recorded")
    )


def test_the_assessor_records_that_no_adjustment_is_needed(login, assessor, declared):
    client = login(assessor)
    assert client.get(url(declared)).status_code == 200
    response = client.post(
        url(declared), {"needed": "no", "needs": ["bahasa"], "description": "Tidak dipakai."}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("assessment:detail", args=[declared.pk])
    adjustment = Adjustment.objects.get(assessment=declared)
    assert adjustment.needed is False
    assert (adjustment.needs, adjustment.description, adjustment.adjustments) == ([], "", "")
    assert adjustment.recorded_by == assessor
    (event,) = events(declared)
    assert event.data["needed"] is False
    assert event.data["needs"] == []


def test_the_assessor_records_a_needed_adjustment_and_the_case_page_shows_it(
    login, assessor, agreed
):
    client = login(assessor)
    response = client.post(url(agreed), NEEDED, follow=True)
    assert response.status_code == 200
    adjustment = Adjustment.objects.get(assessment=agreed)
    assert adjustment.needed is True
    assert adjustment.needs == ["bahasa", "literasi"]
    assert adjustment.agreed_with_candidate is True
    html = response.content.decode()
    assert 'data-testid="adjustment-summary"' in html
    assert "Waktu tambahan 30 menit; pertanyaan dibacakan." in html
    assert str(Adjustment.Need.LANGUAGE.label) in html
    assert str(Adjustment.Need.LITERACY.label) in html
    (event,) = events(agreed)
    assert event.data["needed"] is True
    assert event.data["needs"] == ["bahasa", "literasi"]


def test_saving_again_before_the_test_updates_the_record_and_audits_both(assessor, reviewed):
    services.record_adjustment(assessor, reviewed, AdjustmentInput(needed=False))
    services.record_adjustment(
        assessor,
        reviewed,
        AdjustmentInput(
            needed=True,
            needs=(Adjustment.Need.HEARING,),
            description="Gangguan pendengaran ringan.",
            adjustments="Pertanyaan lisan juga diberikan tertulis.",
        ),
    )
    adjustment = Adjustment.objects.get(assessment=reviewed)
    assert adjustment.needed is True
    assert adjustment.needs == ["pendengaran"]
    recorded = sorted(events(reviewed), key=lambda event: event.pk)
    assert [(e.data["needed"], e.data["updated"]) for e in recorded] == [
        (False, False),
        (True, True),
    ]


@pytest.mark.parametrize(
    ("data", "missing"),
    [
        ({**NEEDED, "needs": []}, NEED),
        ({**NEEDED, "description": "  "}, SITUATION),
        ({**NEEDED, "adjustments": ""}, ADJUSTMENTS),
    ],
)
def test_a_needed_adjustment_without_its_details_is_refused_and_nothing_saved(
    login, assessor, declared, data, missing
):
    response = login(assessor).post(url(declared), data)
    assert response.status_code == 400
    assert escape(gettext(missing)) in response.content.decode()
    assert not Adjustment.objects.filter(assessment=declared).exists()
    assert events(declared) == []


def test_the_service_names_everything_missing(assessor, declared):
    with pytest.raises(RuleError) as refused:
        services.record_adjustment(assessor, declared, AdjustmentInput(needed=True))
    message = refused.value.message
    assert all(gettext(part) in message for part in (NEED, SITUATION, ADJUSTMENTS))
    assert not Adjustment.objects.filter(assessment=declared).exists()


def test_another_assessor_gets_not_found_and_the_service_refuses_them(
    login, assessor2, assessor2_profile, declared
):
    client = login(assessor2)
    assert client.get(url(declared)).status_code == 404
    assert client.post(url(declared), NEEDED).status_code == 404
    with pytest.raises(PermissionDenied):
        services.record_adjustment(assessor2, declared, AdjustmentInput(needed=False))
    assert not Adjustment.objects.filter(assessment=declared).exists()


@pytest.fixture
def reviewed(assessor, reviewed):
    """The case in the test phase with every KUK observed achieved (FR.IA.01), so that any unit
    may be recorded K (9.3.3); tests/assessment/test_instruments.py tests the rule itself."""
    return observe_all(assessor, reviewed)


def test_the_applicant_and_staff_read_it_but_cannot_post(login, alice, staff, assessor, declared):
    services.record_adjustment(assessor, declared, AdjustmentInput(needed=False))
    for user in (alice, staff):
        client = login(user)
        response = client.get(url(declared))
        assert response.status_code == 200
        html = response.content.decode()
        assert 'data-testid="read-only"' in html
        assert 'data-testid="adjustment-form"' not in html
        assert 'data-testid="adjustment-not-needed"' in html
        assert client.post(url(declared), NEEDED).status_code == 403
        with pytest.raises(PermissionDenied):
            services.record_adjustment(user, declared, AdjustmentInput(needed=False))
    assert Adjustment.objects.get(assessment=declared).needed is False
    assert len(events(declared)) == 1


def test_before_the_impartiality_declaration_it_is_refused(login, assessor, assigned):
    response = login(assessor).get(url(assigned))
    assert response.status_code == 302
    with pytest.raises(RuleError):
        services.record_adjustment(assessor, assigned, AdjustmentInput(needed=False))
    assert not Adjustment.objects.filter(assessment=assigned).exists()


def test_after_a_unit_result_is_recorded_it_is_refused_and_read_only(login, assessor, reviewed):
    services.record_adjustment(assessor, reviewed, AdjustmentInput(needed=False))
    unit = reviewed.application.scheme.units.first()
    services.record_results(assessor, reviewed, {unit: result_values()})
    with pytest.raises(RuleError) as refused:
        services.record_adjustment(
            assessor,
            reviewed,
            AdjustmentInput(
                needed=True, needs=("bahasa",), description="Terlambat.", adjustments="Waktu."
            ),
        )
    assert refused.value.message == AFTER_RESULT
    client = login(assessor)
    page = client.get(url(reviewed))
    assert page.status_code == 200
    assert 'data-testid="read-only"' in page.content.decode()
    assert 'data-testid="adjustment-form"' not in page.content.decode()
    assert client.post(url(reviewed), NEEDED).status_code == 400
    assert Adjustment.objects.get(assessment=reviewed).needed is False
    assert (
        'data-testid="record-adjustment"'
        not in client.get(reverse("assessment:detail", args=[reviewed.pk])).content.decode()
    )
    assert len(events(reviewed)) == 1


def test_after_submission_it_is_refused(login, assessor, recommended):
    with pytest.raises(RuleError) as refused:
        services.record_adjustment(assessor, recommended, AdjustmentInput(needed=False))
    assert refused.value.message == LOCKED
    client = login(assessor)
    assert 'data-testid="read-only"' in client.get(url(recommended)).content.decode()
    assert client.post(url(recommended), {"needed": "no"}).status_code == 400
    assert not Adjustment.objects.filter(assessment=recommended).exists()


def test_the_case_page_offers_the_assessor_the_form_while_allowed(login, assessor, declared):
    page = login(assessor).get(reverse("assessment:detail", args=[declared.pk]))
    assert 'data-testid="record-adjustment"' in page.content.decode()
