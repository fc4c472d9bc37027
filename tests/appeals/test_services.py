"""The appeal rules (9.9): filed by the applicant within the window after the decision's
publication, once per Belum Kompeten decision (9.9.2-9.9.3); an independent appeal team appointed
by staff or the director (9.9.4); its findings; the director's final answer (9.9.7, 9.9.8.c) with
a numbered letter, an upheld appeal reopening the application for a new attempt (9.9.8.d). Every
refusal changes nothing, every change is audited."""

import datetime
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from appeals import services
from appeals.journey import appeal_steps
from appeals.models import (
    AnswerLetter,
    AnswerLetterCounter,
    Appeal,
    Attachment,
    Finding,
    TeamMember,
)
from assessment import services as assessment_services
from assessment.models import Assessment
from decisions import services as decision_services
from decisions.models import Decision
from lsp_portal.accounts.models import User
from lsp_portal.accounts.roles import Role
from lsp_portal.audit.models import AuditEvent
from lsp_portal.errors import RuleError
from tests.appeals.conftest import ANSWER, FINDING, file_for, give_role, publish
from tests.conftest import make_user, run_concurrently
from tests.decisions.conftest import meeting_through_minutes, recommended_case

ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII"]
Status = Appeal.Status


def snapshot():
    """Everything an appeal action may write: compared before and after a refusal."""
    return {
        "appeals": list(
            Appeal.objects.order_by("pk").values_list(
                "pk", "status", "outcome", "answer", "answered_at", "reassessment_opened_at"
            )
        ),
        "attachments": Attachment.objects.count(),
        "team": list(TeamMember.objects.order_by("pk").values_list("pk", "appeal", "user")),
        "findings": list(
            Finding.objects.order_by("pk").values_list(
                "pk", "text", "recommendation", "recorded_at"
            )
        ),
        "letters": list(AnswerLetter.objects.order_by("pk").values_list("pk", "number")),
        "counters": list(AnswerLetterCounter.objects.values_list("year", "last")),
        "assessments": list(Assessment.objects.order_by("pk").values_list("pk", "is_current")),
        "audit": AuditEvent.objects.count(),
    }


def actions(obj):
    return list(AuditEvent.objects.for_object(obj).order_by("pk").values_list("action", flat=True))


def fresh(appeal):
    return Appeal.objects.get(pk=appeal.pk)


def application_of(decision):
    return decision.assessment.application


@pytest.fixture
def banding2(db):
    """Another Tim Banding member, free of any conflict with bob's case."""
    return make_user("banding2@example.org", "Bela Banding", Role.APPEAL_TEAM)


def answered(director, appeal, outcome):
    return services.answer(director, appeal, outcome=outcome, reasons=ANSWER)


# --- Filing (9.9.1-9.9.3) --------------------------------------------------------------------


def test_an_appeal_one_minute_before_the_window_closes_is_received(bob, bk_decision):
    moment = bk_decision.published_at + datetime.timedelta(hours=23, minutes=59)
    with time_machine.travel(moment, tick=False):
        appeal = file_for(bob, bk_decision, involve_other_person=True, other_person=" Ibu Sari ")
    appeal.refresh_from_db()
    assert appeal.status == Status.SUBMITTED
    assert appeal.received_at == moment
    assert appeal.decision == bk_decision
    assert appeal.application == application_of(bk_decision)
    assert appeal.appellant == bob
    assert appeal.involve_other_person is True
    assert appeal.other_person == "Ibu Sari"
    assert appeal.reasons.startswith("Asesor tidak memberi")
    assert (appeal.completion_due, appeal.decision_due) == services.deadlines_from(moment)


def test_an_appeal_after_the_window_is_refused_with_the_deadline(bob, bk_decision):
    before = snapshot()
    moment = bk_decision.published_at + datetime.timedelta(hours=24, minutes=1)
    with time_machine.travel(moment, tick=False):
        with pytest.raises(RuleError) as refused:
            file_for(bob, bk_decision)
    deadline = services._when(bk_decision.published_at + datetime.timedelta(hours=24))
    assert deadline == services._when(bk_decision.appeal_deadline)
    assert deadline in refused.value.message
    assert str(timezone.localtime(bk_decision.appeal_deadline).year) in deadline
    assert not Appeal.objects.exists()
    assert snapshot() == before


def test_the_deadlines_are_stored_on_filing(filed):
    filed.refresh_from_db()
    received_on = timezone.localdate(filed.received_at)
    assert (filed.completion_due, filed.decision_due) == services.deadlines_from(filed.received_at)
    assert filed.completion_due == received_on + datetime.timedelta(days=7)
    assert filed.decision_due > filed.completion_due


def test_one_appeal_per_decision(bob, filed):
    before = snapshot()
    with pytest.raises(RuleError):
        file_for(bob, filed.decision, reasons="Alasan lain untuk banding kedua.")
    assert Appeal.objects.count() == 1
    assert snapshot() == before


def test_a_kompeten_decision_cannot_be_appealed(alice, staff, director, members, recommended):
    publish(staff, director, members, [recommended])
    decision = Decision.objects.get(assessment=recommended)
    assert decision.result == "K" and decision.published_at is not None
    before = snapshot()
    with pytest.raises(RuleError):
        file_for(alice, decision)
    assert not Appeal.objects.exists()
    assert snapshot() == before


def test_an_unpublished_decision_cannot_be_appealed(bob, staff, members, bk_case):
    decision_services.draft_decree(staff, meeting_through_minutes(staff, members, [bk_case]))
    decision = Decision.objects.get(assessment=bk_case)
    assert decision.published_at is None
    with pytest.raises(RuleError):
        file_for(bob, decision)
    assert not Appeal.objects.exists()


def test_another_applicant_cannot_appeal_bobs_decision(alice, bk_decision):
    before = snapshot()
    with pytest.raises(PermissionDenied):
        file_for(alice, bk_decision)
    assert snapshot() == before


@pytest.mark.parametrize("who", ["staff", "assessor", "director", "appeal"])
def test_only_an_applicant_files_an_appeal(request, bk_decision, who):
    before = snapshot()
    with pytest.raises(PermissionDenied):
        file_for(request.getfixturevalue(who), bk_decision)
    assert snapshot() == before


@pytest.mark.parametrize("reasons", ["", "   \n "])
def test_an_appeal_without_reasons_is_refused(bob, bk_decision, reasons):
    before = snapshot()
    with pytest.raises(RuleError):
        file_for(bob, bk_decision, reasons=reasons)
    assert not Appeal.objects.exists()
    assert snapshot() == before


@pytest.mark.parametrize("other_person", ["", "   "])
def test_involving_another_person_needs_their_name(bob, bk_decision, other_person):
    """FR-AK-04: "should another person be involved" - yes needs who; the rule holds on the
    server, not only in the form."""
    before = snapshot()
    with pytest.raises(RuleError) as refused:
        file_for(bob, bk_decision, involve_other_person=True, other_person=other_person)
    assert refused.value.message == "Sebutkan siapa yang perlu dilibatkan."
    assert not Appeal.objects.exists()
    assert snapshot() == before
    appeal = file_for(bob, bk_decision, involve_other_person=True, other_person="Ibu Sari (dosen)")
    assert appeal.other_person == "Ibu Sari (dosen)"


# --- The appeal team (9.9.4-9.9.5) -----------------------------------------------------------


def test_staff_appoint_a_member_and_the_appeal_is_under_review(staff, appeal, filed):
    member = services.appoint(staff, filed, appeal)
    assert member.user == appeal
    assert member.appointed_by == staff
    assert member.appointed_at is not None
    assert fresh(filed).status == Status.UNDER_REVIEW
    assert list(filed.team.values_list("user", flat=True)) == [appeal.pk]


def test_the_director_may_appoint_and_a_second_member_keeps_it_under_review(
    staff, director, appeal, banding2, filed
):
    services.appoint(director, filed, appeal)
    assert fresh(filed).status == Status.UNDER_REVIEW
    services.appoint(staff, filed, banding2)
    assert fresh(filed).status == Status.UNDER_REVIEW
    assert set(filed.team.values_list("user", flat=True)) == {appeal.pk, banding2.pk}


@pytest.mark.parametrize("who", ["assessor", "technical", "appeal", "bob"])
def test_only_staff_or_the_director_appoint(request, banding2, filed, who):
    before = snapshot()
    with pytest.raises(PermissionDenied):
        services.appoint(request.getfixturevalue(who), filed, banding2)
    assert snapshot() == before


@pytest.mark.parametrize(
    "who,reason",
    [
        ("assessor", "assessed this applicant"),
        ("technical", "was a member of the meeting that decided the case"),
        ("bob", "is the appellant"),
    ],
)
def test_a_member_involved_in_the_case_cannot_be_appointed(request, staff, filed, who, reason):
    conflicted = give_role(request.getfixturevalue(who), Role.APPEAL_TEAM)
    assert conflicted.has_role(Role.APPEAL_TEAM)
    before = snapshot()
    with pytest.raises(RuleError) as refused:
        services.appoint(staff, filed, conflicted)
    assert gettext(reason) in refused.value.message
    assert fresh(filed).status == Status.SUBMITTED
    assert not TeamMember.objects.exists()
    assert snapshot() == before


def test_a_user_outside_the_appeal_team_cannot_be_appointed(staff, assessor2, filed):
    before = snapshot()
    with pytest.raises(RuleError):
        services.appoint(staff, filed, assessor2)
    assert snapshot() == before


def test_an_inactive_appeal_team_member_cannot_be_appointed(staff, banding2, filed):
    User.objects.filter(pk=banding2.pk).update(is_active=False)
    before = snapshot()
    with pytest.raises(RuleError):
        services.appoint(staff, filed, User.objects.get(pk=banding2.pk))
    assert snapshot() == before


def test_the_same_member_is_appointed_once(staff, director, appeal, appointed):
    before = snapshot()
    with pytest.raises(RuleError):
        services.appoint(director, appointed, appeal)
    assert appointed.team.count() == 1
    assert snapshot() == before


def test_eligible_members_leave_out_the_involved_and_the_appointed(
    staff, bob, assessor, technical, appeal, banding2, filed
):
    give_role(assessor, Role.APPEAL_TEAM)
    give_role(technical, Role.APPEAL_TEAM)
    give_role(bob, Role.APPEAL_TEAM)
    retired = make_user("banding3@example.org", "Rudi Pensiun", Role.APPEAL_TEAM)
    User.objects.filter(pk=retired.pk).update(is_active=False)
    assert services.eligible_members(filed) == [appeal, banding2]  # ordered by name
    services.appoint(staff, filed, appeal)
    assert services.eligible_members(fresh(filed)) == [banding2]


# --- Findings --------------------------------------------------------------------------------


def test_an_appointed_member_records_a_finding(appeal, appointed):
    finding = services.record_finding(
        appeal, appointed, text=f"  {FINDING}  ", recommendation="upheld"
    )
    assert finding.member.user == appeal
    assert finding.text == FINDING
    assert finding.recommendation == Appeal.Outcome.UPHELD
    assert actions(appointed)[-1] == "appeal.finding_recorded"


def test_a_member_updates_their_finding_and_it_stays_one(appeal, with_finding):
    finding = services.record_finding(
        appeal,
        with_finding,
        text="Setelah klarifikasi: prosedur sudah diikuti.",
        recommendation="dismissed",
    )
    assert Finding.objects.count() == 1
    assert Finding.objects.get() == finding
    assert finding.text == "Setelah klarifikasi: prosedur sudah diikuti."
    assert finding.recommendation == Appeal.Outcome.DISMISSED
    assert actions(with_finding)[-2:] == ["appeal.finding_recorded", "appeal.finding_updated"]


def test_an_appeal_team_member_not_appointed_cannot_record_a_finding(banding2, appointed):
    before = snapshot()
    with pytest.raises(PermissionDenied):
        services.record_finding(banding2, appointed, text=FINDING, recommendation="upheld")
    assert snapshot() == before


@pytest.mark.parametrize("who", ["staff", "director", "bob"])
def test_only_the_appeal_team_records_findings(request, appointed, who):
    before = snapshot()
    with pytest.raises(PermissionDenied):
        services.record_finding(
            request.getfixturevalue(who), appointed, text=FINDING, recommendation="upheld"
        )
    assert snapshot() == before


def test_no_finding_before_the_team_is_appointed(appeal, filed):
    before = snapshot()
    with pytest.raises(RuleError):
        services.record_finding(appeal, filed, text=FINDING, recommendation="upheld")
    assert snapshot() == before


@pytest.mark.parametrize(
    "text,recommendation", [("", "upheld"), ("  \n ", "dismissed"), (FINDING, "maybe")]
)
def test_a_finding_needs_text_and_an_outcome(appeal, appointed, text, recommendation):
    before = snapshot()
    with pytest.raises(RuleError):
        services.record_finding(appeal, appointed, text=text, recommendation=recommendation)
    assert not Finding.objects.exists()
    assert snapshot() == before


# --- The director's answer (9.9.7, 9.9.8.c-d) ------------------------------------------------


@pytest.mark.parametrize("who", ["staff", "appeal"])
def test_only_the_director_answers(request, with_finding, who):
    before = snapshot()
    with pytest.raises(PermissionDenied):
        answered(request.getfixturevalue(who), with_finding, "upheld")
    assert snapshot() == before


def test_no_answer_before_the_team_is_appointed(director, filed):
    before = snapshot()
    with pytest.raises(RuleError):
        answered(director, filed, "dismissed")
    assert fresh(filed).status == Status.SUBMITTED
    assert snapshot() == before


def test_no_answer_before_a_finding(director, appointed):
    before = snapshot()
    with pytest.raises(RuleError):
        answered(director, appointed, "dismissed")
    assert fresh(appointed).status == Status.UNDER_REVIEW
    assert snapshot() == before


@pytest.mark.parametrize("outcome,reasons", [("maybe", ANSWER), ("upheld", "  ")])
def test_an_answer_needs_an_outcome_and_reasons(director, with_finding, outcome, reasons):
    before = snapshot()
    with pytest.raises(RuleError):
        services.answer(director, with_finding, outcome=outcome, reasons=reasons)
    assert snapshot() == before


def test_an_upheld_appeal_reopens_the_application_for_a_new_attempt(
    staff, director, with_finding, assessor2_profile
):
    old = with_finding.decision.assessment
    result = answered(director, with_finding, "upheld")
    appeal = fresh(with_finding)
    assert result.pk == appeal.pk
    assert appeal.status == Status.ANSWERED
    assert appeal.outcome == Appeal.Outcome.UPHELD
    assert appeal.answer == ANSWER
    assert appeal.answered_by == director
    assert appeal.reassessment_opened_at == appeal.answered_at
    local = timezone.localtime(appeal.answered_at)
    letter = AnswerLetter.objects.get(appeal=appeal)
    assert letter.number == f"001/BND/LSP-UPJ/{ROMAN[local.month - 1]}/{local.year}"
    assert (letter.year, letter.sequence) == (local.year, 1)
    old.refresh_from_db()
    assert old.is_current is False
    assert services.reassessment_of(appeal) is None  # staff have not assigned yet
    application = appeal.application
    new = assessment_services.assign(staff, application, assessor2_profile)
    assert new.attempt == 2
    assert new.is_current
    assert new.assessor == assessor2_profile
    assert list(
        application.assessments.order_by("attempt").values_list("attempt", "is_current")
    ) == [
        (1, False),
        (2, True),
    ]
    assert services.reassessment_of(appeal) == new


def test_a_dismissed_appeal_leaves_the_decision_standing(
    staff, director, with_finding, assessor2_profile
):
    answered(director, with_finding, "dismissed")
    appeal = fresh(with_finding)
    assert appeal.status == Status.ANSWERED
    assert appeal.outcome == Appeal.Outcome.DISMISSED
    assert appeal.reassessment_opened_at is None
    assert AnswerLetter.objects.get(appeal=appeal).number.startswith("001/BND/LSP-UPJ/")
    assessment = appeal.decision.assessment
    assessment.refresh_from_db()
    assert assessment.is_current is True
    with pytest.raises(RuleError):
        assessment_services.assign(staff, appeal.application, assessor2_profile)
    assert appeal.application.assessments.count() == 1
    assert services.reassessment_of(appeal) is None


def test_answer_letters_are_numbered_in_sequence(
    alice, bob, staff, director, appeal, members, assessor, assessor_profile, tuk
):
    cases = [
        recommended_case(person, staff, assessor, assessor_profile, tuk, result="BK")
        for person in (alice, bob)
    ]
    publish(staff, director, members, cases)
    for person, case in zip((alice, bob), cases, strict=True):
        filed = file_for(person, Decision.objects.get(assessment=case))
        services.appoint(staff, filed, appeal)
        services.record_finding(appeal, filed, text=FINDING, recommendation="dismissed")
        answered(director, filed, "dismissed")
    numbers = list(AnswerLetter.objects.order_by("sequence").values_list("number", flat=True))
    assert [n[:4] for n in numbers] == ["001/", "002/"]
    assert all(re.fullmatch(r"\d{3}/BND/LSP-UPJ/[IVX]+/\d{4}", n) for n in numbers)
    assert AnswerLetterCounter.objects.get().last == 2


@pytest.mark.parametrize("outcome", ["upheld", "dismissed"])
def test_an_answered_appeal_is_final(staff, director, appeal, banding2, bob, with_finding, outcome):
    answered(director, with_finding, outcome)
    appeal_row = fresh(with_finding)
    before = snapshot()
    with pytest.raises(RuleError):
        services.appoint(staff, appeal_row, banding2)
    with pytest.raises(RuleError):
        services.record_finding(appeal, appeal_row, text="Temuan baru.", recommendation="upheld")
    with pytest.raises(RuleError):
        services.answer(director, appeal_row, outcome="dismissed", reasons="Diubah.")
    with pytest.raises(RuleError):
        file_for(bob, appeal_row.decision, reasons="Banding kedua atas keputusan yang sama.")
    assert Appeal.objects.count() == 1
    assert snapshot() == before


# --- Audit -----------------------------------------------------------------------------------


def test_every_step_of_the_appeal_is_audited(bob, staff, director, appeal, with_finding):
    answered(director, with_finding, "upheld")
    assert actions(with_finding) == [
        "appeal.filed",
        "appeal.member_appointed",
        "appeal.finding_recorded",
        "appeal.answered",
    ]
    events = {e.action: e for e in AuditEvent.objects.for_object(with_finding)}
    assert events["appeal.filed"].actor == bob
    assert events["appeal.filed"].to_status == Status.SUBMITTED
    appointed = events["appeal.member_appointed"]
    assert appointed.actor == staff
    assert (appointed.from_status, appointed.to_status) == (Status.SUBMITTED, Status.UNDER_REVIEW)
    answer = events["appeal.answered"]
    assert answer.actor == director
    assert (answer.from_status, answer.to_status) == (Status.UNDER_REVIEW, Status.ANSWERED)
    assert answer.reason == ANSWER
    assert answer.data["outcome"] == "upheld"
    assert answer.data["letter"] == AnswerLetter.objects.get().number
    assert "assessment.reopened" in actions(with_finding.application)


# --- The applicant's journey -----------------------------------------------------------------


def test_the_journey_invites_an_appeal_while_the_window_is_open(bk_decision):
    steps = appeal_steps(application_of(bk_decision))
    assert len(steps) == 1
    assert steps[0]["state"] == "attention"
    assert steps[0]["url"] == reverse("appeals:file", args=[bk_decision.pk])


def test_the_journey_shows_nothing_once_the_window_closed_without_appeal(bk_decision):
    later = bk_decision.published_at + datetime.timedelta(hours=25)
    with time_machine.travel(later, tick=False):
        assert appeal_steps(application_of(bk_decision)) == []


def test_the_journey_follows_the_appeal(filed):
    steps = appeal_steps(filed.application)
    assert [s["state"] for s in steps] == ["current"]
    assert steps[0]["url"] == reverse("appeals:detail", args=[filed.pk])


@pytest.mark.parametrize("outcome,state", [("upheld", "done"), ("dismissed", "failed")])
def test_the_journey_shows_the_answer(director, with_finding, outcome, state):
    answered(director, with_finding, outcome)
    steps = appeal_steps(with_finding.application)
    assert [s["state"] for s in steps] == [state]
    assert steps[0]["url"] == reverse("appeals:detail", args=[with_finding.pk])


# --- At the same moment (two PostgreSQL connections) -----------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_filings_at_once_make_one_appeal(bob, bk_decision):
    def filing():
        return file_for(User.objects.get(pk=bob.pk), Decision.objects.get(pk=bk_decision.pk))

    assert run_concurrently(filing, filing) == ["ok", "refused"]
    assert Appeal.objects.count() == 1
    assert AuditEvent.objects.filter(action="appeal.filed").count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_answers_at_once_answer_once(director, with_finding):
    def answering():
        return answered(User.objects.get(pk=director.pk), fresh(with_finding), "upheld")

    assert run_concurrently(answering, answering) == ["ok", "refused"]
    appeal = fresh(with_finding)
    assert appeal.status == Status.ANSWERED
    assert AnswerLetter.objects.count() == 1
    assert AnswerLetterCounter.objects.get().last == 1
    assert AuditEvent.objects.filter(action="appeal.answered").count() == 1
    assert AuditEvent.objects.filter(action="assessment.reopened").count() == 1
    assert Assessment.objects.get(pk=appeal.decision.assessment_id).is_current is False


def test_the_reference_uses_the_jakarta_year(filed):
    # 1 January 2027, 05:00 WIB is still 31 December 2026 in UTC
    filed.received_at = datetime.datetime(2027, 1, 1, 5, 0, tzinfo=ZoneInfo("Asia/Jakarta"))
    assert filed.reference.startswith("BND-2027-")
