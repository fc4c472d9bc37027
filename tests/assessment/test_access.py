"""The access matrix of every assessment view: anonymous -> login, wrong role -> 403, someone
else's case -> 404, wrong method -> 405; and each role's success path through the real forms."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils.html import escape
from django.utils.translation import gettext

from assessment import services
from assessment.models import Assessment, Feedback
from assessment.urls import urlpatterns
from lsp_portal.accounts.roles import Role
from lsp_portal.audit.models import AuditEvent
from lsp_portal.errors import RuleError
from registration import apl02
from registration import services as registration_services
from tests.conftest import fill_application, make_user
from tests.fixtures_assessment import (
    PLAN_HEADER_FORM,
    VATM,
    make_assessor,
    observe_all,
    plan_form,
    reviews,
    today,
)

Status = Assessment.Status

# name -> (method, what the URL takes, the cast members who may use it)
VIEWS = {
    "assessment:staff_overview": ("get", "none", {"staff"}),
    "assessment:assessor_cases": ("get", "none", {"assessor"}),
    "assessment:assign": ("get", "application", {"staff"}),
    "assessment:detail": ("get", "case", {"staff", "assessor", "alice"}),
    "assessment:reassign": ("get", "case", {"staff"}),
    "assessment:declare_impartiality": ("post", "case", {"assessor"}),
    "assessment:plan": ("get", "case", {"assessor"}),
    "assessment:agree": ("post", "case", {"assessor", "alice"}),
    "assessment:adjustment": ("get", "case", {"staff", "assessor", "alice"}),
    "assessment:evidence": ("get", "case", {"assessor"}),
    "assessment:results": ("get", "case", {"assessor"}),
    "assessment:observation": ("get", "unit", {"assessor"}),
    "assessment:instruments": ("get", "unit", {"assessor"}),
    "assessment:submit": ("post", "case", {"assessor"}),
    "assessment:sign": ("post", "case", {"alice"}),
    "assessment:decline": ("post", "case", {"alice"}),
    "assessment:feedback": ("get", "case", {"alice"}),
    # FR.AK.06 and the FR.AK.05/FR.AK.06 PDFs: the LSP's records, not the applicant's.
    "assessment:process_review": ("get", "case", {"staff", "assessor"}),
    "assessment:report_pdf": ("get", "case", {"staff", "assessor"}),
    "assessment:record_pdf": ("get", "case", {"staff", "assessor", "alice"}),
    "assessment:retry_pdf": ("post", "pdf", {"staff"}),
    "assessment:review_pdf": ("get", "case", {"staff", "assessor"}),
    "assessment:instrument_bank": ("get", "scheme", {"staff"}),
    "assessment:instrument_bank_export": ("get", "scheme", {"staff"}),
    "assessment:instrument_bank_unit": ("get", "scheme_unit", {"staff"}),
    "assessment:plan_document": ("get", "document", {"staff", "assessor", "alice"}),
    # Assessment events (issue 16): the role is checked before the event is loaded; their success
    # paths are in test_schedules.py.
    "assessment:schedule_list": ("get", "none", {"staff"}),
    "assessment:schedule_new": ("get", "none", {"staff"}),
    "assessment:schedule_detail": ("get", "schedule", {"staff"}),
    "assessment:schedule_edit": ("get", "schedule", {"staff"}),
    "assessment:schedule_place": ("post", "schedule", {"staff"}),
    "assessment:schedule_cancel": ("post", "schedule", {"staff"}),
    "assessment:schedules_open": ("get", "none", {"alice"}),
    "assessment:schedule_join": ("post", "schedule", {"alice"}),
}
CAST = ("alice", "staff", "assessor", "technical", "appeal", "director")
ASSESSOR_CASE_VIEWS = [
    n for n, (_, kind, who) in VIEWS.items() if kind in ("case", "unit") and "assessor" in who
]
APPLICANT_CASE_VIEWS = [
    n for n, (_, kind, who) in VIEWS.items() if kind == "case" and "alice" in who
]
POST_ONLY = [n for n, (method, _, _) in VIEWS.items() if method == "post"]
GET_ONLY = [
    "assessment:staff_overview",
    "assessment:assessor_cases",
    "assessment:detail",
    "assessment:instrument_bank_export",
    "assessment:plan_document",
    "assessment:report_pdf",
    "assessment:record_pdf",
    "assessment:review_pdf",
    "assessment:schedule_list",
    "assessment:schedule_detail",
    "assessment:schedules_open",
]


def url(name, assessment):
    kind = VIEWS[name][1]
    args = {
        "none": [],
        "application": [assessment.application_id],
        "case": [assessment.pk],
        "scheme": [assessment.application.scheme.code],
        "scheme_unit": [
            assessment.application.scheme.code,
            assessment.application.scheme.units.first().pk,
        ],
        "document": [assessment.pk, "ak01"],
        "pdf": [assessment.pk, "ak02"],
        "unit": [assessment.pk, assessment.application.scheme.units.first().pk],
        "schedule": [0],  # no event: the role and the method are checked before the lookup
    }
    return reverse(name, args=args[kind])


def call(client, name, assessment, data=None):
    method = VIEWS[name][0]
    return getattr(client, method)(url(name, assessment), data or {})


def state(assessment):
    fresh = Assessment.objects.get(pk=assessment.pk)
    return (
        fresh.status,
        fresh.assessor_id,
        fresh.impartiality_declared_at,
        fresh.plan_set_at,
        fresh.applicant_agreed_at,
        fresh.assessor_agreed_at,
        fresh.applicant_signed_at,
        fresh.signature_declined_at,
        Feedback.objects.filter(assessment=fresh).count(),
        AuditEvent.objects.for_object(fresh).count(),
    )


def section(response, testid):
    """The HTML of the element marked data-testid=`testid` (a table), for counting rows in it."""
    html = response.content.decode()
    match = re.search(rf'data-testid="{testid}".*?</table>', html, re.S)
    assert match, f"no {testid} on the page"
    return match.group(0)


@pytest.fixture
def cast(alice, staff, assessor, technical, appeal, director):
    return {
        "alice": alice,
        "staff": staff,
        "assessor": assessor,
        "technical": technical,
        "appeal": appeal,
        "director": director,
    }


@pytest.fixture
def bobs_eligible(bob, staff, bobs_application):
    application = fill_application(bob, bobs_application)
    registration_services.submit(bob, application, agreed=True)
    return registration_services.confirm_eligible(staff, application)


def evidence_form(assessment, *, proceed="yes", reason=""):
    data = {"proceed": proceed, "reason": reason}
    for key in apl02.answer_keys(assessment.application):
        prefix = apl02.form_prefix(key)
        for rule in VATM:
            data[f"{prefix}-{rule}"] = "on"
        data[f"{prefix}-note"] = "Surat magang asli"
    return data


def results_form(assessment, *, vatm=VATM, result="K"):
    data = {}
    for unit in assessment.application.scheme.units.all():
        prefix = f"unit-{unit.pk}"
        data[f"{prefix}-methods"] = ["observasi"]
        data[f"{prefix}-evidence_observed"] = f"Demonstrasi {unit.code}"
        for rule in vatm:
            data[f"{prefix}-{rule}"] = "on"
        data[f"{prefix}-result"] = result
    return data


# ---------------------------------------------------------------------------------------------
# The matrix
# ---------------------------------------------------------------------------------------------


def test_the_matrix_covers_every_assessment_url():
    assert {f"assessment:{p.name}" for p in urlpatterns} == set(VIEWS)


@pytest.mark.parametrize("name", VIEWS)
def test_anonymous_is_sent_to_login(client, assigned, name):
    before = state(assigned)
    response = call(client, name, assigned)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert state(assigned) == before


@pytest.mark.parametrize("name", VIEWS)
def test_other_roles_are_refused(login, cast, planned, name):
    before = state(planned)
    allowed = VIEWS[name][2]
    for key in CAST:
        if key in allowed:
            continue
        response = call(login(cast[key]), name, planned)
        assert response.status_code == 403, (name, key)
    assert state(planned) == before


@pytest.mark.parametrize("name", ASSESSOR_CASE_VIEWS)
def test_an_assessor_not_assigned_to_the_case_gets_not_found(
    login, assessor2, assessor2_profile, planned, name
):
    before = state(planned)
    assert call(login(assessor2), name, planned).status_code == 404
    assert state(planned) == before


@pytest.mark.parametrize("name", APPLICANT_CASE_VIEWS)
def test_another_applicant_gets_not_found(login, bob, recommended, name):
    before = state(recommended)
    data = {"comment": "Tidak adil", "plan": "on", "confidentiality": "on"}
    assert call(login(bob), name, recommended, data).status_code == 404
    assert state(recommended) == before


def test_staff_get_not_found_for_a_missing_case_or_application(login, staff, db):
    client = login(staff)
    for name in ("assessment:detail", "assessment:reassign"):
        assert client.get(reverse(name, args=[999999])).status_code == 404
    assert client.get(reverse("assessment:assign", args=[999999])).status_code == 404


@pytest.mark.parametrize("name", POST_ONLY)
def test_state_changing_views_accept_post_only(login, alice, assessor, planned, name):
    user = alice if "alice" in VIEWS[name][2] else assessor
    before = state(planned)
    assert login(user).get(url(name, planned)).status_code == 405
    assert state(planned) == before


@pytest.mark.parametrize("name", GET_ONLY)
def test_pages_accept_get_only(login, cast, assigned, name):
    user = cast[sorted(VIEWS[name][2])[-1]]
    assert login(user).post(url(name, assigned)).status_code == 405


# ---------------------------------------------------------------------------------------------
# Staff: the overview, assigning and reassigning
# ---------------------------------------------------------------------------------------------


def test_staff_see_waiting_applications_and_the_queue_ready_for_the_technical_team(
    login, staff, alice, assessor, bobs_eligible, recommended
):
    response = login(staff).get(reverse("assessment:staff_overview"))
    assert response.status_code == 200
    assert bobs_eligible.reference in section(response, "waiting")
    assert recommended.application.reference not in section(response, "waiting")
    assert recommended.reference in section(response, "ready")
    assert recommended.reference not in section(response, "in-progress")


def test_the_assign_page_shows_each_qualified_assessors_workload(
    login, staff, assigned, assessor2_profile, bobs_eligible, scheme
):
    make_assessor(
        make_user("lapsed@example.org", "Lia Lapsed", Role.ASSESSOR),
        scheme,
        "MET.LAPSED",
        valid_until=today() - datetime.timedelta(days=1),
    )
    response = login(staff).get(reverse("assessment:assign", args=[bobs_eligible.pk]))
    assert response.status_code == 200
    rows = re.findall(
        r"<tr><td>([^<]+)</td>.*?<td class=\"text-end\">(\d+)</td></tr>",
        section(response, "workload"),
    )
    # Ana has alice's open case, Andi none; fewest open cases first. Lia's registration lapsed.
    assert rows == [("Andi Assessor", "0"), ("Ana Assessor", "1")]


def test_staff_assign_an_assessor_through_the_page(
    login, staff, bobs_eligible, assessor2, assessor2_profile
):
    response = login(staff).post(
        reverse("assessment:assign", args=[bobs_eligible.pk]), {"assessor": assessor2_profile.pk}
    )
    assessment = Assessment.objects.get(application=bobs_eligible)
    assert response.status_code == 302
    assert response["Location"] == reverse("assessment:detail", args=[assessment.pk])
    assert assessment.assessor == assessor2_profile
    assert assessment.status == Status.ASSIGNED
    assert (
        AuditEvent.objects.for_object(assessment).get(action="assessment.assigned").actor == staff
    )


def test_a_lapsed_assessor_cannot_be_chosen_on_the_assign_page(
    login, staff, eligible, assessor, scheme
):
    lapsed = make_assessor(
        assessor, scheme, "MET.LAPSED", valid_until=today() - datetime.timedelta(days=1)
    )
    response = login(staff).post(
        reverse("assessment:assign", args=[eligible.pk]), {"assessor": lapsed.pk}
    )
    assert response.status_code == 200
    assert not Assessment.objects.exists()


def test_the_assign_page_of_an_assigned_application_leads_to_reassigning(login, staff, assigned):
    response = login(staff).get(reverse("assessment:assign", args=[assigned.application_id]))
    assert response.status_code == 302
    assert response["Location"] == reverse("assessment:reassign", args=[assigned.pk])


def test_staff_reassign_through_the_page_with_a_reason(login, staff, declared, assessor2_profile):
    response = login(staff).post(
        reverse("assessment:reassign", args=[declared.pk]),
        {"assessor": assessor2_profile.pk, "reason": "Asesor cuti"},
    )
    assert response.status_code == 302
    declared.refresh_from_db()
    assert declared.assessor == assessor2_profile
    assert declared.impartiality_declared_at is None
    event = AuditEvent.objects.for_object(declared).get(action="assessment.reassigned")
    assert (event.actor, event.reason) == (staff, "Asesor cuti")


# ---------------------------------------------------------------------------------------------
# The assessor: impartiality, evidence visibility, plan, review, results, submission
# ---------------------------------------------------------------------------------------------


def test_assessor_sees_only_own_cases_in_the_list(login, assessor, assessor2, assigned):
    assert assigned.reference in section(
        login(assessor).get(reverse("assessment:assessor_cases")), "cases"
    )
    assert assigned.reference not in section(
        login(assessor2).get(reverse("assessment:assessor_cases")), "cases"
    )


def test_assessor_declares_impartiality_through_the_page(login, assessor, assigned):
    response = login(assessor).post(reverse("assessment:declare_impartiality", args=[assigned.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("assessment:plan", args=[assigned.pk])
    assigned.refresh_from_db()
    assert assigned.impartiality_declared_at is not None


def test_assessor_sees_the_applicants_documents_only_after_declaring_impartiality(
    login, assessor, assigned
):
    client = login(assessor)
    document = assigned.application.documents.first()
    file_url = reverse("registration:document_file", args=[document.pk])
    assert client.get(file_url).status_code == 404
    assert file_url not in client.get(assigned.get_absolute_url()).content.decode()
    services.declare_impartiality(assessor, assigned)
    assert client.get(file_url).status_code == 200
    assert file_url in client.get(assigned.get_absolute_url()).content.decode()


def test_a_reassigned_away_assessor_loses_the_case_and_the_documents(
    login, staff, assessor, assessor2, declared, assessor2_profile
):
    document = declared.application.documents.first()
    file_url = reverse("registration:document_file", args=[document.pk])
    services.reassign(staff, declared, assessor2_profile, reason="Konflik kepentingan")
    client = login(assessor)
    assert client.get(declared.get_absolute_url()).status_code == 404
    assert client.get(reverse("assessment:plan", args=[declared.pk])).status_code == 404
    assert client.get(file_url).status_code == 404
    # the new assessor sees the case, and the evidence once they declare impartiality
    client = login(assessor2)
    assert client.get(declared.get_absolute_url()).status_code == 200
    assert client.get(file_url).status_code == 404


def test_the_plan_page_before_impartiality_sends_the_assessor_back(login, assessor, assigned):
    response = login(assessor).get(reverse("assessment:plan", args=[assigned.pk]))
    assert response.status_code == 302
    assert response["Location"] == assigned.get_absolute_url()
    assert not assigned.plan.exists()


def test_assessor_sets_the_plan_unit_by_unit(login, assessor, declared, tuk):
    date = today() + datetime.timedelta(days=3)
    response = login(assessor).post(
        reverse("assessment:plan", args=[declared.pk]), plan_form(declared, tuk, date)
    )
    assert response.status_code == 302
    declared.refresh_from_db()
    assert declared.plan_set_at is not None
    assert declared.plan.count() == 15
    assert set(declared.plan.values_list("date", "tuk_id")) == {(date, tuk.pk)}
    assert declared.plan.first().methods == ["observasi", "tertulis"]


def test_assessor_sets_one_date_and_tuk_for_all_units(login, assessor, declared, tuk):
    data = {**PLAN_HEADER_FORM, "all-date": today().isoformat(), "all-tuk": tuk.pk}
    for unit in declared.application.scheme.units.all():
        data[f"unit-{unit.pk}-methods"] = ["wawancara"]
        data[f"unit-{unit.pk}-instruments"] = ["IA.09"]
        data[f"unit-{unit.pk}-evidence_kinds"] = ["T"]
    response = login(assessor).post(reverse("assessment:plan", args=[declared.pk]), data)
    assert response.status_code == 302
    assert set(declared.plan.values_list("date", "tuk_id")) == {(today(), tuk.pk)}


def test_a_plan_form_with_a_unit_left_empty_saves_nothing(login, assessor, declared, tuk):
    data = plan_form(declared, tuk, today())
    unit = declared.application.scheme.units.last()
    del data[f"unit-{unit.pk}-tuk"]
    response = login(assessor).post(reverse("assessment:plan", args=[declared.pk]), data)
    assert response.status_code == 400
    assert unit.code in response.content.decode()
    declared.refresh_from_db()
    assert declared.plan_set_at is None
    assert not declared.plan.exists()


def test_a_plan_form_with_a_lapsed_tuk_saves_nothing(login, assessor, declared, lapsed_tuk):
    response = login(assessor).post(
        reverse("assessment:plan", args=[declared.pk]), plan_form(declared, lapsed_tuk, today())
    )
    assert response.status_code == 400
    assert "TUK Lama" in response.content.decode()
    assert not declared.plan.exists()


def test_both_parties_agree_through_the_page(login, alice, assessor, planned):
    agreement = {"plan": "on", "confidentiality": "on"}
    agree_url = reverse("assessment:agree", args=[planned.pk])
    assert login(alice).post(agree_url, agreement).status_code == 302
    planned.refresh_from_db()
    assert planned.applicant_agreed_at is not None
    assert planned.status == Status.ASSIGNED
    assert login(assessor).post(agree_url, agreement).status_code == 302
    planned.refresh_from_db()
    assert planned.assessor_agreed_at is not None
    assert planned.status == Status.PLAN_AGREED


def test_agreeing_without_both_ticks_changes_nothing(login, alice, planned):
    before = state(planned)
    response = login(alice).post(reverse("assessment:agree", args=[planned.pk]), {"plan": "on"})
    assert response.status_code == 302
    assert state(planned) == before


def test_assessor_reviews_the_evidence_through_the_form(login, assessor, agreed):
    response = login(assessor).post(
        reverse("assessment:evidence", args=[agreed.pk]), evidence_form(agreed)
    )
    assert response.status_code == 302
    agreed.refresh_from_db()
    assert agreed.status == Status.EVIDENCE_REVIEWED
    assert agreed.proceed_to_test is True
    # One review per element of FR-APL-02 (45 in the demo scheme's 15 units), 9.2.5.
    assert agreed.evidence_reviews.filter(valid=True, authentic=True, current=True).count() == 45
    assert not agreed.evidence_reviews.filter(element__isnull=True).exists()
    page = login(assessor).get(reverse("assessment:detail", args=[agreed.pk])).content.decode()
    first = agreed.application.standard.elements.order_by("unit__number", "number").first()
    assert page.count('data-element="') >= 45 and first.title in page


def test_an_evidence_review_missing_an_element_saves_nothing(assessor, agreed):
    values = reviews(agreed)
    last = list(values)[-1]
    del values[last]
    with pytest.raises(RuleError, match=f"belum lengkap pada unit: {last.unit.code}"):
        services.review_evidence(assessor, agreed, values, proceed=True)
    agreed.refresh_from_db()
    assert agreed.status == Status.PLAN_AGREED
    assert not agreed.evidence_reviews.exists()


def test_not_recommending_through_the_form_needs_a_reason(login, assessor, agreed):
    client = login(assessor)
    evidence_url = reverse("assessment:evidence", args=[agreed.pk])
    response = client.post(evidence_url, evidence_form(agreed, proceed="no"))
    assert response.status_code == 400
    agreed.refresh_from_db()
    assert agreed.status == Status.PLAN_AGREED
    assert not agreed.evidence_reviews.exists()

    response = client.post(evidence_url, evidence_form(agreed, proceed="no", reason="Tidak asli"))
    assert response.status_code == 302
    agreed.refresh_from_db()
    assert (agreed.status, agreed.proceed_to_test) == (Status.EVIDENCE_REVIEWED, False)
    assert agreed.not_recommended_reason == "Tidak asli"


def test_assessor_records_the_results_through_the_form_and_submits(login, assessor, reviewed):
    observe_all(assessor, reviewed)
    client = login(assessor)
    response = client.post(
        reverse("assessment:results", args=[reviewed.pk]), results_form(reviewed)
    )
    assert response.status_code == 302
    assert reviewed.results.filter(result="K").count() == 15
    response = client.post(reverse("assessment:submit", args=[reviewed.pk]), {"note": "Tuntas"})
    assert response.status_code == 302
    reviewed.refresh_from_db()
    assert reviewed.status == Status.RECOMMENDED
    assert (reviewed.recommendation, reviewed.recommendation_note) == ("K", "Tuntas")


def test_k_without_the_four_vatm_ticks_through_the_form_saves_nothing(login, assessor, reviewed):
    response = login(assessor).post(
        reverse("assessment:results", args=[reviewed.pk]),
        results_form(reviewed, vatm=("valid", "authentic", "current")),
    )
    assert response.status_code == 400
    assert not reviewed.results.exists()


def test_submitting_with_units_missing_through_the_page_changes_nothing(login, assessor, reviewed):
    before = state(reviewed)
    response = login(assessor).post(reverse("assessment:submit", args=[reviewed.pk]))
    assert response.status_code == 302
    assert state(reviewed) == before


@pytest.mark.parametrize("page", ["results", "plan", "evidence"])
def test_editing_after_submission_through_the_pages_is_refused_read_only(
    login, assessor, recommended, tuk, page
):
    forms = {
        "results": lambda: results_form(recommended, result="BK"),
        "plan": lambda: plan_form(recommended, tuk, today() + datetime.timedelta(days=2)),
        "evidence": lambda: evidence_form(recommended, proceed="no", reason="Ubah"),
    }
    results = list(recommended.results.values_list("unit_id", "result"))
    plan = list(recommended.plan.values_list("unit_id", "date"))
    before = state(recommended)
    response = login(assessor).post(
        reverse(f"assessment:{page}", args=[recommended.pk]), forms[page]()
    )
    assert response.status_code == 400
    message = gettext(
        "This assessment was submitted to the LSP and is read-only; "
        "nothing can be changed any more."
    )
    assert escape(message) in response.content.decode()
    assert state(recommended) == before
    assert list(recommended.results.values_list("unit_id", "result")) == results
    assert list(recommended.plan.values_list("unit_id", "date")) == plan


# ---------------------------------------------------------------------------------------------
# The applicant: tracker, result, signature, feedback
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "stage,expected",
    [
        ("assigned", "current"),
        ("planned", "attention"),
        ("agreed", "current"),
        ("recommended", "done"),
    ],
)
def test_the_applicants_tracker_shows_where_the_assessment_stands(
    request, login, alice, stage, expected
):
    request.getfixturevalue(stage)
    html = login(alice).get(reverse("dashboard")).content.decode()
    assert f'data-step="assessment" data-state="{expected}"' in html


def test_the_applicant_sees_the_results_only_after_submission(login, alice, assessor, recorded):
    client = login(alice)
    html = client.get(recorded.get_absolute_url()).content.decode()
    assert 'data-testid="results-table"' not in html
    assert "Mendemonstrasikan pengelolaan data pelanggan" not in html
    services.submit_recommendation(assessor, recorded)
    html = client.get(recorded.get_absolute_url()).content.decode()
    assert 'data-testid="results-table"' in html
    assert "Mendemonstrasikan pengelolaan data pelanggan" in html


def test_the_applicant_sees_the_reason_when_not_recommended(login, alice, assessor, agreed):
    services.review_evidence(
        assessor, agreed, reviews(agreed), proceed=False, reason="Portofolio belum lengkap"
    )
    html = login(alice).get(agreed.get_absolute_url()).content.decode()
    assert "Portofolio belum lengkap" in html


def test_the_applicant_signs_the_result_through_the_page(login, alice, recommended):
    response = login(alice).post(reverse("assessment:sign", args=[recommended.pk]))
    assert response.status_code == 302
    recommended.refresh_from_db()
    assert recommended.applicant_signed_at is not None


def test_the_applicant_declines_to_sign_with_a_comment(login, alice, staff, recommended):
    client = login(alice)
    decline_url = reverse("assessment:decline", args=[recommended.pk])
    assert client.post(decline_url, {"comment": ""}).status_code == 302
    recommended.refresh_from_db()
    assert recommended.signature_declined_at is None
    assert client.post(decline_url, {"comment": "Waktu uji terlalu singkat"}).status_code == 302
    recommended.refresh_from_db()
    assert recommended.signature_declined_at is not None
    assert recommended.signature_decline_comment == "Waktu uji terlalu singkat"
    html = login(staff).get(recommended.get_absolute_url()).content.decode()
    assert "Waktu uji terlalu singkat" in html


def test_the_applicant_gives_feedback_through_the_form(login, alice, staff, recommended):
    data = {f"q{i}": "yes" for i in range(len(Feedback.QUESTIONS))}
    data.update({"q3": "no", "c3": "Bukti pelatihan tidak ditanyakan", "comment": "Baik"})
    client = login(alice)
    feedback_url = reverse("assessment:feedback", args=[recommended.pk])
    assert client.get(feedback_url).status_code == 200
    assert client.post(feedback_url, data).status_code == 302
    feedback = Feedback.objects.get(assessment=recommended)
    assert feedback.answers[3] == {"yes": False, "comment": "Bukti pelatihan tidak ditanyakan"}
    assert feedback.comment == "Baik"
    assert (
        "Bukti pelatihan tidak ditanyakan"
        in login(staff).get(recommended.get_absolute_url()).content.decode()
    )
    # once only
    login(alice).post(feedback_url, {**data, "comment": "Lagi"})
    assert Feedback.objects.get(assessment=recommended).comment == "Baik"


def test_an_incomplete_feedback_form_saves_nothing(login, alice, recommended):
    response = login(alice).post(
        reverse("assessment:feedback", args=[recommended.pk]), {"q0": "yes"}
    )
    assert response.status_code == 400
    assert not Feedback.objects.exists()


def test_staff_see_the_history_of_the_case(login, staff, recommended):
    html = login(staff).get(recommended.get_absolute_url()).content.decode()
    for action in ("assessment.assigned", "assessment.plan_agreed", "assessment.submitted"):
        assert f'data-action="{action}"' in html
