"""The access matrix of every decisions view: anonymous -> login, wrong role -> 403, a meeting the
member was not invited to -> 404, wrong method -> 405; and each role's success path through the
real forms: staff plan and open the meeting, the members decide, close and sign the minutes, staff
draft the decree, the director signs it, and the applicant sees the published decision."""

import datetime
import re

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.translation import gettext

from decisions import services
from decisions.models import ConflictDeclaration, Decision, Decree, Meeting, Minutes
from decisions.urls import urlpatterns
from lsp_portal import pdf
from lsp_portal.accounts.roles import Role
from lsp_portal.audit.models import AuditEvent
from lsp_portal.dates import format_datetime
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

# name -> (method, what the URL takes, the cast members whose role may use it)
VIEWS = {
    "decisions:meeting_list": ("get", "none", {"staff", "technical", "director"}),
    "decisions:meeting_new": ("get", "none", {"staff"}),
    "decisions:meeting_detail": ("get", "meeting", {"staff", "technical", "director"}),
    "decisions:meeting_open": ("post", "meeting", {"staff"}),
    "decisions:meeting_close": ("post", "meeting", {"staff", "technical"}),
    "decisions:meeting_cancel": ("post", "meeting", {"staff"}),
    "decisions:case": ("get", "case", {"staff", "technical", "director"}),
    "decisions:decide": ("post", "case", {"technical"}),
    "decisions:declare_conflict": ("post", "case", {"technical"}),
    "decisions:minutes_sign": ("post", "meeting", {"technical"}),
    "decisions:decree_draft": ("post", "meeting", {"staff"}),
    "decisions:decree_sign": ("post", "meeting", {"director"}),
    "decisions:document_pdf": ("get", "document", {"staff", "technical", "director"}),
    "decisions:retry_pdf": ("post", "document", {"staff"}),
    "decisions:case_document": ("get", "case_document", {"staff", "technical", "director"}),
    "decisions:my_decision": ("get", "decision", {"alice"}),
}
CAST = ("alice", "staff", "assessor", "technical", "appeal", "director")
POST_ONLY = [n for n, (method, _, _) in VIEWS.items() if method == "post"]
# meeting_new is the planning form: GET shows it, POST plans the meeting.
GET_ONLY = [
    n for n, (method, _, _) in VIEWS.items() if method == "get" and n != "decisions:meeting_new"
]
MEETING_SCOPED = [n for n, (_, kind, who) in VIEWS.items() if kind != "none" and "technical" in who]


def url(name, decision):
    kind = VIEWS[name][1]
    meeting, case = decision.meeting_id, decision.assessment_id
    args = {
        "none": [],
        "meeting": [meeting],
        "case": [meeting, case],
        "document": [meeting, "minutes"],
        "case_document": [meeting, case, "ak05"],
        "decision": [decision.pk],
    }
    return reverse(name, args=args[kind])


def call(client, name, decision, data=None):
    return getattr(client, VIEWS[name][0])(url(name, decision), data or {})


def state(meeting):
    meeting = fresh(meeting)
    return (
        meeting.status,
        list(meeting.attendances.values_list("member_id", "present")),
        list(
            Decision.objects.values_list(
                "assessment_id", "result", "basis", "decided_by_id", "published_at"
            )
        ),
        ConflictDeclaration.objects.count(),
        list(Minutes.objects.values_list("pk", "final_at", "pdf_status")),
        list(Decree.objects.values_list("pk", "status", "number")),
        Meeting.objects.count(),
        AuditEvent.objects.count(),
    )


def in_indonesian(message):
    with translation.override("id"):
        return gettext(message)


def when(value):
    """A moment as the pages show it (in Indonesian, local time: lsp_portal.dates)."""
    with translation.override("id"):
        return format_datetime(value)


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
def outsider(db):
    """A registered Tim Teknis member who was not invited to the meeting."""
    user = make_user("outsider@example.org", "Olga Outsider", Role.TECHNICAL_TEAM)
    make_member(user, "Praktisi pemasaran.")
    return user


@pytest.fixture
def rendered(final_minutes, signed_decree):
    """Both PDFs rendered and stored (as the Celery task does)."""
    pdf.render_and_store(Minutes.objects.get(pk=final_minutes.pk))
    pdf.render_and_store(Decree.objects.get(pk=signed_decree.pk))
    return signed_decree


# ---------------------------------------------------------------------------------------------
# The matrix
# ---------------------------------------------------------------------------------------------


def test_the_matrix_covers_every_decisions_url():
    assert {f"decisions:{p.name}" for p in urlpatterns} == set(VIEWS)


@pytest.mark.parametrize("name", VIEWS)
def test_anonymous_is_sent_to_login(client, decided, name):
    before = state(decided.meeting)
    response = call(client, name, decided)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert state(decided.meeting) == before


@pytest.mark.parametrize("name", VIEWS)
def test_other_roles_are_refused(login, cast, decided, name):
    before = state(decided.meeting)
    allowed = VIEWS[name][2]
    for key in CAST:
        if key in allowed:
            continue
        response = call(login(cast[key]), name, decided, {"result": "BK", "basis": "x"})
        assert response.status_code == 403, (name, key)
    assert state(decided.meeting) == before


@pytest.mark.parametrize("name", MEETING_SCOPED)
def test_a_member_not_invited_gets_not_found(login, outsider, rendered, name):
    """On a meeting whose minutes and decree exist and are rendered, so that only the meeting's
    scope can answer 404 (an invited member would get a page, a PDF or a refusal message)."""
    decision = Decision.objects.get()
    before = state(decision.meeting)
    data = {"result": "BK", "basis": "x", "reason": "y", "note": "z"}
    assert call(login(outsider), name, decision, data).status_code == 404
    assert state(decision.meeting) == before


def test_a_member_not_invited_does_not_see_the_meeting_in_the_list(
    login, outsider, technical, decided
):
    meeting_url = decided.meeting.get_absolute_url()
    assert (
        meeting_url not in login(outsider).get(reverse("decisions:meeting_list")).content.decode()
    )
    assert meeting_url in login(technical).get(reverse("decisions:meeting_list")).content.decode()


def test_a_case_not_on_the_agenda_is_not_found(login, technical, staff, decided, bobs_recommended):
    for user in (technical, staff):
        response = login(user).get(
            reverse("decisions:case", args=[decided.meeting_id, bobs_recommended.pk])
        )
        assert response.status_code == 404
    response = login(technical).post(
        reverse("decisions:decide", args=[decided.meeting_id, bobs_recommended.pk]),
        {"result": "K", "basis": BASIS},
    )
    assert response.status_code == 404
    assert not Decision.objects.filter(assessment=bobs_recommended).exists()


@pytest.mark.parametrize("name", POST_ONLY)
def test_state_changing_views_accept_post_only(login, cast, decided, name):
    user = cast[sorted(VIEWS[name][2])[0]]
    before = state(decided.meeting)
    assert login(user).get(url(name, decided)).status_code == 405
    assert state(decided.meeting) == before


@pytest.mark.parametrize("name", GET_ONLY)
def test_pages_accept_get_only(login, cast, decided, name):
    user = cast[sorted(VIEWS[name][2])[0]]
    before = state(decided.meeting)
    assert login(user).post(url(name, decided)).status_code == 405
    assert state(decided.meeting) == before


# ---------------------------------------------------------------------------------------------
# Staff: planning and opening a meeting
# ---------------------------------------------------------------------------------------------


def test_staff_plan_a_meeting_through_the_form(login, staff, member1, member2, recommended):
    client = login(staff)
    page = client.get(reverse("decisions:meeting_new"))
    assert page.status_code == 200
    assert recommended.reference in page.content.decode()
    response = client.post(
        reverse("decisions:meeting_new"),
        {
            "title": "Rapat Tim Teknis November",
            "scheduled_at": "2026-12-01T09:30",
            "location": "Ruang Rapat LSP",
            "members": [member1.pk, member2.pk],
            "assessments": [recommended.pk],
        },
    )
    meeting = Meeting.objects.get()
    assert response.status_code == 302
    assert response["Location"] == meeting.get_absolute_url()
    assert meeting.title == "Rapat Tim Teknis November"
    local = timezone.localtime(meeting.scheduled_at)
    assert (local.date(), local.hour, local.minute) == (datetime.date(2026, 12, 1), 9, 30)
    assert (meeting.location, meeting.is_online, meeting.status) == (
        "Ruang Rapat LSP",
        False,
        Status.PLANNED,
    )
    assert set(meeting.attendances.values_list("member_id", flat=True)) == {member1.pk, member2.pk}
    assert list(meeting.agenda.values_list("assessment_id", flat=True)) == [recommended.pk]


def test_the_form_refuses_fewer_members_than_the_quorum(login, staff, member1, recommended):
    response = login(staff).post(
        reverse("decisions:meeting_new"),
        {
            "title": "Rapat",
            "scheduled_at": "2026-12-01T09:30",
            "location": "Ruang Rapat LSP",
            "members": [member1.pk],
            "assessments": [recommended.pk],
        },
    )
    assert response.status_code == 200
    message = in_indonesian(
        "Invite at least %(quorum)s members: that many must be present to decide."
    ) % {"quorum": 2}
    assert escape(message) in response.content.decode()
    assert not Meeting.objects.exists()


def test_staff_open_the_meeting_with_the_members_present(
    login, staff, member1, member2, planned_meeting
):
    response = login(staff).post(
        reverse("decisions:meeting_open", args=[planned_meeting.pk]), {"present": [member1.pk]}
    )
    assert response.status_code == 302
    planned_meeting.refresh_from_db()
    assert planned_meeting.status == Status.HELD
    assert dict(planned_meeting.attendances.values_list("member_id", "present")) == {
        member1.pk: True,
        member2.pk: False,
    }
    page = login(staff).get(planned_meeting.get_absolute_url()).content.decode()
    assert escape(in_indonesian("No quorum: decisions cannot be recorded.")) in page


# ---------------------------------------------------------------------------------------------
# The technical team: the case, deciding, involvement
# ---------------------------------------------------------------------------------------------


def test_a_present_member_sees_the_case_and_the_decision_form(
    login, technical, open_meeting, recommended
):
    response = login(technical).get(
        reverse("decisions:case", args=[open_meeting.pk, recommended.pk])
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Alice Applicant" in html
    assert 'data-testid="recommendation"' in html
    assert 'data-testid="results-table"' in html
    assert 'data-testid="decide"' in html
    assert 'data-testid="conflict"' not in html


def test_the_assessor_of_the_case_sees_why_they_may_not_decide_it(
    login, staff, assessor, member1, member2, recommended
):
    assessor.groups.add(Group.objects.get(name=Role.TECHNICAL_TEAM))
    assessor_member = make_member(assessor)
    meeting = plan(staff, [member1, member2, assessor_member], [recommended])
    services.open_meeting(staff, meeting, [member1, member2, assessor_member])
    client = login(assessor)
    page = client.get(reverse("decisions:case", args=[meeting.pk, recommended.pk]))
    html = page.content.decode()
    assert 'data-testid="conflict"' in html
    assert escape(in_indonesian("assessed this applicant")) in html
    assert 'data-testid="decide"' not in html
    response = client.post(
        reverse("decisions:decide", args=[meeting.pk, recommended.pk]),
        {"result": "K", "basis": BASIS},
    )
    assert response.status_code == 302
    assert not Decision.objects.exists()


def test_a_member_decides_through_the_form(login, technical, member1, open_meeting, recommended):
    response = login(technical).post(
        reverse("decisions:decide", args=[open_meeting.pk, recommended.pk]),
        {"result": "K", "basis": BASIS, "reason": ""},
    )
    assert response.status_code == 302
    assert response["Location"] == open_meeting.get_absolute_url()
    decision = Decision.objects.get(assessment=recommended)
    assert (decision.result, decision.basis, decision.decided_by) == ("K", BASIS, member1)
    page = login(technical).get(open_meeting.get_absolute_url()).content.decode()
    assert 'data-testid="decision"' in page


def test_deciding_against_the_recommendation_without_a_reason_is_refused_on_the_page(
    login, technical, open_meeting, recommended
):
    client = login(technical)
    response = client.post(
        reverse("decisions:decide", args=[open_meeting.pk, recommended.pk]),
        {"result": "BK", "basis": BASIS, "reason": ""},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse(
        "decisions:case", args=[open_meeting.pk, recommended.pk]
    )
    message = in_indonesian(
        "The decision differs from the assessor's recommendation: give the reason."
    )
    assert escape(message) in response.content.decode()
    assert not Decision.objects.exists()


def test_a_member_declares_involvement_through_the_form(
    login, technical, member1, open_meeting, recommended
):
    client = login(technical)
    response = client.post(
        reverse("decisions:declare_conflict", args=[open_meeting.pk, recommended.pk]),
        {"note": "Saya dosen walinya."},
    )
    assert response.status_code == 302
    conflict = ConflictDeclaration.objects.get()
    assert (conflict.member, conflict.note) == (member1, "Saya dosen walinya.")
    page = client.get(reverse("decisions:case", args=[open_meeting.pk, recommended.pk]))
    assert 'data-testid="conflict"' in page.content.decode()
    assert 'data-testid="decide"' not in page.content.decode()


# ---------------------------------------------------------------------------------------------
# Closing, minutes, decree
# ---------------------------------------------------------------------------------------------


def test_staff_close_the_meeting_and_the_minutes_are_generated(login, staff, decided):
    response = login(staff).post(reverse("decisions:meeting_close", args=[decided.meeting_id]))
    assert response.status_code == 302
    meeting = fresh(decided.meeting)
    assert meeting.status == Status.CLOSED
    assert Minutes.objects.get(meeting=meeting).final_at is None


def test_the_present_members_sign_the_minutes_through_the_page(
    login, technical, technical2, closed
):
    meeting = closed.meeting
    for user in (technical, technical2):
        page = login(user).get(meeting.get_absolute_url()).content.decode()
        assert 'data-testid="sign-minutes"' in page
        response = login(user).post(reverse("decisions:minutes_sign", args=[meeting.pk]))
        assert response.status_code == 302
    closed.refresh_from_db()
    assert closed.final_at is not None
    assert closed.signatures.count() == 2
    assert fresh(meeting).status == Status.MINUTES_SIGNED
    page = login(technical).get(meeting.get_absolute_url()).content.decode()
    assert 'data-testid="sign-minutes"' not in page


def test_staff_draft_the_decree_through_the_page(login, staff, final_minutes):
    meeting = final_minutes.meeting
    page = login(staff).get(meeting.get_absolute_url()).content.decode()
    assert 'data-testid="draft-decree"' in page
    response = login(staff).post(reverse("decisions:decree_draft", args=[meeting.pk]))
    assert response.status_code == 302
    decree = Decree.objects.get(minutes=final_minutes)
    assert (decree.status, decree.drafted_by) == (Decree.Status.DRAFT, staff)


def test_the_director_signs_the_decree_through_the_page(
    login, director, staff, draft_decree, recommended
):
    meeting = draft_decree.minutes.meeting
    listing = login(director).get(reverse("decisions:meeting_list")).content.decode()
    assert 'data-testid="to-sign"' in listing
    assert 'data-testid="sign-decree"' not in (
        login(staff).get(meeting.get_absolute_url()).content.decode()
    )
    client = login(director)
    assert 'data-testid="sign-decree"' in client.get(meeting.get_absolute_url()).content.decode()
    response = client.post(reverse("decisions:decree_sign", args=[meeting.pk]), follow=True)
    draft_decree.refresh_from_db()
    assert draft_decree.status == Decree.Status.SIGNED
    assert draft_decree.signed_by == director
    assert re.fullmatch(r"001/SK/LSP-UPJ/[IVX]+/\d{4}", draft_decree.number)
    assert f'data-testid="decree-number">{draft_decree.number}<' in response.content.decode()
    assert Decision.objects.get(assessment=recommended).published_at == draft_decree.signed_at


# ---------------------------------------------------------------------------------------------
# Downloads
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["minutes", "decree"])
def test_staff_the_director_and_members_download_the_pdfs(
    login, staff, director, technical, technical2, rendered, kind
):
    meeting_pk = rendered.minutes.meeting_id
    for user in (staff, director, technical, technical2):
        response = login(user).get(reverse("decisions:document_pdf", args=[meeting_pk, kind]))
        assert response.status_code == 200, user
        assert response["Content-Type"] == "application/pdf"
        assert b"".join(response.streaming_content).startswith(b"%PDF")


@pytest.mark.parametrize("kind", ["minutes", "decree"])
def test_applicants_cannot_download_the_pdfs(login, alice, rendered, kind):
    url = reverse("decisions:document_pdf", args=[rendered.minutes.meeting_id, kind])
    assert login(alice).get(url).status_code == 403


def test_a_pdf_not_rendered_yet_is_not_found(login, staff, closed):
    url = reverse("decisions:document_pdf", args=[closed.meeting_id, "minutes"])
    assert login(staff).get(url).status_code == 404


def test_an_unknown_document_kind_is_not_found(login, staff, rendered):
    meeting_pk = rendered.minutes.meeting_id
    client = login(staff)
    assert client.get(f"/decisions/meetings/{meeting_pk}/other.pdf").status_code == 404
    assert client.post(f"/decisions/meetings/{meeting_pk}/other/retry/").status_code == 404


# ---------------------------------------------------------------------------------------------
# The applicant: their decision and the tracker
# ---------------------------------------------------------------------------------------------


def test_the_applicant_sees_the_published_decision(login, alice, signed_decree, recommended):
    decision = Decision.objects.get(assessment=recommended)
    response = login(alice).get(reverse("decisions:my_decision", args=[decision.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    result = re.search(r'data-testid="decision-result">(.*?)</p>', html, re.S).group(1)
    assert "Kompeten" in result
    assert "Belum" not in result
    assert when(decision.published_at) in html
    assert signed_decree.number in html
    # a competent decision is not appealed: no appeal form (the appeal tests cover BK decisions)
    assert reverse("appeals:file", args=[decision.pk]) not in html


def test_another_applicant_gets_not_found_for_the_decision(login, bob, signed_decree, recommended):
    decision = Decision.objects.get(assessment=recommended)
    assert login(bob).get(reverse("decisions:my_decision", args=[decision.pk])).status_code == 404


def test_an_unpublished_decision_is_not_found(login, alice, draft_decree, recommended):
    decision = Decision.objects.get(assessment=recommended)
    assert decision.published_at is None
    url = reverse("decisions:my_decision", args=[decision.pk])
    assert login(alice).get(url).status_code == 404


def step(html, key):
    match = re.search(rf'data-step="{key}" data-state="(\w+)"', html)
    assert match, f"no {key} step on the page"
    return match.group(1)


def test_the_dashboard_shows_the_decision_only_once_published(
    login, alice, director, draft_decree, recommended
):
    client = login(alice)
    # submitted to the LSP, waiting for the technical team: the next step, not a result yet
    assert step(client.get(reverse("dashboard")).content.decode(), "decision") == "next"
    services.sign_decree(director, draft_decree)
    html = client.get(reverse("dashboard")).content.decode()
    assert step(html, "decision") == "done"
    # the certificate stage takes over: the holder's agreement is needed first (9.4.7, 9.8)
    assert step(html, "certificate") == "attention"
    decision = Decision.objects.get(assessment=recommended)
    assert reverse("decisions:my_decision", args=[decision.pk]) in html


def test_the_dashboard_shows_a_belum_kompeten_decision_as_failed(
    login, staff, director, bob, assessor, assessor_profile, tuk, member1, member2
):
    case = recommended_case(bob, staff, assessor, assessor_profile, tuk, result="BK")
    minutes = meeting_through_minutes(staff, [member1, member2], [case])
    services.sign_decree(director, services.draft_decree(staff, minutes))
    html = login(bob).get(reverse("dashboard")).content.decode()
    assert step(html, "decision") == "failed"
    # the appeal stage asks for attention while the appeal window is open (9.9.2)
    assert step(html, "appeal") == "attention"
