"""The meeting and case pages in clear words (issue 13.6) and offering only what the services
accept (issue 13.5): the agenda says "Belum diputuskan" or the decision as a badge, the button
reads "Buka kasus", the page says how the team decides (9.4.2, 9.4.4) and that every member
present confirms by signing the minutes; no close button while a case is open, no decision form
without a quorum, no "I was involved" for the member who recorded the decision."""

import lxml.html
from django.conf import settings
from django.urls import reverse
from django.utils.html import escape

from assessment import services as assessment_services
from assessment.inputs import AdjustmentInput
from decisions import services
from tests.decisions.conftest import BASIS, plan
from tests.fixtures_assessment import all_results, observe_all


def page_text(client, url, language):
    """The visible text of the page (whitespace folded), in `language`."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    main = lxml.html.document_fromstring(html).find(".//main")
    return html, " ".join(main.text_content().split())


def agenda_row(html, assessment):
    row = lxml.html.document_fromstring(html).find(f".//tr[@data-case='{assessment.pk}']")
    return " ".join(row.text_content().split())


HOW = {
    "id": [
        "Cara tim teknis memutuskan (9.4.2, 9.4.4)",
        "Hanya tim teknis yang memutuskan, dalam rapat ini, dengan memverifikasi rekomendasi "
        "asesor dan rekaman uji kompetensi.",
        "Keputusan hanya sah selama paling sedikit 2 anggota tercatat hadir.",
        "salah satu dari mereka mencatat keputusan tim beserta dasarnya",
        "Anggota tidak memutuskan kasus yang pernah ia ases atau kasus yang ia nyatakan memiliki "
        "keterlibatan dengan asesinya",
        "setiap anggota yang hadir mengesahkan keputusan dengan menandatangani Berita Acara",
    ],
    "en": [
        "How the team decides (9.4.2, 9.4.4)",
        "Only the technical team decides, in this meeting, by verifying the assessor's "
        "recommendation and the records of the competency test.",
        "Decisions count only while at least 2 members are recorded as present.",
        "one of them records the team's decision with its basis",
        "No member decides a case they assessed or on which they declared involvement with the "
        "applicant",
        "every member present confirms the decisions by signing the minutes (Berita Acara)",
    ],
}


def test_an_undecided_case_reads_belum_diputuskan_next_to_buka_kasus(
    login, staff, open_meeting, recommended
):
    client = login(staff)
    url = open_meeting.get_absolute_url()
    html, _text = page_text(client, url, "id")
    row = agenda_row(html, recommended)
    assert "Belum diputuskan" in row
    assert "Buka kasus" in row
    assert "buka" not in row.replace("Buka kasus", "")
    assert 'data-testid="undecided"' in html
    html, _text = page_text(client, url, "en")
    row = agenda_row(html, recommended)
    assert "Not decided yet" in row and "Open case" in row


def test_a_decided_case_shows_its_decision_as_a_badge(login, staff, decided, open_meeting):
    client = login(staff)
    html, _text = page_text(client, open_meeting.get_absolute_url(), "id")
    badge = lxml.html.document_fromstring(html).find(".//*[@data-testid='decision']")
    assert "badge" in badge.get("class")
    assert " ".join(badge.text_content().split()) == "K · Kompeten"
    assert "Belum diputuskan" not in html
    html, _text = page_text(client, open_meeting.get_absolute_url(), "en")
    badge = lxml.html.document_fromstring(html).find(".//*[@data-testid='decision']")
    assert " ".join(badge.text_content().split()) == "K · Competent"


def test_the_meeting_page_says_how_the_team_decides_and_that_members_sign_the_minutes(
    login, technical, planned_meeting, final_minutes
):
    client = login(technical)
    for meeting in (planned_meeting, final_minutes.meeting):
        for language, phrases in HOW.items():
            _html, text = page_text(client, meeting.get_absolute_url(), language)
            missing = [phrase for phrase in phrases if phrase not in text]
            assert missing == [], (meeting.status, language)


def test_the_close_button_appears_once_every_case_is_decided(
    login, staff, technical, open_meeting, recommended
):
    client = login(staff)
    html, text = page_text(client, open_meeting.get_absolute_url(), "id")
    assert 'data-testid="close-meeting"' not in html
    assert 'data-testid="close-refusal"' in html
    assert recommended.reference in text
    services.decide(technical, open_meeting, recommended, result="K", basis=BASIS)
    html, _text = page_text(client, open_meeting.get_absolute_url(), "id")
    assert 'data-testid="close-meeting"' in html
    assert 'data-testid="close-refusal"' not in html


def test_without_a_quorum_a_member_present_is_told_why_instead_of_offered_the_form(
    login, staff, technical, member1, member2, recommended
):
    meeting = plan(staff, [member1, member2], [recommended])
    services.open_meeting(staff, meeting, [member1])  # quorum 2, one present
    url = reverse("decisions:case", args=[meeting.pk, recommended.pk])
    html, text = page_text(login(technical), url, "id")
    assert 'data-testid="decide"' not in html
    assert "Kuorum tidak terpenuhi" in text
    assert 'data-testid="declare-conflict"' in html  # declaring needs no quorum
    services.open_meeting(staff, meeting, [member1, member2])
    html, _text = page_text(login(technical), url, "id")
    assert 'data-testid="decide"' in html


def test_the_member_who_recorded_the_decision_is_not_offered_to_declare_involvement(
    login, technical, technical2, decided, open_meeting, recommended
):
    url = reverse("decisions:case", args=[open_meeting.pk, recommended.pk])
    html, _text = page_text(login(technical), url, "id")
    assert 'data-testid="decide"' in html  # the decision may still be changed in session
    assert 'data-testid="declare-conflict"' not in html
    html, _text = page_text(login(technical2), url, "id")
    assert 'data-testid="declare-conflict"' in html


def test_a_closed_meeting_says_since_when_its_decisions_are_fixed(
    login, staff, technical, closed, recommended
):
    meeting = closed.meeting
    meeting.refresh_from_db()
    for url in (
        meeting.get_absolute_url(),
        reverse("decisions:case", args=[meeting.pk, recommended.pk]),
    ):
        html, text = page_text(login(technical), url, "id")
        assert 'data-testid="locked-note"' in html
        assert "Rapat telah ditutup" in text
        assert 'data-testid="decide"' not in html
        assert 'data-testid="declare-conflict"' not in html
    html, _text = page_text(login(technical), meeting.get_absolute_url(), "en")
    assert escape("The meeting is closed: its decisions can no longer change.") in html


def test_the_technical_team_reads_the_fr_ak_07_adjustment_on_the_case_page(
    login, staff, technical, member1, member2, assessor, reviewed
):
    assessment_services.record_adjustment(
        assessor,
        reviewed,
        AdjustmentInput(
            needed=True,
            needs=("bahasa",),
            description="Asesi lebih lancar berbahasa daerah.",
            adjustments="Waktu tambahan 30 menit; pertanyaan dibacakan.",
        ),
    )
    observe_all(assessor, reviewed)
    assessment_services.record_results(assessor, reviewed, all_results(reviewed))
    submitted = assessment_services.submit_recommendation(assessor, reviewed)
    meeting = plan(staff, [member1, member2], [submitted])
    url = reverse("decisions:case", args=[meeting.pk, submitted.pk])
    html, text = page_text(login(technical), url, "id")
    assert 'data-testid="adjustment-summary"' in html
    assert "Waktu tambahan 30 menit; pertanyaan dibacakan." in text
    assert 'data-testid="record-adjustment"' not in html
