"""The decision rules of 9.4.1-9.4.5, enforced in decisions/services.py: only members present at a
quorate meeting decide, never on a case they assessed or were involved with; the minutes are final
when every present member signed; one decree per final minutes, signed and numbered by the
director, publishes the decisions. A refused action raises and leaves everything as it was."""

import datetime
import re

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from assessment.models import Assessment
from decisions import hooks, services
from decisions.models import (
    AgendaItem,
    ConflictDeclaration,
    Decision,
    Decree,
    DecreeCounter,
    Meeting,
    Minutes,
    MinutesSignature,
)
from lsp_portal.accounts.models import User
from lsp_portal.accounts.roles import Role
from lsp_portal.audit.models import AuditEvent
from lsp_portal.dates import format_datetime
from lsp_portal.errors import RuleError
from tests.conftest import make_user
from tests.decisions.conftest import (
    BASIS,
    fresh,
    make_member,
    meeting_through_minutes,
    plan,
    recommended_case,
)

Status = Meeting.Status
ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII"]
NUMBER = re.compile(r"^(\d{3})/SK/LSP-UPJ/(I|II|III|IV|V|VI|VII|VIII|IX|X|XI|XII)/(\d{4})$")


def actions(obj):
    return list(AuditEvent.objects.for_object(obj).order_by("id").values_list("action", flat=True))


def snapshot(meeting):
    """Everything a refused action must leave untouched: the meeting, its attendance, agenda,
    decisions, conflicts, minutes, signatures, decrees, the decree counter and the audit trail."""
    meeting = fresh(meeting)
    cases = [item.assessment for item in meeting.agenda.select_related("assessment")]
    return {
        "meeting": (meeting.status, meeting.opened_at, meeting.closed_at),
        "attendance": list(meeting.attendances.values_list("member_id", "present")),
        "agenda": list(meeting.agenda.values_list("assessment_id", "order")),
        "decisions": list(
            Decision.objects.order_by("pk").values_list(
                "assessment_id",
                "meeting_id",
                "result",
                "basis",
                "against_recommendation_reason",
                "decided_by_id",
                "decided_at",
                "published_at",
            )
        ),
        "conflicts": list(ConflictDeclaration.objects.values_list("member_id", "assessment_id")),
        "minutes": list(Minutes.objects.order_by("pk").values_list("pk", "final_at")),
        "signatures": list(MinutesSignature.objects.values_list("member_id", "signed_at")),
        "decrees": list(
            Decree.objects.order_by("pk").values_list(
                "pk", "status", "number", "sequence", "signed_by_id", "signed_at"
            )
        ),
        "counters": list(DecreeCounter.objects.values_list("year", "last")),
        "audit": actions(meeting),
        "case_audit": [actions(case) for case in cases],
        "events": AuditEvent.objects.count(),
    }


def grant(user, role):
    """Give `user` another role; a fresh instance, as a request would load it."""
    user.groups.add(Group.objects.get(name=role))
    return User.objects.get(pk=user.pk)


@pytest.fixture
def technical3(db):
    return make_user("technical3@example.org", "Tari Teknis", Role.TECHNICAL_TEAM)


@pytest.fixture
def member3(technical3):
    return make_member(technical3, "Dosen manajemen, asesor internal.")


@pytest.fixture
def three_invited(staff, member1, member2, member3, recommended):
    """A meeting with three members invited; Tari (member3) is recorded absent."""
    meeting = plan(staff, [member1, member2, member3], [recommended])
    return services.open_meeting(staff, meeting, [member1, member2])


def decree_number(signed_at, seq):
    local = timezone.localtime(signed_at)
    return f"{seq:03d}/SK/LSP-UPJ/{ROMAN[local.month - 1]}/{local.year}"


# ---------------------------------------------------------------------------------------------
# Planning and opening a meeting (9.4.4)
# ---------------------------------------------------------------------------------------------


def test_staff_plan_a_meeting_with_its_members_and_agenda(
    staff, member1, member2, recommended, celery_eager, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        meeting = plan(staff, [member1, member2], [recommended])
    meeting = fresh(meeting)
    assert meeting.status == Status.PLANNED
    assert meeting.quorum == 2
    assert meeting.planned_by == staff
    assert list(meeting.attendances.values_list("member_id", "present")) == [
        (member1.pk, None),
        (member2.pk, None),
    ]
    assert list(meeting.agenda.values_list("assessment_id", flat=True)) == [recommended.pk]
    event = AuditEvent.objects.for_object(meeting).get(action="meeting.planned")
    assert (event.actor, event.to_status) == (staff, Status.PLANNED)
    assert event.data["agenda"] == [recommended.reference]
    invited = sorted(address for message in mail.outbox for address in message.to)
    assert invited == sorted([member1.user.email, member2.user.email])


def test_a_meeting_needs_as_many_members_as_the_quorum(staff, member1, recommended):
    with pytest.raises(RuleError) as error:
        plan(staff, [member1], [recommended])
    assert error.value.message == gettext(
        "Invite at least %(quorum)s members: that many must be present to decide."
    ) % {"quorum": 2}
    assert not Meeting.objects.exists()
    assert not AuditEvent.objects.filter(action="meeting.planned").exists()


def test_inactive_members_do_not_count_towards_the_quorum(staff, member1, member2, recommended):
    member2.is_active = False
    member2.save()
    with pytest.raises(RuleError):
        plan(staff, [member1, member2], [recommended])
    assert not Meeting.objects.exists()


def test_the_quorum_is_a_setting(settings, staff, member1, member2, member3, recommended):
    settings.DECISION_QUORUM = 3
    with pytest.raises(RuleError):
        plan(staff, [member1, member2], [recommended])
    assert not Meeting.objects.exists()
    meeting = plan(staff, [member1, member2, member3], [recommended])
    assert fresh(meeting).quorum == 3


def test_a_meeting_needs_a_case_on_its_agenda(staff, member1, member2, db):
    with pytest.raises(RuleError):
        plan(staff, [member1, member2], [])
    assert not Meeting.objects.exists()


def test_a_recommendation_on_another_open_agenda_cannot_be_planned_again(
    staff, member1, member2, recommended, planned_meeting
):
    before = snapshot(planned_meeting)
    with pytest.raises(RuleError) as error:
        plan(staff, [member1, member2], [recommended], title="Rapat kedua")
    assert recommended.reference in error.value.message
    assert Meeting.objects.count() == 1
    assert AgendaItem.objects.count() == 1
    assert snapshot(planned_meeting) == before


def test_an_assessment_not_yet_submitted_cannot_be_put_on_the_agenda(
    staff, member1, member2, recorded
):
    with pytest.raises(RuleError) as error:
        plan(staff, [member1, member2], [recorded])
    assert recorded.reference in error.value.message
    assert not Meeting.objects.exists()
    assert "meeting.planned" not in AuditEvent.objects.values_list("action", flat=True)


def test_only_staff_plan_meetings(technical, director, member1, member2, recommended):
    for user in (technical, director):
        with pytest.raises(PermissionDenied):
            plan(user, [member1, member2], [recommended])
    assert not Meeting.objects.exists()


def test_opening_the_meeting_records_who_is_present(staff, member1, member2, planned_meeting):
    services.open_meeting(staff, planned_meeting, [member1])
    meeting = fresh(planned_meeting)
    assert meeting.status == Status.HELD
    assert meeting.opened_at is not None
    assert dict(meeting.attendances.values_list("member_id", "present")) == {
        member1.pk: True,
        member2.pk: False,
    }
    assert not meeting.has_quorum()
    event = AuditEvent.objects.for_object(meeting).get(action="meeting.opened")
    assert (event.from_status, event.to_status) == (Status.PLANNED, Status.HELD)
    assert event.data == {"present": 1, "quorum": 2}


def test_only_invited_members_can_be_recorded_present(staff, member1, member3, planned_meeting):
    before = snapshot(planned_meeting)
    with pytest.raises(RuleError):
        services.open_meeting(staff, planned_meeting, [member1, member3])
    assert snapshot(planned_meeting) == before


def test_only_staff_open_a_meeting(staff, technical, member1, member2, planned_meeting):
    before = snapshot(planned_meeting)
    with pytest.raises(PermissionDenied):
        services.open_meeting(technical, planned_meeting, [member1, member2])
    assert snapshot(planned_meeting) == before
    services.open_meeting(staff, planned_meeting, [member1, member2])
    assert fresh(planned_meeting).status == Meeting.Status.HELD


def test_a_meeting_cannot_open_before_its_day(staff, member1, member2, recommended):
    meeting = services.plan_meeting(
        staff,
        title="Rapat minggu depan",
        scheduled_at=timezone.now() + datetime.timedelta(days=7),
        location="Ruang Rapat LSP",
        is_online=False,
        members=[member1, member2],
        assessments=[recommended],
    )
    before = snapshot(meeting)
    with pytest.raises(RuleError) as refused:
        services.open_meeting(staff, meeting, [member1, member2])
    assert format_datetime(meeting.scheduled_at) in refused.value.message
    assert snapshot(meeting) == before


def test_a_late_member_makes_the_quorum_and_then_the_team_decides(
    staff, technical, member1, member2, planned_meeting, recommended
):
    services.open_meeting(staff, planned_meeting, [member1])
    with pytest.raises(RuleError):
        services.decide(technical, planned_meeting, recommended, result="K", basis=BASIS)
    assert not Decision.objects.exists()
    opened_at = fresh(planned_meeting).opened_at
    services.open_meeting(staff, planned_meeting, [member1, member2])  # the second one arrives
    services.decide(technical, planned_meeting, recommended, result="K", basis=BASIS)
    assert Decision.objects.get().result == "K"
    assert fresh(planned_meeting).opened_at == opened_at
    assert "meeting.attendance_updated" in actions(planned_meeting)


def test_attendance_is_fixed_once_the_meeting_closed(staff, member1, closed):
    meeting = closed.meeting
    before = snapshot(meeting)
    with pytest.raises(RuleError):
        services.open_meeting(staff, meeting, [member1])
    assert snapshot(meeting) == before


def test_a_meeting_without_decisions_can_be_cancelled_and_frees_its_cases(
    staff, member1, member2, open_meeting, recommended
):
    with pytest.raises(RuleError):
        services.cancel_meeting(staff, open_meeting, reason="  ")
    services.cancel_meeting(staff, open_meeting, reason="Kuorum tidak tercapai")
    meeting = fresh(open_meeting)
    assert (meeting.status, meeting.cancel_reason) == ("cancelled", "Kuorum tidak tercapai")
    assert recommended in services.available_recommendations()
    again = services.plan_meeting(
        staff,
        title="Rapat pengganti",
        scheduled_at=timezone.now(),
        location="Daring",
        is_online=True,
        members=[member1, member2],
        assessments=[recommended],
    )
    assert again.agenda.count() == 1


def test_a_meeting_with_a_decision_cannot_be_cancelled(staff, decided):
    meeting = decided.meeting
    before = snapshot(meeting)
    with pytest.raises(RuleError):
        services.cancel_meeting(staff, meeting, reason="Batal")
    assert snapshot(meeting) == before


# ---------------------------------------------------------------------------------------------
# Deciding (9.4.1-9.4.2)
# ---------------------------------------------------------------------------------------------


def test_a_present_member_decides_and_who_and_when_is_kept(
    technical, member1, open_meeting, recommended
):
    started = timezone.now()
    services.decide(technical, open_meeting, recommended, result="K", basis=f"  {BASIS}  ")
    decision = Decision.objects.get(assessment=recommended)
    assert decision.meeting_id == open_meeting.pk
    assert decision.result == Decision.Result.K
    assert decision.basis == BASIS
    assert decision.against_recommendation_reason == ""
    assert decision.decided_by == member1
    assert started <= decision.decided_at <= timezone.now()
    assert decision.published_at is None
    assert not Decision.objects.for_applicant(recommended.application.applicant).exists()
    event = AuditEvent.objects.for_object(recommended).get(action="decision.recorded")
    assert (event.actor, event.to_status, event.reason) == (technical, "K", BASIS)
    assert event.data == {"meeting": open_meeting.reference, "against_recommendation": False}


def test_changing_a_decision_in_the_meeting_keeps_both_in_the_trail(
    technical, technical2, member2, decided, open_meeting, recommended
):
    services.decide(
        technical2,
        open_meeting,
        recommended,
        result="BK",
        basis="Bukti unit 2 tidak memadai.",
        reason="Rekaman observasi unit 2 tidak lengkap.",
    )
    decision = Decision.objects.get(assessment=recommended)
    assert (decision.result, decision.decided_by) == ("BK", member2)
    events = AuditEvent.objects.for_object(recommended).filter(action="decision.recorded")
    assert [(e.actor, e.from_status, e.to_status) for e in events.order_by("id")] == [
        (technical, "", "K"),
        (technical2, "K", "BK"),
    ]


def test_a_member_recorded_absent_cannot_decide(technical3, three_invited, recommended):
    before = snapshot(three_invited)
    with pytest.raises(RuleError) as error:
        services.decide(technical3, three_invited, recommended, result="K", basis=BASIS)
    assert error.value.message == gettext(
        "Only members recorded as present at the meeting can do this."
    )
    assert snapshot(three_invited) == before


def test_a_member_not_invited_to_the_meeting_cannot_decide(
    technical3, member3, open_meeting, recommended
):
    before = snapshot(open_meeting)
    with pytest.raises(PermissionDenied):
        services.decide(technical3, open_meeting, recommended, result="K", basis=BASIS)
    assert snapshot(open_meeting) == before


def test_a_technical_team_user_without_a_registry_entry_cannot_decide(
    technical3, open_meeting, recommended
):
    before = snapshot(open_meeting)
    with pytest.raises(PermissionDenied):
        services.decide(technical3, open_meeting, recommended, result="K", basis=BASIS)
    assert snapshot(open_meeting) == before


def test_a_member_made_inactive_can_no_longer_decide(technical, member1, open_meeting, recommended):
    member1.is_active = False
    member1.save()
    before = snapshot(open_meeting)
    with pytest.raises(PermissionDenied):
        services.decide(technical, open_meeting, recommended, result="K", basis=BASIS)
    assert snapshot(open_meeting) == before


def test_staff_and_the_director_cannot_decide(staff, director, open_meeting, recommended):
    before = snapshot(open_meeting)
    for user in (staff, director):
        with pytest.raises(PermissionDenied):
            services.decide(user, open_meeting, recommended, result="K", basis=BASIS)
    assert snapshot(open_meeting) == before


def test_no_decision_without_quorum(staff, technical, member1, planned_meeting, recommended):
    meeting = services.open_meeting(staff, planned_meeting, [member1])
    before = snapshot(meeting)
    with pytest.raises(RuleError) as error:
        services.decide(technical, meeting, recommended, result="K", basis=BASIS)
    assert error.value.message == gettext(
        "No quorum: %(quorum)s members must be present for decisions to count."
    ) % {"quorum": 2}
    assert snapshot(meeting) == before


def test_the_assessor_of_the_case_cannot_decide_it_as_a_technical_team_member(
    staff, assessor, member1, member2, recommended
):
    assessor = grant(assessor, Role.TECHNICAL_TEAM)
    assessor_member = make_member(assessor)
    meeting = plan(staff, [member1, member2, assessor_member], [recommended])
    meeting = services.open_meeting(staff, meeting, [member1, member2, assessor_member])
    before = snapshot(meeting)
    with pytest.raises(RuleError) as error:
        services.decide(assessor, meeting, recommended, result="K", basis=BASIS)
    assert error.value.message == gettext("You may not decide this case: you %(why)s.") % {
        "why": gettext("assessed this applicant")
    }
    assert snapshot(meeting) == before


def test_a_member_who_declared_involvement_cannot_decide_but_another_can(
    technical, technical2, member1, member2, open_meeting, recommended
):
    services.declare_conflict(technical, open_meeting, recommended, note="Dosen pembimbingnya")
    conflict = ConflictDeclaration.objects.get()
    assert (conflict.member, conflict.assessment, conflict.note) == (
        member1,
        recommended,
        "Dosen pembimbingnya",
    )
    assert "meeting.conflict_declared" in actions(open_meeting)
    before = snapshot(open_meeting)
    with pytest.raises(RuleError) as error:
        services.decide(technical, open_meeting, recommended, result="K", basis=BASIS)
    assert gettext("declared involvement with the applicant") in error.value.message
    assert snapshot(open_meeting) == before
    services.decide(technical2, open_meeting, recommended, result="K", basis=BASIS)
    assert Decision.objects.get(assessment=recommended).decided_by == member2


def test_deciding_against_the_recommendation_needs_a_reason(technical, open_meeting, recommended):
    before = snapshot(open_meeting)
    with pytest.raises(RuleError) as error:
        services.decide(technical, open_meeting, recommended, result="BK", basis=BASIS, reason=" ")
    assert error.value.message == gettext(
        "The decision differs from the assessor's recommendation: give the reason."
    )
    assert snapshot(open_meeting) == before


def test_deciding_against_the_recommendation_keeps_the_reason(technical, open_meeting, recommended):
    services.decide(
        technical,
        open_meeting,
        recommended,
        result="BK",
        basis="Rekaman unit 2 diperiksa ulang.",
        reason="Bukti observasi unit 2 tidak autentik.",
    )
    decision = Decision.objects.get(assessment=recommended)
    assert decision.result == "BK"
    assert decision.against_recommendation
    assert decision.against_recommendation_reason == "Bukti observasi unit 2 tidak autentik."
    event = AuditEvent.objects.for_object(recommended).get(action="decision.recorded")
    assert event.reason == "Bukti observasi unit 2 tidak autentik."
    assert event.data["against_recommendation"] is True


def test_the_basis_of_a_decision_is_required(technical, open_meeting, recommended):
    before = snapshot(open_meeting)
    with pytest.raises(RuleError) as error:
        services.decide(technical, open_meeting, recommended, result="K", basis="  \n ")
    assert error.value.message == gettext("State the basis of the decision.")
    assert snapshot(open_meeting) == before


def test_only_kompeten_or_belum_kompeten_can_be_decided(technical, open_meeting, recommended):
    before = snapshot(open_meeting)
    with pytest.raises(RuleError):
        services.decide(technical, open_meeting, recommended, result="X", basis=BASIS)
    assert snapshot(open_meeting) == before


def test_a_case_not_on_the_agenda_cannot_be_decided(technical, open_meeting, bobs_recommended):
    before = snapshot(open_meeting)
    with pytest.raises(RuleError) as error:
        services.decide(technical, open_meeting, bobs_recommended, result="K", basis=BASIS)
    assert error.value.message == gettext("This case is not on the meeting's agenda.")
    assert snapshot(open_meeting) == before
    assert not Decision.objects.filter(assessment=bobs_recommended).exists()
    assert "decision.recorded" not in actions(bobs_recommended)


def test_nothing_is_decided_before_the_meeting_opens(technical, planned_meeting, recommended):
    before = snapshot(planned_meeting)
    with pytest.raises(RuleError):
        services.decide(technical, planned_meeting, recommended, result="K", basis=BASIS)
    assert snapshot(planned_meeting) == before


def test_a_closed_meeting_keeps_its_decisions(technical2, closed, open_meeting, recommended):
    before = snapshot(open_meeting)
    with pytest.raises(RuleError):
        services.decide(
            technical2, open_meeting, recommended, result="BK", basis="Ubah", reason="Ubah"
        )
    assert snapshot(open_meeting) == before


# ---------------------------------------------------------------------------------------------
# Closing and the minutes (9.4.4)
# ---------------------------------------------------------------------------------------------


def test_closing_is_refused_while_a_case_is_undecided(
    staff, technical, member1, member2, recommended, bobs_recommended
):
    meeting = plan(staff, [member1, member2], [recommended, bobs_recommended])
    meeting = services.open_meeting(staff, meeting, [member1, member2])
    services.decide(technical, meeting, recommended, result="K", basis=BASIS)
    before = snapshot(meeting)
    with pytest.raises(RuleError) as error:
        services.close_meeting(staff, meeting)
    assert bobs_recommended.reference in error.value.message
    assert recommended.reference not in error.value.message
    assert snapshot(meeting) == before
    assert not Minutes.objects.exists()


def test_closing_generates_the_minutes(staff, closed, open_meeting):
    meeting = fresh(open_meeting)
    assert meeting.status == Status.CLOSED
    assert meeting.closed_at is not None
    minutes = Minutes.objects.get(meeting=meeting)
    assert minutes == closed
    assert minutes.final_at is None
    assert minutes.pdf_status == Minutes.PDFStatus.PENDING
    event = AuditEvent.objects.for_object(meeting).get(action="meeting.closed")
    assert (event.actor, event.from_status, event.to_status) == (staff, Status.HELD, Status.CLOSED)


def test_a_present_member_may_close_but_an_absent_one_may_not(
    technical, technical3, three_invited, recommended
):
    services.decide(technical, three_invited, recommended, result="K", basis=BASIS)
    before = snapshot(three_invited)
    with pytest.raises(RuleError):
        services.close_meeting(technical3, three_invited)
    assert snapshot(three_invited) == before
    services.close_meeting(technical, three_invited)
    assert fresh(three_invited).status == Status.CLOSED


def test_the_minutes_are_final_only_when_every_present_member_signed(
    technical, technical2, member1, member2, closed, open_meeting
):
    services.sign_minutes(technical, closed)
    closed.refresh_from_db()
    assert closed.final_at is None
    assert fresh(open_meeting).status == Status.CLOSED
    assert list(closed.signatures.values_list("member_id", flat=True)) == [member1.pk]
    services.sign_minutes(technical2, closed)
    closed.refresh_from_db()
    assert closed.final_at is not None
    assert fresh(open_meeting).status == Status.MINUTES_SIGNED
    assert actions(open_meeting)[-3:] == ["minutes.signed", "minutes.signed", "minutes.final"]


def test_absent_members_neither_sign_nor_hold_up_the_minutes(
    staff, technical, technical2, technical3, three_invited, recommended
):
    services.decide(technical, three_invited, recommended, result="K", basis=BASIS)
    minutes = services.close_meeting(staff, three_invited)
    services.sign_minutes(technical, minutes)
    before = snapshot(three_invited)
    with pytest.raises(RuleError):
        services.sign_minutes(technical3, minutes)
    assert snapshot(three_invited) == before
    services.sign_minutes(technical2, minutes)
    minutes.refresh_from_db()
    assert minutes.final_at is not None
    assert fresh(three_invited).status == Status.MINUTES_SIGNED


def test_signing_the_minutes_twice_is_refused(technical, closed, open_meeting):
    services.sign_minutes(technical, closed)
    before = snapshot(open_meeting)
    with pytest.raises(RuleError) as error:
        services.sign_minutes(technical, closed)
    assert error.value.message == gettext("You have already signed these minutes.")
    assert snapshot(open_meeting) == before


def test_only_present_members_sign_the_minutes(
    staff, director, technical3, member3, closed, open_meeting
):
    before = snapshot(open_meeting)
    for user in (staff, director, technical3):
        with pytest.raises(PermissionDenied):
            services.sign_minutes(user, closed)
    assert snapshot(open_meeting) == before


def test_final_minutes_are_read_only(technical, final_minutes, open_meeting, recommended):
    before = snapshot(open_meeting)
    with pytest.raises(RuleError):
        services.sign_minutes(technical, final_minutes)
    with pytest.raises(RuleError):
        services.decide(
            technical, open_meeting, recommended, result="BK", basis="Ubah", reason="Ubah"
        )
    with pytest.raises(RuleError):
        services.close_meeting(technical, open_meeting)
    assert snapshot(open_meeting) == before


# ---------------------------------------------------------------------------------------------
# The decree (9.4.5)
# ---------------------------------------------------------------------------------------------


def test_no_decree_from_minutes_not_yet_signed_by_everyone(staff, technical, closed, open_meeting):
    message = gettext("A decree can only be drafted from minutes signed by every member.")
    before = snapshot(open_meeting)
    with pytest.raises(RuleError) as error:
        services.draft_decree(staff, closed)
    assert error.value.message == message
    assert snapshot(open_meeting) == before
    services.sign_minutes(technical, closed)  # one of the two present members
    before = snapshot(open_meeting)
    with pytest.raises(RuleError) as error:
        services.draft_decree(staff, closed)
    assert error.value.message == message
    assert snapshot(open_meeting) == before
    assert not Decree.objects.exists()


def test_staff_draft_the_decree_from_final_minutes(staff, draft_decree, final_minutes):
    decree = Decree.objects.get(minutes=final_minutes)
    assert decree == draft_decree
    assert decree.status == Decree.Status.DRAFT
    assert (decree.number, decree.sequence, decree.signed_by) == (None, None, None)
    assert decree.drafted_by == staff
    event = AuditEvent.objects.for_object(final_minutes.meeting).get(action="decree.drafted")
    assert event.data == {"decree": decree.pk}


def test_a_second_decree_for_the_same_minutes_is_refused(
    staff, draft_decree, final_minutes, open_meeting
):
    before = snapshot(open_meeting)
    with pytest.raises(RuleError) as error:
        services.draft_decree(staff, final_minutes)
    assert error.value.message == gettext("These minutes already have a decree.")
    assert Decree.objects.count() == 1
    assert snapshot(open_meeting) == before


def test_only_staff_draft_the_decree(director, technical, final_minutes, open_meeting):
    before = snapshot(open_meeting)
    for user in (director, technical):
        with pytest.raises(PermissionDenied):
            services.draft_decree(user, final_minutes)
    assert snapshot(open_meeting) == before


def test_only_the_director_signs_the_decree(staff, technical, alice, draft_decree, open_meeting):
    before = snapshot(open_meeting)
    for user in (staff, technical, alice):
        with pytest.raises(PermissionDenied):
            services.sign_decree(user, draft_decree)
    assert snapshot(open_meeting) == before
    draft_decree.refresh_from_db()
    assert (draft_decree.status, draft_decree.number) == (Decree.Status.DRAFT, None)


def test_signing_numbers_the_decree_by_the_pattern(director, signed_decree, open_meeting):
    decree = Decree.objects.get(pk=signed_decree.pk)
    local = timezone.localtime(decree.signed_at)
    assert NUMBER.match(decree.number)
    assert decree.number == f"001/SK/LSP-UPJ/{ROMAN[local.month - 1]}/{local.year}"
    assert (decree.sequence, decree.year) == (1, local.year)
    assert (decree.status, decree.signed_by) == (Decree.Status.SIGNED, director)
    assert DecreeCounter.objects.get(year=local.year).last == 1
    assert fresh(open_meeting).status == Status.DECREE_ISSUED
    event = AuditEvent.objects.for_object(open_meeting).get(action="decree.signed")
    assert (event.actor, event.from_status, event.to_status) == (
        director,
        Status.MINUTES_SIGNED,
        Status.DECREE_ISSUED,
    )
    assert event.data == {"number": decree.number}


def test_the_next_decree_of_the_year_gets_the_next_number(
    staff, director, member1, member2, signed_decree, bobs_recommended
):
    minutes = meeting_through_minutes(staff, [member1, member2], [bobs_recommended])
    second = services.sign_decree(director, services.draft_decree(staff, minutes))
    second.refresh_from_db()
    assert second.number == decree_number(second.signed_at, 2)
    assert second.sequence == 2
    assert Decree.objects.get(pk=signed_decree.pk).number == decree_number(
        signed_decree.signed_at, 1
    )
    assert DecreeCounter.objects.get(year=second.year).last == 2


def test_the_decree_number_pattern_is_a_setting(settings, director, draft_decree):
    settings.DECREE_NUMBER_PATTERN = "SK-{year}-{month:02d}-{seq:04d}"
    services.sign_decree(director, draft_decree)
    draft_decree.refresh_from_db()
    local = timezone.localtime(draft_decree.signed_at)
    assert draft_decree.number == f"SK-{local.year}-{local.month:02d}-0001"


def test_signing_the_decree_twice_is_refused(director, signed_decree, open_meeting):
    before = snapshot(open_meeting)
    with pytest.raises(RuleError) as error:
        services.sign_decree(director, signed_decree)
    assert error.value.message == gettext("This decree has already been signed.")
    assert snapshot(open_meeting) == before


def test_signing_publishes_every_decision_of_the_meeting(
    alice, bob, director, draft_decree, recommended
):
    assert not Decision.objects.published().exists()
    services.sign_decree(director, draft_decree)
    draft_decree.refresh_from_db()
    decision = Decision.objects.get(assessment=recommended)
    assert decision.published_at == draft_decree.signed_at
    assert decision.appeal_deadline == decision.published_at + datetime.timedelta(hours=24)
    assert list(Decision.objects.for_applicant(alice)) == [decision]
    assert not Decision.objects.for_applicant(bob).exists()
    event = AuditEvent.objects.for_object(recommended.application).get(action="decision.published")
    assert (event.actor, event.to_status) == (director, "K")
    assert event.data == {"decree": draft_decree.number}


def test_applicants_are_emailed_when_the_decisions_are_published(
    alice, director, draft_decree, recommended, celery_eager, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.sign_decree(director, draft_decree)
    decision = Decision.objects.get(assessment=recommended)
    to_alice = [m for m in mail.outbox if m.to == [alice.email]]
    assert len(to_alice) == 1
    assert recommended.application.reference in to_alice[0].subject
    assert reverse("decisions:my_decision", args=[decision.pk]) in to_alice[0].body


def test_no_email_goes_out_when_the_signing_is_refused(
    staff, draft_decree, celery_eager, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(PermissionDenied):
            services.sign_decree(staff, draft_decree)
    assert callbacks == []
    assert mail.outbox == []


def test_the_next_stage_is_handed_each_published_decision(
    monkeypatch,
    staff,
    technical,
    director,
    member1,
    member2,
    recommended,
    bob,
    assessor,
    assessor_profile,
    tuk,
):
    bk_case = recommended_case(bob, staff, assessor, assessor_profile, tuk, result="BK")
    minutes = meeting_through_minutes(staff, [member1, member2], [recommended, bk_case])
    decree = services.draft_decree(staff, minutes)
    handed = []

    def handler(decision):
        handed.append((decision.assessment_id, decision.result, decision.published_at))

    monkeypatch.setattr(hooks, "decision_published", [*hooks.decision_published, handler])
    services.sign_decree(director, decree)
    decree.refresh_from_db()
    assert sorted(handed) == sorted(
        [(recommended.pk, "K", decree.signed_at), (bk_case.pk, "BK", decree.signed_at)]
    )


def test_a_failing_hand_over_leaves_the_decree_unsigned(
    monkeypatch, director, draft_decree, open_meeting
):
    def broken(decision):
        raise RuntimeError("certificate stage down")

    monkeypatch.setattr(hooks, "decision_published", [broken])
    before = snapshot(open_meeting)
    with pytest.raises(RuntimeError):
        services.sign_decree(director, draft_decree)
    assert snapshot(open_meeting) == before
    assert not Decision.objects.published().exists()


def test_a_decided_case_is_no_longer_offered_for_a_meeting(signed_decree, recommended):
    assert recommended.pk not in services.available_recommendations().values_list("pk", flat=True)
    assert Assessment.objects.get(pk=recommended.pk).decision.published_at is not None


def test_a_case_on_a_planned_meeting_is_not_offered_for_another(
    planned_meeting, recommended, bobs_recommended
):
    assert list(services.available_recommendations()) == [bobs_recommended]


def test_each_invited_member_gets_an_invitation_of_their_own(
    staff, member1, member2, recommended, celery_eager, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        meeting = services.plan_meeting(
            staff,
            title="Rapat Tim Teknis",
            scheduled_at=timezone.now(),
            location="Ruang Rapat LSP",
            is_online=False,
            members=[member1, member2],
            assessments=[recommended],
        )
    invitations = sorted(m.to for m in mail.outbox if meeting.reference in m.subject)
    assert invitations == sorted([[member1.user.email], [member2.user.email]])
