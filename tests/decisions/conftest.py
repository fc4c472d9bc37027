"""The decision stage in every state, built through decisions/services.py so the fixtures follow the
real rules: planned_meeting -> open_meeting -> decided -> closed (minutes) -> final_minutes ->
draft_decree -> signed_decree.

The technical team (Tim Teknis, 9.4.2) is `member1` (Tia, the `technical` user) and `member2`
(Tono). alice's recommended case (Kompeten, assessed by Ana) is the one on the agenda; bob's case
is built with `recommended_case` where a test needs a second one.
"""

import pytest
from django.utils import timezone

from assessment import services as assessment_services
from decisions import services
from decisions.models import Meeting, TechnicalTeamMember
from lsp_portal.accounts.roles import Role
from registration import services as registration_services
from tests.conftest import fill_application, make_user
from tests.fixtures_assessment import all_results, observe_all, plan_header, plan_items, reviews

BASIS = "Rekomendasi asesor dan rekaman asesmen (FR-AK-02) diperiksa; semua unit Kompeten."


def make_member(user, qualification="Asesor kompetensi MHP, 5 tahun di komite sertifikasi."):
    """A registry entry of the technical team (9.4.3), kept by staff in the admin (no service)."""
    return TechnicalTeamMember.objects.create(user=user, qualification=qualification)


def recommended_case(applicant, staff, assessor, assessor_profile, tuk, *, result="K"):
    """`applicant`'s application taken through registration and assessment to a submitted
    recommendation (9.3.5): Kompeten, or Belum Kompeten when `result` is "BK"."""
    application = registration_services.start_application(applicant, assessor_profile.schemes.get())
    fill_application(applicant, application)
    registration_services.submit(applicant, application, agreed=True)
    registration_services.confirm_eligible(staff, application)
    assessment = assessment_services.assign(staff, application, assessor_profile)
    assessment_services.declare_impartiality(assessor, assessment)
    assessment_services.set_plan(
        assessor, assessment, plan_items(assessment, tuk), header=plan_header()
    )
    assessment_services.agree_plan(applicant, assessment, plan=True, confidentiality=True)
    assessment_services.agree_plan(assessor, assessment, plan=True, confidentiality=True)
    assessment_services.review_evidence(assessor, assessment, reviews(assessment), proceed=True)
    observe_all(assessor, assessment)
    assessment_services.record_results(assessor, assessment, all_results(assessment, result))
    return assessment_services.submit_recommendation(assessor, assessment)


def plan(staff, members, cases, *, title="Rapat Tim Teknis"):
    return services.plan_meeting(
        staff,
        title=title,
        scheduled_at=timezone.now(),
        location="Ruang Rapat LSP, Gedung B lt. 3",
        is_online=False,
        members=members,
        assessments=cases,
    )


def meeting_through_minutes(staff, members, cases, *, title="Rapat Tim Teknis"):
    """A meeting held with every member present, each case decided as recommended by the first
    member, closed, and the minutes signed by everyone: final minutes, ready for a decree."""
    meeting = plan(staff, members, cases, title=title)
    meeting = services.open_meeting(staff, meeting, members)
    for case in cases:
        services.decide(members[0].user, meeting, case, result=case.recommendation, basis=BASIS)
    minutes = services.close_meeting(staff, meeting)
    for member in members:
        minutes = services.sign_minutes(member.user, minutes)
    minutes.refresh_from_db()
    return minutes


def fresh(meeting):
    return Meeting.objects.get(pk=meeting.pk)


@pytest.fixture
def technical2(db):
    return make_user("technical2@example.org", "Tono Teknis", Role.TECHNICAL_TEAM)


@pytest.fixture
def member1(technical):
    return make_member(technical)


@pytest.fixture
def member2(technical2):
    return make_member(technical2, "Praktisi CRM, penyusun skema MHP.")


@pytest.fixture
def bobs_recommended(bob, staff, assessor, assessor_profile, tuk):
    return recommended_case(bob, staff, assessor, assessor_profile, tuk)


@pytest.fixture
def planned_meeting(staff, member1, member2, recommended):
    return plan(staff, [member1, member2], [recommended])


@pytest.fixture
def open_meeting(staff, planned_meeting, member1, member2):
    return services.open_meeting(staff, planned_meeting, [member1, member2])


@pytest.fixture
def decided(technical, open_meeting, recommended):
    return services.decide(technical, open_meeting, recommended, result="K", basis=BASIS)


@pytest.fixture
def closed(staff, open_meeting, decided):
    """The minutes (Berita Acara) of the closed meeting, not signed yet."""
    return services.close_meeting(staff, open_meeting)


@pytest.fixture
def final_minutes(technical, technical2, closed):
    services.sign_minutes(technical, closed)
    minutes = services.sign_minutes(technical2, closed)
    minutes.refresh_from_db()
    return minutes


@pytest.fixture
def draft_decree(staff, final_minutes):
    return services.draft_decree(staff, final_minutes)


@pytest.fixture
def signed_decree(director, draft_decree):
    return services.sign_decree(director, draft_decree)
