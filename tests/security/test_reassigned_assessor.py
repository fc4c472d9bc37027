"""An assessor reassigned away from a case stays involved in it (9.4.2, 9.9.4).

The attack: Ana declares impartiality on alice's case, sets the plan and reviews the evidence; she
is then reassigned away (Andi finishes the assessment). Ana also sits in the technical team and
the appeal team. Before assignments were kept as rows the reassignment overwrote the assessor on
the assessment, so the conflict rules no longer saw her: she could decide alice's case and be
appointed to hear alice's appeal. Now every assessor who ever held a case is on record."""

import importlib

import pytest
from django.apps import apps
from django.contrib.auth.models import Group
from django.urls import reverse

from appeals import services as appeal_services
from appeals.inputs import AppealInput
from assessment import services
from assessment.models import Assignment
from decisions import services as decision_services
from decisions.models import Decision
from lsp_portal.accounts.models import User
from lsp_portal.accounts.roles import Role
from lsp_portal.errors import RuleError
from tests.conftest import make_user
from tests.decisions.conftest import BASIS, make_member, plan
from tests.fixtures_assessment import all_results, observe_all, plan_header, plan_items, reviews

REASON = "Asesor berhalangan karena tugas luar kota."


def with_role(user, role):
    user.groups.add(Group.objects.get(name=role))
    return User.objects.get(pk=user.pk)


@pytest.fixture
def handed_over(alice, staff, assessor, assessor2, declared, tuk, assessor2_profile):
    """Ana declared, planned, agreed and reviewed alice's evidence; then Andi took over and
    finished the assessment: a recommendation of Kompeten, submitted by Andi."""
    services.set_plan(assessor, declared, plan_items(declared, tuk), header=plan_header())
    services.agree_plan(alice, declared, plan=True, confidentiality=True)
    services.agree_plan(assessor, declared, plan=True, confidentiality=True)
    services.review_evidence(assessor, declared, reviews(declared), proceed=True)
    case = services.reassign(staff, declared, assessor2_profile, reason=REASON)
    services.declare_impartiality(assessor2, case)
    services.set_plan(assessor2, case, plan_items(case, tuk), header=plan_header())
    services.agree_plan(alice, case, plan=True, confidentiality=True)
    services.agree_plan(assessor2, case, plan=True, confidentiality=True)
    services.review_evidence(assessor2, case, reviews(case), proceed=True)
    observe_all(assessor2, case)
    services.record_results(assessor2, case, all_results(case))
    return services.submit_recommendation(assessor2, case)


def test_reassigning_ends_one_assignment_and_starts_the_next(staff, declared, assessor2_profile):
    first = Assignment.objects.get(assessment=declared)
    assert first.ended_at is None and first.assigned_by == staff
    services.reassign(staff, declared, assessor2_profile, reason=REASON)
    first.refresh_from_db()
    rows = list(declared.assignments.all())
    assert [row.assessor for row in rows] == [first.assessor, assessor2_profile]
    assert first.ended_at is not None and first.ended_by == staff and first.end_reason == REASON
    assert rows[1].started_at == first.ended_at and rows[1].ended_at is None


def test_a_reassigned_away_assessor_cannot_decide_the_case(staff, assessor, technical, handed_over):
    """9.4.2: Ana, now in the technical team too, is present at the meeting and tries to decide."""
    ana = with_role(assessor, Role.TECHNICAL_TEAM)
    members = [make_member(ana), make_member(technical)]
    meeting = decision_services.open_meeting(staff, plan(staff, members, [handed_over]), members)
    assert (
        decision_services.conflict_of(members[0], handed_over, meeting)
        == "telah menjadi asesor bagi asesi ini"
    )
    with pytest.raises(RuleError):
        decision_services.decide(ana, meeting, handed_over, result="K", basis=BASIS)
    assert not Decision.objects.filter(assessment=handed_over).exists()
    # The other member, who never held the case, decides it.
    decision_services.decide(technical, meeting, handed_over, result="K", basis=BASIS)


def test_the_decision_form_refuses_a_reassigned_away_assessor(
    client, staff, assessor, technical, handed_over
):
    ana = with_role(assessor, Role.TECHNICAL_TEAM)
    members = [make_member(ana), make_member(technical)]
    meeting = decision_services.open_meeting(staff, plan(staff, members, [handed_over]), members)
    client.force_login(ana)
    response = client.post(
        reverse("decisions:decide", args=[meeting.pk, handed_over.pk]),
        {"result": "K", "basis": BASIS},
        follow=True,
    )
    assert "telah menjadi asesor bagi asesi ini" in response.content.decode()
    assert not Decision.objects.filter(assessment=handed_over).exists()


def test_a_reassigned_away_assessor_cannot_be_appointed_to_the_appeal(
    alice, staff, director, assessor, technical, handed_over
):
    """9.9.4: alice's case decided Belum Kompeten and appealed; Ana, in the appeal team too, is
    refused, although the assessment no longer names her."""
    tono = make_user("technical2@example.org", "Tono Teknis", Role.TECHNICAL_TEAM)
    members = [make_member(technical), make_member(tono)]
    meeting = decision_services.open_meeting(staff, plan(staff, members, [handed_over]), members)
    decision_services.decide(
        technical, meeting, handed_over, result="BK", basis=BASIS, reason="Bukti unit 3 kurang."
    )
    minutes = decision_services.close_meeting(staff, meeting)
    for member in members:
        decision_services.sign_minutes(member.user, minutes)
    minutes.refresh_from_db()
    decision_services.sign_decree(director, decision_services.draft_decree(staff, minutes))
    appeal = appeal_services.file_appeal(
        alice,
        Decision.objects.get(assessment=handed_over),
        AppealInput(
            process_explained=True,
            discussed_with_assessor=True,
            involve_other_person=False,
            other_person="",
            reasons="Bukti portofolio saya tidak diperiksa oleh asesor kedua.",
        ),
        attachments=[],
    )
    ana = with_role(assessor, Role.APPEAL_TEAM)
    assert appeal_services.conflict_of(ana, appeal) == "telah menjadi asesor bagi asesi ini"
    assert ana not in appeal_services.eligible_members(appeal)
    with pytest.raises(RuleError):
        appeal_services.appoint(staff, appeal, ana)
    assert not appeal.team.exists()


def test_staff_see_who_held_the_case_on_its_page(client, staff, assessor, handed_over):
    client.force_login(staff)
    page = client.get(handed_over.get_absolute_url()).content.decode()
    assert 'data-testid="assignments"' in page
    assert assessor.full_name in page and REASON in page


def test_the_migration_rebuilds_the_history_from_the_audit_trail(
    staff, assessor, declared, assessor2_profile
):
    """Assessments from before 0003 get their chain back from the reassignment events."""
    case = services.reassign(staff, declared, assessor2_profile, reason=REASON)
    expected = list(
        case.assignments.values_list("assessor", "assigned_by", "ended_by", "end_reason")
    )
    Assignment.objects.all().delete()
    backfill = importlib.import_module("assessment.migrations.0004_assignment_history_backfill")
    backfill.backfill(apps, None)
    rebuilt = list(
        case.assignments.values_list("assessor", "assigned_by", "ended_by", "end_reason")
    )
    assert rebuilt == expected
    first, second = case.assignments.all()
    assert first.started_at == case.assigned_at and first.ended_at == second.started_at
