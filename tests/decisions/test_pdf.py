"""The minutes (Berita Acara, 9.4.4) and the decree (SK, 9.4.5) as PDFs: rendered by the Celery
task after the change is committed, checked by extracting their text with pdftotext; rendered again
only when what they show changed; a failing render is retried, then shown to staff, who can ask
for it again - and the meeting's data is never touched by a render."""

import subprocess

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from decisions import services
from decisions.models import Decision, Decree, Minutes, MinutesSignature
from lsp_portal import pdf
from lsp_portal.audit.models import AuditEvent
from tests.decisions.conftest import fresh, meeting_through_minutes, recommended_case

pytestmark = pytest.mark.usefixtures("celery_eager")

RENDER_PDF = pdf.render_pdf
ERROR = "cairo: out of memory while drawing the letterhead"


def pdf_text(document):
    """The PDF's text as pdftotext lays it out, whitespace runs folded to single spaces."""
    document.refresh_from_db()
    assert document.pdf, "no PDF stored"
    output = subprocess.run(
        ["pdftotext", "-layout", document.pdf.path, "-"],
        capture_output=True,
        check=True,
        text=True,
    ).stdout
    return " ".join(output.split())


def data_of(meeting):
    """What the meeting recorded, which no render may change."""
    meeting = fresh(meeting)
    minutes = Minutes.objects.get(meeting=meeting)
    return {
        "meeting": (meeting.status, meeting.opened_at, meeting.closed_at),
        "attendance": list(meeting.attendances.values_list("member_id", "present")),
        "decisions": list(
            Decision.objects.filter(meeting=meeting).values_list(
                "assessment_id", "result", "basis", "decided_by_id", "decided_at", "published_at"
            )
        ),
        "minutes": (minutes.pk, minutes.final_at),
        "signatures": list(MinutesSignature.objects.values_list("member_id", "signed_at")),
        "audit": list(AuditEvent.objects.for_object(meeting).values_list("action", flat=True)),
    }


@pytest.fixture
def failing_render(monkeypatch):
    """WeasyPrint breaks on every attempt; `calls` counts the attempts."""
    calls = []

    def broken(template_name, context):
        calls.append(template_name)
        raise OSError(ERROR)

    monkeypatch.setattr(pdf, "render_pdf", broken)
    return calls


@pytest.fixture
def rendered_minutes(staff, open_meeting, decided, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        minutes = services.close_meeting(staff, open_meeting)
    minutes.refresh_from_db()
    return minutes


def test_closing_the_meeting_renders_the_minutes(rendered_minutes, open_meeting, recommended):
    assert rendered_minutes.pdf_status == Minutes.PDFStatus.READY
    assert rendered_minutes.pdf_version == 1
    assert rendered_minutes.pdf_error == ""
    print(f"\nminutes PDF rendered in {rendered_minutes.pdf_render_ms} ms (first render)")
    text = pdf_text(rendered_minutes)
    assert "BERITA ACARA RAPAT TIM TEKNIS" in text
    assert f"Nomor rapat: {open_meeting.reference}" in text
    assert "Alice Applicant" in text
    assert recommended.reference in text
    assert "Asesor: Ana Assessor" in text
    assert "Kompeten Kompeten" in text  # the recommendation, then the decision
    assert "Tia Technical Hadir" in text
    assert "Tono Teknis Hadir" in text
    assert "Dicatat oleh Tia Technical" in text
    assert "Kuorum: 2 anggota" in text


def test_the_minutes_show_a_decision_against_the_recommendation_with_its_reason(
    staff, technical, open_meeting, recommended, django_capture_on_commit_callbacks
):
    services.decide(
        technical,
        open_meeting,
        recommended,
        result="BK",
        basis="Rekaman diperiksa ulang.",
        reason="Bukti unit 2 tidak autentik.",
    )
    with django_capture_on_commit_callbacks(execute=True):
        minutes = services.close_meeting(staff, open_meeting)
    text = pdf_text(minutes)
    # the table cells wrap: recommendation "Kompeten", decision "Belum / Kompeten", then the basis
    assert "Alice Applicant Kompeten Belum Rekaman diperiksa ulang." in text
    reference = recommended.application.reference
    assert f"{reference} · Kompeten Alasan berbeda dari rekomendasi:" in text
    assert "Bukti unit 2 tidak autentik." in text


def test_signatures_render_the_minutes_again_and_nothing_else_does(
    technical, technical2, rendered_minutes, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.sign_minutes(technical, rendered_minutes)
    rendered_minutes.refresh_from_db()
    assert rendered_minutes.pdf_version == 2
    assert pdf_text(rendered_minutes).count("belum ditandatangani") == 2  # Tono, twice
    with django_capture_on_commit_callbacks(execute=True):
        services.sign_minutes(technical2, rendered_minutes)
    rendered_minutes.refresh_from_db()
    assert rendered_minutes.pdf_version == 3
    print(f"\nminutes PDF rendered in {rendered_minutes.pdf_render_ms} ms (final, signed)")
    text = pdf_text(rendered_minutes)
    assert "belum ditandatangani" not in text
    assert text.count("Ditandatangani") >= 2
    stored = (
        rendered_minutes.pdf.name,
        rendered_minutes.pdf_hash,
        rendered_minutes.pdf_rendered_at,
    )
    assert pdf.render_and_store(Minutes.objects.get(pk=rendered_minutes.pk)) is False
    rendered_minutes.refresh_from_db()
    assert rendered_minutes.pdf_version == 3
    assert (
        rendered_minutes.pdf.name,
        rendered_minutes.pdf_hash,
        rendered_minutes.pdf_rendered_at,
    ) == stored


def test_render_and_store_renders_once_for_the_same_content(staff, closed):
    assert pdf.render_and_store(closed) is True
    assert pdf.render_and_store(Minutes.objects.get(pk=closed.pk)) is False
    closed.refresh_from_db()
    assert (closed.pdf_version, closed.pdf_status) == (1, Minutes.PDFStatus.READY)
    print(f"\nminutes PDF rendered in {closed.pdf_render_ms} ms (direct render_and_store)")


def test_the_decree_pdf_names_the_competent_the_number_and_the_director(
    staff,
    director,
    member1,
    member2,
    recommended,
    bob,
    assessor,
    assessor_profile,
    tuk,
    django_capture_on_commit_callbacks,
):
    bk_case = recommended_case(bob, staff, assessor, assessor_profile, tuk, result="BK")
    minutes = meeting_through_minutes(staff, [member1, member2], [recommended, bk_case])
    with django_capture_on_commit_callbacks(execute=True):
        decree = services.draft_decree(staff, minutes)
    draft = pdf_text(decree)
    assert "Nomor: (diberikan saat ditandatangani)" in draft
    assert "(belum ditandatangani)" in draft
    with django_capture_on_commit_callbacks(execute=True):
        services.sign_decree(director, decree)
    decree.refresh_from_db()
    assert (decree.pdf_status, decree.pdf_version) == (Decree.PDFStatus.READY, 2)
    print(f"\ndecree PDF rendered in {decree.pdf_render_ms} ms")
    text = pdf_text(decree)
    assert f"Nomor: {decree.number}" in text
    assert f"SK {decree.number}" in text  # the footer
    assert "Dina Director" in text
    assert minutes.meeting.reference in text
    assert "Alice Applicant 2019001" in text
    assert "KOMPETEN" in text
    # Bob was decided Belum Kompeten: counted, not named in the decree of the competent.
    assert "Bob Applicant" not in text
    assert "1 peserta lain dalam rapat ini dinyatakan Belum Kompeten" in text


def test_a_failing_render_is_retried_then_marked_failed_and_the_data_kept(
    staff, open_meeting, decided, failing_render, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        minutes = services.close_meeting(staff, open_meeting)
    before = data_of(open_meeting)
    for callback in callbacks:
        callback()
    minutes.refresh_from_db()
    assert failing_render == ["decisions/pdf/minutes.html"] * 4  # the first try and 3 retries
    assert minutes.pdf_status == Minutes.PDFStatus.FAILED
    assert minutes.pdf_error == f"OSError: {ERROR}"
    assert not minutes.pdf
    assert minutes.pdf_version == 0
    assert data_of(open_meeting) == before


def test_a_failed_render_keeps_the_previous_pdf(
    monkeypatch, technical, rendered_minutes, open_meeting, django_capture_on_commit_callbacks
):
    stored = rendered_minutes.pdf.name
    monkeypatch.setattr(pdf, "render_pdf", lambda *args: (_ for _ in ()).throw(OSError(ERROR)))
    with django_capture_on_commit_callbacks() as callbacks:
        services.sign_minutes(technical, rendered_minutes)
    before = data_of(open_meeting)
    for callback in callbacks:
        callback()
    rendered_minutes.refresh_from_db()
    assert rendered_minutes.pdf_status == Minutes.PDFStatus.FAILED
    assert (rendered_minutes.pdf.name, rendered_minutes.pdf_version) == (stored, 1)
    assert rendered_minutes.pdf.storage.exists(stored)
    assert data_of(open_meeting) == before


@pytest.fixture
def failed_minutes(
    staff, open_meeting, decided, failing_render, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        minutes = services.close_meeting(staff, open_meeting)
    minutes.refresh_from_db()
    assert minutes.pdf_status == Minutes.PDFStatus.FAILED
    return minutes


def test_staff_see_the_failure_with_a_render_again_button(
    login, staff, technical, failed_minutes, open_meeting
):
    retry = reverse("decisions:retry_pdf", args=[open_meeting.pk, "minutes"])
    page = login(staff).get(reverse("decisions:meeting_detail", args=[open_meeting.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-testid="minutes-pdf-status" data-status="failed"' in html
    assert ERROR in html
    assert f'action="{retry}"' in html
    # Members see the status too, but asking for a render again is the staff's.
    html = login(technical).get(open_meeting.get_absolute_url()).content.decode()
    assert 'data-status="failed"' in html
    assert f'action="{retry}"' not in html


def test_render_again_sets_the_pdf_pending_and_renders_it(
    monkeypatch, login, staff, failed_minutes, open_meeting, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(pdf, "render_pdf", RENDER_PDF)  # WeasyPrint works again
    before = data_of(open_meeting)
    with django_capture_on_commit_callbacks() as callbacks:
        response = login(staff).post(
            reverse("decisions:retry_pdf", args=[open_meeting.pk, "minutes"])
        )
    assert response.status_code == 302
    assert response["Location"] == open_meeting.get_absolute_url()
    failed_minutes.refresh_from_db()
    assert (failed_minutes.pdf_status, failed_minutes.pdf_error) == ("pending", "")
    event = AuditEvent.objects.for_object(failed_minutes).get(action="pdf.retry")
    assert event.actor == staff
    for callback in callbacks:
        callback()
    failed_minutes.refresh_from_db()
    assert failed_minutes.pdf_status == Minutes.PDFStatus.READY
    assert failed_minutes.pdf_version == 1
    assert "Alice Applicant" in pdf_text(failed_minutes)
    assert data_of(open_meeting) == before
    page = login(staff).get(open_meeting.get_absolute_url()).content.decode()
    assert 'data-testid="minutes-pdf-status" data-status="ready"' in page
    assert reverse("decisions:document_pdf", args=[open_meeting.pk, "minutes"]) in page


def test_only_staff_ask_for_a_render_again(technical, director, failed_minutes):
    for user in (technical, director):
        with pytest.raises(PermissionDenied):
            services.retry_render(user, failed_minutes)
    failed_minutes.refresh_from_db()
    assert failed_minutes.pdf_status == Minutes.PDFStatus.FAILED
    assert not AuditEvent.objects.for_object(failed_minutes).filter(action="pdf.retry").exists()


def test_render_again_is_refused_for_a_pdf_that_did_not_fail(staff, rendered_minutes):
    from lsp_portal.errors import RuleError

    before = (rendered_minutes.pdf_status, rendered_minutes.pdf_version)
    with pytest.raises(RuleError):
        services.retry_render(staff, rendered_minutes)
    rendered_minutes.refresh_from_db()
    assert (rendered_minutes.pdf_status, rendered_minutes.pdf_version) == before
