"""The appeal pages as each user meets them: the access matrix of every appeals URL x every role
(anonymous -> login, the appellant, another applicant -> 404, staff, the director, the appointed
member, a Tim Banding member not appointed -> 404, assessor / technical team -> 403), then the
forms through the real views: FR-AK-04 with uploads (a hostile file, a missing name, too many
files change nothing), the window closing, a conflicted member refused, the finding, the
director's answer with its letter PDF and e-mail, and the SLA figures on the staff list."""

import datetime
import os
import subprocess

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.translation import gettext

from appeals import services
from appeals.models import AnswerLetter, Appeal, Attachment, Finding, TeamMember
from appeals.urls import urlpatterns
from assessment.models import Assessment
from lsp_portal import pdf
from lsp_portal.accounts.roles import Role
from lsp_portal.audit.models import AuditEvent
from lsp_portal.files import check_upload
from registration.demo_files import pdf_bytes
from tests.appeals.conftest import ANSWER, FINDING, FORM, appeal_form, give_role
from tests.conftest import make_user, pdf_upload

ROLES = (
    "anonymous",
    "appellant",
    "other_applicant",
    "staff",
    "director",
    "member",
    "other_member",
    "assessor",
    "technical",
)
LOGIN = "login"
# name -> (method, expected outcome per role in ROLES' order). On an answered appeal whose letter
# is rendered, so that every allowed GET shows a page or a file and every allowed POST is refused
# by the rule (the answer is final) with a redirect back to the appeal: never by permission.
MATRIX = {
    "appeals:list": ("get", (LOGIN, 403, 403, 200, 200, 200, 200, 403, 403)),
    "appeals:file": ("get", (LOGIN, 302, 404, 403, 403, 403, 403, 403, 403)),
    "appeals:detail": ("get", (LOGIN, 200, 404, 200, 200, 200, 404, 403, 403)),
    "appeals:appoint": ("post", (LOGIN, 403, 403, 302, 302, 403, 403, 403, 403)),
    "appeals:finding": ("post", (LOGIN, 403, 403, 403, 403, 302, 404, 403, 403)),
    "appeals:answer": ("post", (LOGIN, 403, 403, 403, 302, 403, 403, 403, 403)),
    "appeals:retry_letter": ("post", (LOGIN, 403, 403, 302, 403, 403, 403, 403, 403)),
    "appeals:letter": ("get", (LOGIN, 200, 404, 200, 200, 200, 404, 403, 403)),
    "appeals:attachment": ("get", (LOGIN, 200, 404, 200, 200, 200, 404, 403, 403)),
}
POSTED = {
    "member": "",
    "text": FINDING,
    "recommendation": "dismissed",
    "outcome": "dismissed",
    "reasons": "Diubah.",
    "confirm": "on",
}


def stored_files():
    """The appeal attachments on disk (the application's own documents live elsewhere)."""
    root = os.path.join(settings.MEDIA_ROOT, "appeals")
    return sorted(os.path.join(d, f) for d, _, files in os.walk(root) for f in files)


def state():
    """Everything an appeals view could change."""
    return (
        list(
            Appeal.objects.values_list(
                "pk", "status", "outcome", "answer", "answered_by", "reassessment_opened_at"
            )
        ),
        list(TeamMember.objects.values_list("appeal", "user")),
        list(Finding.objects.values_list("member", "text", "recommendation")),
        list(AnswerLetter.objects.values_list("pk", "number", "pdf_status", "pdf_version")),
        Attachment.objects.count(),
        Assessment.objects.count(),
        AuditEvent.objects.count(),
    )


def pdf_text(document):
    document.refresh_from_db()
    assert document.pdf, "no PDF stored"
    output = subprocess.run(
        ["pdftotext", "-layout", document.pdf.path, "-"], capture_output=True, check=True, text=True
    ).stdout
    return " ".join(output.split())


def indonesian(message):
    with translation.override("id"):
        return gettext(message)


def file_form(**overrides):
    data = {**FORM, **overrides}
    return {key: value for key, value in data.items() if value is not None}


@pytest.fixture
def appeal2(db):
    """A Tim Banding member who is not appointed to bob's appeal."""
    return make_user("appeal2@example.org", "Aris Banding", Role.APPEAL_TEAM)


@pytest.fixture
def answered(bob, staff, appeal, director, bk_decision):
    """bob's appeal with one attachment, answered (dismissed) by the director, the letter
    rendered."""
    filed = services.file_appeal(
        bob,
        bk_decision,
        appeal_form(),
        attachments=[check_upload(pdf_upload("bukti.pdf", "Bukti banding"))],
    )
    services.appoint(staff, filed, appeal)
    services.record_finding(appeal, filed, text=FINDING, recommendation="dismissed")
    services.answer(director, filed, outcome="dismissed", reasons=ANSWER)
    pdf.render_and_store(AnswerLetter.objects.get(appeal=filed))
    return Appeal.objects.get(pk=filed.pk)


@pytest.fixture
def cast(alice, bob, staff, director, appeal, appeal2, assessor, technical):
    return {
        "appellant": bob,
        "other_applicant": alice,
        "staff": staff,
        "director": director,
        "member": appeal,
        "other_member": appeal2,
        "assessor": assessor,
        "technical": technical,
    }


def url_of(name, appeal):
    if name == "appeals:list":
        return reverse(name)
    if name == "appeals:file":
        return reverse(name, args=[appeal.decision_id])
    if name == "appeals:attachment":
        return reverse(name, args=[appeal.pk, appeal.attachments.get().pk])
    return reverse(name, args=[appeal.pk])


# ---------------------------------------------------------------------------------------------
# The matrix
# ---------------------------------------------------------------------------------------------


def test_the_matrix_covers_every_appeals_url():
    assert {f"appeals:{p.name}" for p in urlpatterns} == set(MATRIX)


@pytest.mark.parametrize("name", MATRIX)
def test_each_role_gets_what_the_matrix_says(client, cast, answered, name):
    method, outcomes = MATRIX[name]
    target = url_of(name, answered)
    before = state()
    for role, expected in zip(ROLES, outcomes, strict=True):
        client.logout()
        if role != "anonymous":
            client.force_login(cast[role])
        response = getattr(client, method)(target, POSTED if method == "post" else {})
        if expected == LOGIN:
            assert response.status_code == 302, (name, role)
            assert response["Location"].startswith(reverse("accounts:login")), (name, role)
        else:
            assert response.status_code == expected, (name, role, response.status_code)
        if expected == 302:
            assert response["Location"] == reverse("appeals:detail", args=[answered.pk])
    assert state() == before


@pytest.mark.parametrize("name", [n for n, (method, _) in MATRIX.items() if method == "post"])
def test_state_changing_views_accept_post_only(login, staff, director, appeal, answered, name):
    user = {"appeals:finding": appeal, "appeals:answer": director}.get(name, staff)
    before = state()
    assert login(user).get(url_of(name, answered)).status_code == 405
    assert state() == before


def test_files_are_served_as_downloads_with_safe_headers(login, bob, answered):
    client = login(bob)
    for name in ("appeals:attachment", "appeals:letter"):
        response = client.get(url_of(name, answered))
        assert response["Content-Type"] == "application/pdf"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert "private" in response["Cache-Control"]
        assert b"".join(response.streaming_content).startswith(b"%PDF")
    disposition = client.get(url_of("appeals:attachment", answered))["Content-Disposition"]
    assert 'filename="bukti.pdf"' in disposition


def test_a_team_member_sees_only_the_appeals_they_are_appointed_to(
    login, appeal, appeal2, answered
):
    assert answered.reference in login(appeal).get(reverse("appeals:list")).content.decode()
    assert answered.reference not in login(appeal2).get(reverse("appeals:list")).content.decode()


# ---------------------------------------------------------------------------------------------
# Filing FR-AK-04 through the page
# ---------------------------------------------------------------------------------------------


def test_the_decision_page_shows_the_deadline_and_the_form_files_the_appeal(
    login, bob, bk_decision
):
    client = login(bob)
    page = client.get(reverse("decisions:my_decision", args=[bk_decision.pk])).content.decode()
    assert 'data-testid="appeal-deadline"' in page
    assert reverse("appeals:file", args=[bk_decision.pk]) in page
    assert client.get(reverse("appeals:file", args=[bk_decision.pk])).status_code == 200

    response = client.post(
        reverse("appeals:file", args=[bk_decision.pk]),
        {**file_form(), "attachments": [pdf_upload("bukti 1.pdf"), pdf_upload("bukti 2.pdf")]},
    )

    appeal = Appeal.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("appeals:detail", args=[appeal.pk])
    assert appeal.appellant == bob
    assert appeal.reasons == FORM["reasons"]
    assert appeal.status == Appeal.Status.SUBMITTED
    assert sorted(appeal.attachments.values_list("original_name", flat=True)) == [
        "bukti 1.pdf",
        "bukti 2.pdf",
    ]
    assert len(stored_files()) == 2
    detail = client.get(response["Location"]).content.decode()
    assert appeal.reference in detail
    assert "bukti 1.pdf" in detail
    # One appeal per decision: the form now leads to the appeal.
    again = client.get(reverse("appeals:file", args=[bk_decision.pk]))
    assert again["Location"] == reverse("appeals:detail", args=[appeal.pk])


@pytest.mark.parametrize(
    "name,content",
    [
        ("bukti.pdf", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200),
        ("bukti.pdf", b"<html><script>alert(1)</script></html>"),
        ("bukti.png", b"<svg xmlns='http://www.w3.org/2000/svg'><script>x</script></svg>"),
        ("bukti.pdf", b""),
    ],
)
def test_a_hostile_attachment_refuses_the_whole_appeal(login, bob, bk_decision, name, content):
    before = state()
    response = login(bob).post(
        reverse("appeals:file", args=[bk_decision.pk]),
        {**file_form(), "attachments": [pdf_upload("baik.pdf"), SimpleUploadedFile(name, content)]},
    )
    assert response.status_code == 200
    assert name in " ".join(response.context["form"].errors["attachments"])
    assert state() == before
    assert stored_files() == []


def test_another_person_without_a_name_is_a_form_error(login, bob, bk_decision):
    before = state()
    response = login(bob).post(
        reverse("appeals:file", args=[bk_decision.pk]),
        file_form(involve_other_person=True, other_person=""),
    )
    assert response.status_code == 200
    assert response.context["form"].errors["other_person"] == [
        indonesian("Say who should be involved.")
    ]
    assert state() == before


def test_too_many_attachments_are_refused(login, bob, bk_decision, settings):
    settings.APPEAL_MAX_ATTACHMENTS = 2
    before = state()
    response = login(bob).post(
        reverse("appeals:file", args=[bk_decision.pk]),
        {**file_form(), "attachments": [pdf_upload(f"b{i}.pdf") for i in range(3)]},
    )
    assert response.status_code == 200
    assert "2" in " ".join(response.context["form"].errors["attachments"])
    assert state() == before
    assert stored_files() == []


def test_after_the_window_the_form_is_refused_with_the_deadline_named(login, bob, bk_decision):
    deadline = bk_decision.appeal_deadline
    client = login(bob)
    with time_machine.travel(deadline + datetime.timedelta(minutes=1), tick=False):
        response = client.get(reverse("appeals:file", args=[bk_decision.pk]), follow=True)
        assert response.redirect_chain[-1][0] == reverse(
            "decisions:my_decision", args=[bk_decision.pk]
        )
        page = response.content.decode()
        with translation.override("id"):
            refusal = services.appeal_refusal(bk_decision)
        assert timezone.localtime(deadline).strftime("%H.%M") in refusal  # Indonesian: 05.03
        assert escape(refusal) in page
        assert 'data-testid="file-appeal"' not in page
        assert 'data-testid="appeal-refusal"' in page

        before = state()
        posted = client.post(reverse("appeals:file", args=[bk_decision.pk]), file_form())
        assert posted["Location"] == reverse("decisions:my_decision", args=[bk_decision.pk])
        assert state() == before
        assert stored_files() == []


def test_another_applicant_cannot_file_against_bobs_decision(login, alice, bk_decision):
    before = state()
    response = login(alice).post(reverse("appeals:file", args=[bk_decision.pk]), file_form())
    assert response.status_code == 404
    assert state() == before


# ---------------------------------------------------------------------------------------------
# The team, the finding, the answer
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def filed_by_page(login, bob, bk_decision):
    login(bob).post(reverse("appeals:file", args=[bk_decision.pk]), file_form())
    return Appeal.objects.get()


def test_staff_appoint_a_member_who_is_then_emailed(
    login, staff, appeal, filed_by_page, celery_eager, django_capture_on_commit_callbacks
):
    page = login(staff).get(reverse("appeals:detail", args=[filed_by_page.pk])).content.decode()
    assert 'data-testid="appoint"' in page
    with django_capture_on_commit_callbacks(execute=True):
        response = login(staff).post(
            reverse("appeals:appoint", args=[filed_by_page.pk]), {"member": appeal.pk}, follow=True
        )
    assert "Abe Appeal" in response.content.decode()
    assert list(TeamMember.objects.values_list("user", flat=True)) == [appeal.pk]
    assert Appeal.objects.get().status == Appeal.Status.UNDER_REVIEW
    assert [m.to for m in mail.outbox if "appeal@example.org" in m.to] == [["appeal@example.org"]]


def test_appointing_the_cases_assessor_is_refused_with_a_message(
    login, staff, assessor, filed_by_page
):
    give_role(assessor, Role.APPEAL_TEAM)
    before = state()
    response = login(staff).post(
        reverse("appeals:appoint", args=[filed_by_page.pk]), {"member": assessor.pk}, follow=True
    )
    page = response.content.decode()
    assert "Ana Assessor" in page
    assert escape(indonesian("assessed this applicant")) in page
    assert state() == before
    # And the page does not offer them: they were the only Tim Banding member, so there is no
    # form at all, and the page says why (issue 13.5: no form the service would refuse).
    assert response.context["appoint_form"] is None
    assert 'data-testid="appoint"' not in page
    assert 'data-testid="no-candidates"' in page


def test_appointing_without_choosing_is_a_message(login, staff, filed_by_page):
    before = state()
    response = login(staff).post(
        reverse("appeals:appoint", args=[filed_by_page.pk]), {"member": ""}, follow=True
    )
    assert indonesian("Choose a member of the appeal team.") in response.content.decode()
    assert state() == before


def test_the_finding_then_the_directors_answer_with_the_letter_and_email(
    login,
    bob,
    staff,
    appeal,
    director,
    filed_by_page,
    celery_eager,
    django_capture_on_commit_callbacks,
):
    services.appoint(staff, filed_by_page, appeal)
    detail = reverse("appeals:detail", args=[filed_by_page.pk])
    member = login(appeal)
    assert 'data-testid="record-finding"' in member.get(detail).content.decode()
    member.post(
        reverse("appeals:finding", args=[filed_by_page.pk]),
        {"text": FINDING, "recommendation": "upheld"},
    )
    assert Finding.objects.get().text == FINDING

    # The answer needs the confirmation that it is final.
    before = state()
    boss = login(director)
    boss.post(
        reverse("appeals:answer", args=[filed_by_page.pk]),
        {"outcome": "upheld", "reasons": ANSWER},
    )
    assert state() == before

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = boss.post(
            reverse("appeals:answer", args=[filed_by_page.pk]),
            {"outcome": "upheld", "reasons": ANSWER, "confirm": "on"},
            follow=True,
        )
    assert 'data-testid="appeal-answer"' in response.content.decode()
    appeal_now = Appeal.objects.get()
    assert appeal_now.status == Appeal.Status.ANSWERED
    assert appeal_now.outcome == Appeal.Outcome.UPHELD
    assert appeal_now.answered_by == director

    letter = AnswerLetter.objects.get()
    assert letter.pdf_status == AnswerLetter.PDFStatus.READY
    text = pdf_text(letter)
    for expected in (letter.number, "Bob Applicant", "DITERIMA", ANSWER, appeal_now.reference):
        assert expected in text, expected
    assert any(m.to == ["bob@example.org"] for m in mail.outbox)
    # bob downloads the letter from his appeal page.
    applicant = login(bob)
    assert reverse("appeals:letter", args=[appeal_now.pk]) in applicant.get(detail).content.decode()
    assert applicant.get(reverse("appeals:letter", args=[appeal_now.pk])).status_code == 200

    # The answer is final: a second one is refused and changes nothing.
    before = state()
    again = login(director).post(
        reverse("appeals:answer", args=[filed_by_page.pk]),
        {"outcome": "dismissed", "reasons": "Berubah pikiran.", "confirm": "on"},
        follow=True,
    )
    final = indonesian("This appeal has been answered; the answer is final (9.9.7).")
    assert escape(final) in again.content.decode()
    assert state() == before


def test_the_staff_list_shows_deadlines_and_the_sla_figures(login, staff, answered, bk_decision):
    page = login(staff).get(reverse("appeals:list")).content.decode()
    assert 'data-testid="sla-completion">100%' in page
    assert 'data-testid="sla-decision">100%' in page
    assert answered.reference in page


def test_an_open_appeal_shows_days_left_on_both_deadlines(login, staff, director, filed_by_page):
    for user in (staff, director):
        page = login(user).get(reverse("appeals:list")).content.decode()
        assert filed_by_page.reference in page
        assert 'data-testid="appeal-row"' in page
        assert 'data-testid="deadline-completion"' in page
        assert 'data-testid="deadline-decision"' in page


def test_attachment_bytes_are_the_uploaded_ones(login, bob, bk_decision):
    content = pdf_bytes("Bukti khusus")
    client = login(bob)
    client.post(
        reverse("appeals:file", args=[bk_decision.pk]),
        {**file_form(), "attachments": [SimpleUploadedFile("khusus.pdf", content)]},
    )
    appeal = Appeal.objects.get()
    response = client.get(url_of("appeals:attachment", appeal))
    assert b"".join(response.streaming_content) == content


def test_the_director_is_offered_the_answer_only_once_the_team_has_a_finding(
    login, director, appeal, appointed
):
    """9.9.8.c: the answer follows a finding of the team; before it the director reads why
    instead of filling in a form the service would refuse."""
    detail = reverse("appeals:detail", args=[appointed.pk])
    page = login(director).get(detail).content.decode()
    assert 'data-testid="answer"' not in page
    assert 'name="reasons"' not in page
    waiting = indonesian(
        "Wait for at least one finding of the appeal team before answering (9.9.8.c)."
    )
    assert escape(waiting) in page
    services.record_finding(appeal, appointed, text=FINDING, recommendation="upheld")
    page = login(director).get(detail).content.decode()
    assert 'data-testid="answer"' in page
    assert 'data-testid="answer-refusal"' not in page
