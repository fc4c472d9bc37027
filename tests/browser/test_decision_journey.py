"""Staff plan a technical-team meeting for a submitted recommendation and open it; a member
decides; the meeting closes and both members sign the minutes (Berita Acara); staff draft the
decree (SK) and the director signs it; the applicant sees the published decision. The PDFs are
real: rendered by the Celery task (in-process here) and checked as text."""

import datetime
import subprocess

import pytest
from django.utils import timezone

from certificates.models import Certificate, Signatory
from decisions.models import Decision, Decree, Meeting, Minutes, TechnicalTeamMember
from lsp_portal.accounts.roles import Role
from tests.browser.test_registration_journey import login, logout
from tests.conftest import PASSWORD, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def pdf_text(document):
    with document.pdf.open("rb") as handle:
        return subprocess.run(
            ["pdftotext", "-layout", "-", "-"],
            input=handle.read(),
            capture_output=True,
            check=True,
        ).stdout.decode()


def test_meeting_minutes_and_decree_publish_the_decision(
    page,
    shot,
    live_server,
    celery_eager,
    staff,
    director,
    alice,
    recommended,
):
    base = live_server.url
    members = []
    for email, name in (("tt1@example.org", "Tono Teknis"), ("tt2@example.org", "Tari Teknis")):
        user = make_user(email, name, Role.TECHNICAL_TEAM)
        members.append(
            TechnicalTeamMember.objects.create(user=user, qualification="Asesor senior CRM")
        )

    # -- staff plan and open the meeting --------------------------------------------------------
    login(page, base, staff.email, PASSWORD)
    page.goto(base + "/decisions/meetings/")
    page.click("[data-testid=plan-meeting]")
    page.fill("input[name=title]", "Rapat Tim Teknis Desember")
    page.fill("input[name=scheduled_at]", timezone.localtime().strftime("%Y-%m-%dT%H:%M"))
    page.fill("input[name=location]", "Ruang Rapat LSP")
    for member in members:
        page.check(f"input[name=members][value='{member.pk}']")
    page.check(f"input[name=assessments][value='{recommended.pk}']")
    shot("30-staff-plan-meeting")
    page.click("[data-testid=save-meeting]")
    page.wait_for_selector("[data-testid=attendance]")
    meeting = Meeting.objects.get()
    page.click("[data-testid=open-meeting]")
    # In session, the case still to decide: the page says so instead of offering to close.
    page.wait_for_selector("[data-testid=close-refusal]")
    button = f"[data-case='{recommended.pk}'] [data-testid=open-case]"
    assert page.inner_text(button) == "Buka kasus"
    shot("31-staff-meeting-open")
    logout(page)

    # -- a member decides the case ----------------------------------------------------------------
    login(page, base, members[0].user.email, PASSWORD)
    page.goto(f"{base}/decisions/meetings/{meeting.pk}/")
    page.click(button)
    assert page.locator("[data-testid=results-table] tbody tr").count() == 15
    page.check("input[name=result][value=K]")
    page.fill("textarea[name=basis]", "Rekomendasi asesor dan rekaman uji kompetensi lengkap.")
    shot("32-member-decides")
    page.click("[data-testid=decide]")
    page.wait_for_selector("[data-testid=decision]")
    page.click("[data-testid=close-meeting]")
    page.wait_for_selector("[data-testid=minutes]")
    assert page.get_attribute("[data-testid=minutes-pdf-status]", "data-status") == "ready"
    page.click("[data-testid=sign-minutes]")
    page.wait_for_selector(".alert-success")
    logout(page)
    login(page, base, members[1].user.email, PASSWORD)
    page.goto(f"{base}/decisions/meetings/{meeting.pk}/")
    page.click("[data-testid=sign-minutes]")
    page.wait_for_selector("[data-testid=decree]")
    shot("33-minutes-signed")
    logout(page)
    minutes = Minutes.objects.get()
    assert minutes.final_at is not None
    text = pdf_text(minutes)
    assert "Alice Applicant" in text and meeting.reference in text
    assert "Tono Teknis" in text and "Tari Teknis" in text

    # -- staff draft the decree, the director signs it -----------------------------------------
    login(page, base, staff.email, PASSWORD)
    page.goto(f"{base}/decisions/meetings/{meeting.pk}/")
    page.click("[data-testid=draft-decree]")
    page.wait_for_selector("[data-testid=decree-pdf-status]")
    logout(page)
    login(page, base, director.email, PASSWORD)
    assert page.url.endswith("/decisions/meetings/")
    page.click(f"[data-testid=to-sign] a[href='/decisions/meetings/{meeting.pk}/']")
    page.click("[data-testid=sign-decree]")
    page.wait_for_selector("[data-testid=decree-number]")
    shot("34-director-signed")
    decree = Decree.objects.get()
    assert decree.number.startswith("001/SK/")
    assert page.inner_text("[data-testid=decree-number]") == decree.number
    decree_text = pdf_text(decree)
    assert decree.number in decree_text and "Alice Applicant" in decree_text
    assert "Dina Director" in decree_text
    logout(page)

    # -- the applicant sees the decision -------------------------------------------------------
    login(page, base, alice.email, PASSWORD)
    page.goto(base + "/dashboard/")
    assert page.get_attribute("[data-step=decision]", "data-state") == "done"
    page.click("[data-step=decision] a")
    assert "Kompeten" in page.inner_text("[data-testid=decision-result]")
    decision = Decision.objects.get()
    assert decision.published_at == decree.signed_at
    assert decree.number in page.inner_text("[data-testid=published-at]")
    shot("35-applicant-decision")

    # -- the certificate: the holder signs the use agreement, staff record the fee --------------
    Signatory.objects.create(name="Hastuti Naibaho", title="Direktur LSP")
    page.goto(base + "/dashboard/")
    assert page.get_attribute("[data-step=certificate]", "data-state") == "attention"
    page.click("[data-step=certificate] a")
    for point in ("9.8.1", "9.8.2", "9.8.3", "9.8.4"):
        page.check(f"input[name=points][value='{point}']")
    shot("36-holder-agreement")
    page.click("[data-testid=sign-agreement]")
    page.wait_for_selector(".alert-success")
    certificate = Certificate.objects.get()
    logout(page)
    login(page, base, staff.email, PASSWORD)
    page.goto(f"{base}/certificates/{certificate.pk}/")
    page.click("[data-testid=record-fee]")
    page.wait_for_selector("[data-testid=certificate-number]")
    logout(page)
    certificate.refresh_from_db()
    assert certificate.status == "active" and certificate.number.startswith("00001/")

    # -- the holder downloads it; a stranger verifies it ------------------------------------------
    login(page, base, alice.email, PASSWORD)
    page.goto(f"{base}/certificates/{certificate.pk}/")
    shot("37-holder-certificate")
    response = page.request.get(
        base + page.get_attribute("[data-testid=download-certificate]", "href")
    )
    assert response.status == 200 and response.body().startswith(b"%PDF-")
    verify_path = page.get_attribute("[data-testid=verify-link]", "href")
    logout(page)
    page.goto(base + verify_path)
    assert page.get_attribute("[data-testid=public-status]", "data-status") == "valid"
    assert page.inner_text("[data-testid=public-holder]") == "Alice Applicant"
    assert "3174015201020001" not in page.content()  # never the NIK
    page.goto(base + "/verify/")
    page.fill("input[name=number]", certificate.number)
    page.click("[data-testid=verify-search]")
    assert page.inner_text("[data-testid=public-status]") == "Berlaku"
    shot("38-public-verification")

    # -- staff freeze it (9.5.1); the public verification says so at once ---------------------
    login(page, base, staff.email, PASSWORD)
    page.goto(f"{base}/certificates/{certificate.pk}/")
    page.select_option("form[action$='/do/freeze/'] select[name=ground]", value="a")
    page.fill("form[action$='/do/freeze/'] textarea[name=reason]", "Dipakai di luar ruang lingkup.")
    resolve_by = timezone.localdate() + datetime.timedelta(days=14)
    page.fill("input[name=resolve_by]", resolve_by.isoformat())
    page.click("[data-testid=freeze]")
    page.wait_for_selector("[data-testid=frozen-note]")
    shot("39-staff-froze")
    logout(page)
    page.goto(base + verify_path)
    assert page.get_attribute("[data-testid=public-status]", "data-status") == "frozen"
    assert page.inner_text("[data-testid=public-status]") == "Dibekukan"
    shot("40-public-frozen")
