"""The assessment rules of 9.2-9.3, enforced in assessment/services.py: each transition checks the
role and the source state, and a refused action raises and leaves everything as it was."""

import dataclasses
import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext

from assessment import services
from assessment.inputs import FeedbackAnswer
from assessment.models import Assessment, EvidenceReview, Feedback, PlanItem, UnitResult
from lsp_portal.audit.models import AuditEvent
from lsp_portal.errors import RuleError
from tests.fixtures_assessment import (
    all_results,
    make_assessor,
    make_tuk,
    observe_all,
    plan_header,
    plan_items,
    result_values,
    reviews,
    today,
)

Status = Assessment.Status
READ_ONLY = (
    "This assessment was submitted to the LSP and is read-only; nothing can be changed any more."
)
TOMORROW = datetime.timedelta(days=1)


def actions(assessment):
    return list(
        AuditEvent.objects.for_object(assessment).order_by("id").values_list("action", flat=True)
    )


def snapshot(assessment):
    """Everything a refused action must leave untouched."""
    fresh = Assessment.objects.get(pk=assessment.pk)
    return {
        "fields": {
            name: getattr(fresh, name)
            for name in (
                "status",
                "assessor_id",
                "impartiality_declared_at",
                "plan_set_at",
                "applicant_agreed_at",
                "assessor_agreed_at",
                "evidence_reviewed_at",
                "proceed_to_test",
                "not_recommended_reason",
                "recommendation",
                "submitted_at",
                "applicant_signed_at",
                "signature_declined_at",
            )
        },
        "plan": list(fresh.plan.values_list("unit_id", "date", "tuk_id", "methods")),
        "reviews": list(fresh.evidence_reviews.values_list("unit_id", "valid", "note")),
        "results": list(fresh.results.values_list("unit_id", "result", "evidence_observed")),
        "feedback": Feedback.objects.filter(assessment=fresh).count(),
        "audit": actions(fresh),
    }


# ---------------------------------------------------------------------------------------------
# Assignment (9.2.2)
# ---------------------------------------------------------------------------------------------


def test_staff_assign_a_qualified_assessor_to_an_eligible_application(
    staff, eligible, assessor_profile
):
    assessment = services.assign(staff, eligible, assessor_profile)
    assessment.refresh_from_db()
    assert assessment.status == Status.ASSIGNED
    assert assessment.assessor == assessor_profile
    assert assessment.assigned_by == staff
    assert assessment.impartiality_declared_at is None
    event = AuditEvent.objects.for_object(assessment).get(action="assessment.assigned")
    assert (event.actor, event.to_status) == (staff, Status.ASSIGNED)


def test_assigning_needs_an_eligible_application(staff, submitted, assessor_profile):
    with pytest.raises(RuleError):
        services.assign(staff, submitted, assessor_profile)
    assert not Assessment.objects.exists()
    assert not AuditEvent.objects.filter(action="assessment.assigned").exists()
    submitted.refresh_from_db()
    assert submitted.status == "submitted"


def test_an_assessor_whose_registration_lapsed_cannot_be_assigned(
    staff, eligible, assessor, scheme
):
    lapsed = make_assessor(
        assessor, scheme, "MET.LAPSED", valid_until=today() - datetime.timedelta(days=1)
    )
    with pytest.raises(RuleError) as error:
        services.assign(staff, eligible, lapsed)
    assert "MET.LAPSED" in error.value.message
    assert not Assessment.objects.exists()
    assert not AuditEvent.objects.filter(action="assessment.assigned").exists()


def test_an_assessor_not_registered_for_the_scheme_cannot_be_assigned(
    staff, eligible, assessor, second_scheme
):
    other_scheme_only = make_assessor(assessor, second_scheme, "MET.OTHER")
    with pytest.raises(RuleError) as error:
        services.assign(staff, eligible, other_scheme_only)
    assert eligible.scheme.name in error.value.message
    assert not Assessment.objects.exists()
    assert not AuditEvent.objects.filter(action="assessment.assigned").exists()


def test_a_second_assignment_is_refused(staff, assigned, assessor2_profile):
    before = snapshot(assigned)
    with pytest.raises(RuleError):
        services.assign(staff, assigned.application, assessor2_profile)
    assert Assessment.objects.count() == 1
    assert snapshot(assigned) == before


def test_only_staff_can_assign(assessor, alice, eligible, assessor_profile):
    for user in (assessor, alice):
        with pytest.raises(PermissionDenied):
            services.assign(user, eligible, assessor_profile)
    assert not Assessment.objects.exists()


def test_reassigning_before_results_starts_over_and_is_audited_with_the_reason(
    staff, reviewed, assessor2_profile
):
    services.reassign(staff, reviewed, assessor2_profile, reason="Asesor sakit")
    reviewed.refresh_from_db()
    assert reviewed.assessor == assessor2_profile
    assert reviewed.status == Status.ASSIGNED
    assert reviewed.impartiality_declared_at is None
    assert reviewed.applicant_agreed_at is None
    assert reviewed.assessor_agreed_at is None
    assert reviewed.proceed_to_test is None
    assert not reviewed.evidence_reviews.exists()
    # the new assessor sets their own plan: the applicant has nothing to agree to until then
    assert reviewed.plan_set_at is None
    assert not reviewed.plan.exists()
    event = AuditEvent.objects.for_object(reviewed).get(action="assessment.reassigned")
    assert event.actor == staff
    assert (event.from_status, event.to_status) == (Status.EVIDENCE_REVIEWED, Status.ASSIGNED)
    assert event.reason == "Asesor sakit"
    assert "Andi Assessor" in event.data["to_assessor"]


def test_reassigning_is_refused_once_a_result_is_recorded(
    staff, assessor, reviewed, assessor2_profile
):
    unit = reviewed.application.scheme.units.first()
    services.record_results(assessor, reviewed, {unit: result_values("BK")})
    before = snapshot(reviewed)
    with pytest.raises(RuleError):
        services.reassign(staff, reviewed, assessor2_profile, reason="Ganti")
    assert snapshot(reviewed) == before
    assert "assessment.reassigned" not in before["audit"]


def test_reassigning_needs_a_reason(staff, assigned, assessor2_profile):
    before = snapshot(assigned)
    with pytest.raises(RuleError):
        services.reassign(staff, assigned, assessor2_profile, reason="  ")
    assert snapshot(assigned) == before


def test_the_assessor_reassigned_away_can_no_longer_act(
    staff, assessor, declared, assessor2_profile, tuk
):
    services.reassign(staff, declared, assessor2_profile, reason="Konflik jadwal")
    before = snapshot(declared)
    with pytest.raises(PermissionDenied):
        services.set_plan(assessor, declared, plan_items(declared, tuk), header=plan_header())
    assert snapshot(declared) == before
    assert not Assessment.objects.for_assessor(assessor).exists()


# ---------------------------------------------------------------------------------------------
# Impartiality and the plan (9.2.2-9.2.4, FR.MAPA.01)
# ---------------------------------------------------------------------------------------------


def test_declaring_impartiality_is_recorded_and_audited(assessor, assigned):
    services.declare_impartiality(assessor, assigned)
    assigned.refresh_from_db()
    assert assigned.impartiality_declared_at is not None
    event = AuditEvent.objects.for_object(assigned).get(action="assessment.impartiality_declared")
    assert event.actor == assessor


def test_the_plan_is_refused_before_impartiality_is_declared(assessor, assigned, tuk):
    before = snapshot(assigned)
    with pytest.raises(RuleError):
        services.set_plan(assessor, assigned, plan_items(assigned, tuk), header=plan_header())
    assert snapshot(assigned) == before
    assert not PlanItem.objects.exists()


def test_a_plan_sets_every_unit_and_asks_the_applicant(assessor, declared, tuk):
    services.set_plan(assessor, declared, plan_items(declared, tuk), header=plan_header())
    declared.refresh_from_db()
    assert declared.plan_set_at is not None
    assert declared.plan.count() == declared.application.scheme.units.count() == 15
    item = declared.plan.first()
    assert (item.date, item.tuk, item.methods) == (today(), tuk, ["lisan", "observasi"])
    assert "assessment.plan_set" in actions(declared)


def test_a_tuk_not_yet_verified_on_the_test_date_is_refused(assessor, declared, staff):
    future = make_tuk(
        staff,
        start=today() + datetime.timedelta(days=10),
        end=today() + datetime.timedelta(days=100),
        name="TUK Baru",
    )
    before = snapshot(declared)
    with pytest.raises(RuleError, match="TUK Baru"):
        services.set_plan(assessor, declared, plan_items(declared, future), header=plan_header())
    assert snapshot(declared) == before


def test_a_tuk_whose_verification_lapsed_is_refused(assessor, declared, lapsed_tuk):
    before = snapshot(declared)
    with pytest.raises(RuleError, match="TUK Lama"):
        services.set_plan(
            assessor, declared, plan_items(declared, lapsed_tuk), header=plan_header()
        )
    assert snapshot(declared) == before
    assert not PlanItem.objects.exists()


def test_a_tuk_verified_today_but_not_on_a_later_test_date_is_refused(assessor, declared, staff):
    ending = make_tuk(staff, start=today(), end=today() + TOMORROW, name="TUK Singkat")
    before = snapshot(declared)
    with pytest.raises(RuleError, match="TUK Singkat"):
        services.set_plan(
            assessor,
            declared,
            plan_items(declared, ending, date=today() + datetime.timedelta(days=5)),
            header=plan_header(),
        )
    assert snapshot(declared) == before


def test_a_plan_missing_a_unit_is_refused_naming_it(assessor, declared, tuk):
    units = list(declared.application.scheme.units.all())
    before = snapshot(declared)
    with pytest.raises(RuleError) as error:
        services.set_plan(
            assessor, declared, plan_items(declared, tuk, units=units[:-1]), header=plan_header()
        )
    assert units[-1].code in error.value.message
    assert snapshot(declared) == before


def test_a_plan_with_a_unit_of_another_scheme_is_refused(assessor, declared, tuk, second_scheme):
    items = plan_items(declared, tuk)
    items.update(plan_items(declared, tuk, units=second_scheme.units.all()))
    before = snapshot(declared)
    with pytest.raises(RuleError, match="M.702090.001.01"):
        services.set_plan(assessor, declared, items, header=plan_header())
    assert snapshot(declared) == before


def test_a_plan_needs_a_method_for_each_unit(assessor, declared, tuk):
    items = plan_items(declared, tuk)
    first = next(iter(items))
    items[first] = dataclasses.replace(items[first], methods=())
    before = snapshot(declared)
    with pytest.raises(RuleError):
        services.set_plan(assessor, declared, items, header=plan_header())
    assert snapshot(declared) == before


def test_changing_the_plan_withdraws_the_agreement_given(alice, assessor, planned, tuk):
    services.agree_plan(alice, planned, plan=True, confidentiality=True)
    later = today() + datetime.timedelta(days=7)
    services.set_plan(assessor, planned, plan_items(planned, tuk, date=later), header=plan_header())
    planned.refresh_from_db()
    assert planned.applicant_agreed_at is None
    assert planned.assessor_agreed_at is None
    assert planned.status == Status.ASSIGNED
    assert set(planned.plan.values_list("date", flat=True)) == {later}
    event = AuditEvent.objects.for_object(planned).filter(action="assessment.plan_set").first()
    assert event.data["agreements_reset"] is True


def test_the_plan_cannot_change_once_both_agreed(assessor, agreed, tuk):
    before = snapshot(agreed)
    with pytest.raises(RuleError):
        services.set_plan(
            assessor, agreed, plan_items(agreed, tuk, date=today() + TOMORROW), header=plan_header()
        )
    assert snapshot(agreed) == before


# ---------------------------------------------------------------------------------------------
# Agreement (FR.AK.01)
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("plan,confidentiality", [(True, False), (False, True), (False, False)])
def test_agreeing_needs_both_ticks(alice, planned, plan, confidentiality):
    before = snapshot(planned)
    with pytest.raises(RuleError):
        services.agree_plan(alice, planned, plan=plan, confidentiality=confidentiality)
    assert snapshot(planned) == before


@pytest.mark.parametrize("first", ["applicant", "assessor"])
def test_the_plan_is_agreed_only_after_both_parties_agree(alice, assessor, planned, first):
    parties = {"applicant": alice, "assessor": assessor}
    order = [first, *(p for p in parties if p != first)]

    services.agree_plan(parties[order[0]], planned, plan=True, confidentiality=True)
    planned.refresh_from_db()
    assert planned.status == Status.ASSIGNED
    assert getattr(planned, f"{order[0]}_agreed_at") is not None
    assert getattr(planned, f"{order[1]}_agreed_at") is None

    services.agree_plan(parties[order[1]], planned, plan=True, confidentiality=True)
    planned.refresh_from_db()
    assert planned.status == Status.PLAN_AGREED
    events = AuditEvent.objects.for_object(planned).filter(action="assessment.plan_agreed")
    assert [(e.actor, e.from_status, e.to_status) for e in events.order_by("id")] == [
        (parties[order[0]], Status.ASSIGNED, Status.ASSIGNED),
        (parties[order[1]], Status.ASSIGNED, Status.PLAN_AGREED),
    ]


def test_nobody_can_agree_before_the_plan_is_set(alice, assessor, declared):
    before = snapshot(declared)
    for user in (alice, assessor):
        with pytest.raises(RuleError):
            services.agree_plan(user, declared, plan=True, confidentiality=True)
    assert snapshot(declared) == before


def test_agreeing_twice_is_refused(alice, planned):
    services.agree_plan(alice, planned, plan=True, confidentiality=True)
    before = snapshot(planned)
    with pytest.raises(RuleError):
        services.agree_plan(alice, planned, plan=True, confidentiality=True)
    assert snapshot(planned) == before


def test_another_applicant_cannot_agree_to_the_plan(bob, planned):
    before = snapshot(planned)
    with pytest.raises(PermissionDenied):
        services.agree_plan(bob, planned, plan=True, confidentiality=True)
    assert snapshot(planned) == before


# ---------------------------------------------------------------------------------------------
# Evidence review (9.2.5-9.2.6)
# ---------------------------------------------------------------------------------------------


def test_the_evidence_review_waits_until_both_agreed(alice, assessor, planned):
    services.agree_plan(assessor, planned, plan=True, confidentiality=True)
    before = snapshot(planned)
    with pytest.raises(RuleError):
        services.review_evidence(assessor, planned, reviews(planned), proceed=True)
    assert snapshot(planned) == before
    assert not EvidenceReview.objects.exists()


def test_the_evidence_review_records_vatm_per_element_and_is_audited(assessor, agreed):
    services.review_evidence(assessor, agreed, reviews(agreed, current=False), proceed=True)
    agreed.refresh_from_db()
    assert agreed.status == Status.EVIDENCE_REVIEWED
    assert agreed.proceed_to_test is True
    assert agreed.evidence_reviews.count() == 45
    assert agreed.evidence_reviews.values("unit").distinct().count() == 15
    assert not agreed.evidence_reviews.filter(current=True).exists()
    event = AuditEvent.objects.for_object(agreed).get(action="assessment.evidence_reviewed")
    assert (event.data["units_meeting_vatm"], event.data["elements_meeting_vatm"]) == (0, 0)
    assert (event.actor, event.from_status, event.to_status) == (
        assessor,
        Status.PLAN_AGREED,
        Status.EVIDENCE_REVIEWED,
    )


def test_not_recommending_needs_a_reason(assessor, agreed):
    before = snapshot(agreed)
    with pytest.raises(RuleError):
        services.review_evidence(assessor, agreed, reviews(agreed), proceed=False, reason=" ")
    assert snapshot(agreed) == before


def test_not_recommending_keeps_the_reason_for_the_applicant(assessor, agreed):
    services.review_evidence(
        assessor, agreed, reviews(agreed, valid=False), proceed=False, reason="Bukti tidak asli"
    )
    agreed.refresh_from_db()
    assert agreed.proceed_to_test is False
    assert agreed.not_recommended_reason == "Bukti tidak asli"
    event = AuditEvent.objects.for_object(agreed).get(action="assessment.evidence_reviewed")
    assert event.reason == "Bukti tidak asli"


# ---------------------------------------------------------------------------------------------
# The competency test (9.3.1-9.3.4)
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("missing", ["valid", "authentic", "current", "sufficient"])
def test_k_is_refused_unless_all_four_vatm_rules_hold(assessor, reviewed, missing):
    unit = reviewed.application.scheme.units.first()
    before = snapshot(reviewed)
    with pytest.raises(RuleError) as error:
        services.record_results(assessor, reviewed, {unit: result_values("K", **{missing: False})})
    assert unit.code in error.value.message
    assert snapshot(reviewed) == before
    assert not UnitResult.objects.exists()


def test_bk_may_be_recorded_whatever_the_vatm(assessor, reviewed):
    unit = reviewed.application.scheme.units.first()
    services.record_results(
        assessor, reviewed, {unit: result_values("BK", valid=False, sufficient=False)}
    )
    result = UnitResult.objects.get(assessment=reviewed, unit=unit)
    assert (result.result, result.valid) == ("BK", False)
    assert "assessment.results_recorded" in actions(reviewed)


def test_a_result_for_a_unit_not_in_the_scheme_is_refused(assessor, reviewed, second_scheme):
    foreign = second_scheme.units.first()
    before = snapshot(reviewed)
    with pytest.raises(RuleError, match=foreign.code):
        services.record_results(assessor, reviewed, {foreign: result_values("K")})
    assert snapshot(reviewed) == before


def test_a_result_before_the_planned_date_is_refused(alice, assessor, declared, tuk):
    tomorrow = today() + TOMORROW
    services.set_plan(
        assessor, declared, plan_items(declared, tuk, date=tomorrow), header=plan_header()
    )
    services.agree_plan(alice, declared, plan=True, confidentiality=True)
    services.agree_plan(assessor, declared, plan=True, confidentiality=True)
    services.review_evidence(assessor, declared, reviews(declared), proceed=True)
    unit = declared.application.scheme.units.first()
    before = snapshot(declared)
    with pytest.raises(RuleError) as error:
        services.record_results(assessor, declared, {unit: result_values("K")})
    assert unit.code in error.value.message
    assert snapshot(declared) == before


def test_results_may_be_saved_in_parts_and_corrected_before_submission(assessor, reviewed):
    observe_all(assessor, reviewed)
    unit = reviewed.application.scheme.units.first()
    services.record_results(assessor, reviewed, {unit: result_values("BK")})
    services.record_results(assessor, reviewed, {unit: result_values("K")})
    assert list(reviewed.results.values_list("unit_id", "result")) == [(unit.pk, "K")]


def test_no_results_when_the_applicant_was_not_recommended_for_the_test(assessor, agreed):
    services.review_evidence(assessor, agreed, reviews(agreed), proceed=False, reason="Kurang")
    before = snapshot(agreed)
    with pytest.raises(RuleError):
        services.record_results(assessor, agreed, all_results(agreed))
    assert snapshot(agreed) == before


# ---------------------------------------------------------------------------------------------
# Submission to the LSP (9.3.4-9.3.5)
# ---------------------------------------------------------------------------------------------


def test_submitting_with_a_unit_missing_is_refused_naming_it(assessor, reviewed):
    observe_all(assessor, reviewed)
    units = list(reviewed.application.scheme.units.all())
    services.record_results(assessor, reviewed, {u: result_values("K") for u in units[1:]})
    before = snapshot(reviewed)
    with pytest.raises(RuleError) as error:
        services.submit_recommendation(assessor, reviewed)
    assert units[0].code in error.value.message
    assert units[1].code not in error.value.message
    assert snapshot(reviewed) == before


def test_every_unit_k_gives_kompeten(assessor, recorded):
    services.submit_recommendation(assessor, recorded, note="Lancar")
    recorded.refresh_from_db()
    assert recorded.status == Status.RECOMMENDED
    assert recorded.recommendation == "K"
    assert recorded.recommendation_note == "Lancar"
    assert recorded.submitted_at is not None
    event = AuditEvent.objects.for_object(recorded).get(action="assessment.submitted")
    assert (event.actor, event.from_status, event.to_status) == (
        assessor,
        Status.EVIDENCE_REVIEWED,
        Status.RECOMMENDED,
    )
    assert event.data["bk_units"] == []


def test_one_bk_unit_gives_belum_kompeten_listing_the_bk_units(assessor, reviewed):
    observe_all(assessor, reviewed)
    units = list(reviewed.application.scheme.units.all())
    results = all_results(reviewed)
    results[units[2]] = result_values("BK")
    results[units[5]] = result_values("BK", current=False)
    services.record_results(assessor, reviewed, results)
    services.submit_recommendation(assessor, reviewed)
    reviewed.refresh_from_db()
    assert reviewed.recommendation == "BK"
    assert reviewed.bk_units() == [units[2], units[5]]
    event = AuditEvent.objects.for_object(reviewed).get(action="assessment.submitted")
    assert event.data["bk_units"] == [units[2].code, units[5].code]


def test_not_recommended_for_the_test_submits_bk_without_results(assessor, agreed):
    services.review_evidence(assessor, agreed, reviews(agreed), proceed=False, reason="Kurang")
    services.submit_recommendation(assessor, agreed)
    agreed.refresh_from_db()
    assert agreed.status == Status.RECOMMENDED
    assert agreed.recommendation == "BK"
    assert not agreed.results.exists()


@pytest.mark.parametrize(
    "edit",
    [
        lambda user, a, tuk: services.record_results(user, a, all_results(a, "BK")),
        lambda user, a, tuk: services.set_plan(
            user, a, plan_items(a, tuk, date=today() + TOMORROW), header=plan_header()
        ),
        lambda user, a, tuk: services.review_evidence(user, a, reviews(a), proceed=True),
        lambda user, a, tuk: services.submit_recommendation(user, a, note="lagi"),
        lambda user, a, tuk: services.declare_impartiality(user, a),
    ],
    ids=["results", "plan", "evidence", "submit", "impartiality"],
)
def test_after_submission_the_records_are_read_only(assessor, recommended, tuk, edit):
    before = snapshot(recommended)
    with pytest.raises(RuleError) as error:
        edit(assessor, recommended, tuk)
    assert error.value.message == gettext(READ_ONLY)
    assert snapshot(recommended) == before


def test_staff_cannot_reassign_after_submission(staff, recommended, assessor2_profile):
    before = snapshot(recommended)
    with pytest.raises(RuleError):
        services.reassign(staff, recommended, assessor2_profile, reason="Terlambat")
    assert snapshot(recommended) == before


@pytest.mark.parametrize(
    "act",
    [
        lambda user, a, tuk: services.declare_impartiality(user, a),
        lambda user, a, tuk: services.set_plan(user, a, plan_items(a, tuk), header=plan_header()),
        lambda user, a, tuk: services.agree_plan(user, a, plan=True, confidentiality=True),
        lambda user, a, tuk: services.review_evidence(user, a, reviews(a), proceed=True),
        lambda user, a, tuk: services.record_results(user, a, all_results(a)),
        lambda user, a, tuk: services.submit_recommendation(user, a),
    ],
    ids=["impartiality", "plan", "agree", "evidence", "results", "submit"],
)
def test_another_assessor_cannot_act_on_the_case(assessor2, assessor2_profile, planned, tuk, act):
    before = snapshot(planned)
    with pytest.raises(PermissionDenied):
        act(assessor2, planned, tuk)
    assert snapshot(planned) == before


def test_the_applicant_cannot_act_as_the_assessor(alice, planned, tuk):
    before = snapshot(planned)
    with pytest.raises(PermissionDenied):
        services.set_plan(alice, planned, plan_items(planned, tuk), header=plan_header())
    with pytest.raises(PermissionDenied):
        services.declare_impartiality(alice, planned)
    assert snapshot(planned) == before


# ---------------------------------------------------------------------------------------------
# The applicant after submission (9.9.8.a, FR-AK-03)
# ---------------------------------------------------------------------------------------------

ANSWERS = [FeedbackAnswer(yes=True)] * (len(Feedback.QUESTIONS) - 1) + [
    FeedbackAnswer(yes=False, comment="Kurang jelas")
]


def test_the_applicant_signs_the_result_once(alice, recommended):
    services.sign_result(alice, recommended)
    recommended.refresh_from_db()
    assert recommended.applicant_signed_at is not None
    event = AuditEvent.objects.for_object(recommended).get(action="assessment.result_signed")
    assert event.actor == alice
    before = snapshot(recommended)
    for respond in (
        lambda: services.sign_result(alice, recommended),
        lambda: services.decline_to_sign(alice, recommended, comment="Berubah pikiran"),
    ):
        with pytest.raises(RuleError):
            respond()
    assert snapshot(recommended) == before


def test_the_result_cannot_be_signed_before_submission(alice, recorded):
    before = snapshot(recorded)
    with pytest.raises(RuleError):
        services.sign_result(alice, recorded)
    assert snapshot(recorded) == before


def test_declining_to_sign_needs_a_comment(alice, recommended):
    before = snapshot(recommended)
    with pytest.raises(RuleError):
        services.decline_to_sign(alice, recommended, comment="   ")
    assert snapshot(recommended) == before


def test_declining_to_sign_keeps_the_comment_for_staff_and_appeal(alice, recommended):
    services.decline_to_sign(alice, recommended, comment="Perlakuan tidak adil")
    recommended.refresh_from_db()
    assert recommended.signature_declined_at is not None
    assert recommended.applicant_signed_at is None
    assert recommended.signature_decline_comment == "Perlakuan tidak adil"
    event = AuditEvent.objects.for_object(recommended).get(action="assessment.signature_declined")
    assert (event.actor, event.reason) == (alice, "Perlakuan tidak adil")
    with pytest.raises(RuleError):
        services.sign_result(alice, recommended)
    recommended.refresh_from_db()
    assert recommended.applicant_signed_at is None


def test_feedback_is_given_once(alice, recommended):
    services.give_feedback(alice, recommended, answers=ANSWERS, comment="Terima kasih")
    feedback = Feedback.objects.get(assessment=recommended)
    assert feedback.answers[-1] == {"yes": False, "comment": "Kurang jelas"}
    assert feedback.comment == "Terima kasih"
    event = AuditEvent.objects.for_object(recommended).get(action="assessment.feedback_given")
    assert (event.actor, event.data["negative"]) == (alice, 1)
    with pytest.raises(RuleError):
        services.give_feedback(alice, recommended, answers=ANSWERS)
    assert Feedback.objects.count() == 1
    assert actions(recommended).count("assessment.feedback_given") == 1


def test_feedback_needs_an_answer_to_every_question(alice, recommended):
    before = snapshot(recommended)
    with pytest.raises(RuleError):
        services.give_feedback(alice, recommended, answers=ANSWERS[:-1])
    assert snapshot(recommended) == before


def test_another_applicant_cannot_respond_to_the_result(bob, recommended):
    before = snapshot(recommended)
    for respond in (
        lambda: services.sign_result(bob, recommended),
        lambda: services.decline_to_sign(bob, recommended, comment="Tidak"),
        lambda: services.give_feedback(bob, recommended, answers=ANSWERS),
    ):
        with pytest.raises(PermissionDenied):
            respond()
    assert snapshot(recommended) == before


# ---------------------------------------------------------------------------------------------
# The audit trail of the whole stage
# ---------------------------------------------------------------------------------------------


def test_every_step_of_the_stage_is_audited_with_actor_and_status(
    alice, staff, assessor, recommended
):
    services.sign_result(alice, recommended)
    events = AuditEvent.objects.for_object(recommended).order_by("id")
    trail = [(e.action, e.actor, e.from_status, e.to_status) for e in events]
    assert trail == [
        ("assessment.assigned", staff, "", Status.ASSIGNED),
        ("assessment.impartiality_declared", assessor, "", ""),
        ("assessment.plan_set", assessor, "", ""),
        ("assessment.plan_agreed", alice, Status.ASSIGNED, Status.ASSIGNED),
        ("assessment.plan_agreed", assessor, Status.ASSIGNED, Status.PLAN_AGREED),
        ("assessment.evidence_reviewed", assessor, Status.PLAN_AGREED, Status.EVIDENCE_REVIEWED),
        # FR.IA.01 per unit (tests/fixtures_assessment.py observes every KUK before K, 9.3.3)
        *[("assessment.observation_recorded", assessor, "", "")] * 15,
        ("assessment.results_recorded", assessor, "", ""),
        ("assessment.submitted", assessor, Status.EVIDENCE_REVIEWED, Status.RECOMMENDED),
        ("assessment.result_signed", alice, "", ""),
    ]


# ---------------------------------------------------------------------------------------------
# E-mails: whose turn it is
# ---------------------------------------------------------------------------------------------


def test_the_assessor_is_emailed_when_assigned(
    staff, eligible, assessor_profile, celery_eager, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        assessment = services.assign(staff, eligible, assessor_profile)
    assert [m.to for m in mailoutbox] == [["assessor@example.org"]]
    assert assessment.get_absolute_url() in mailoutbox[0].body


def test_the_applicant_is_emailed_when_the_plan_is_ready(
    assessor, declared, tuk, celery_eager, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        services.set_plan(assessor, declared, plan_items(declared, tuk), header=plan_header())
    assert [m.to for m in mailoutbox] == [["alice@example.org"]]


def test_the_applicant_and_staff_are_emailed_on_submission(
    staff, assessor, recorded, celery_eager, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        services.submit_recommendation(assessor, recorded)
    assert sorted(mailoutbox[0].to) == ["alice@example.org", "staff@example.org"]
