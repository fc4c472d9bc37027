"""A not-yet-competent applicant appeals (9.9): files FR-AK-04 with an attachment within the
window, staff appoint an independent member of the appeal team, who records a finding, the
director upholds the appeal (the answer letter PDF is rendered by the Celery task, in-process
here), the applicant sees the reassessment opened, and staff assign another assessor for attempt
2."""

import subprocess

import pytest

from appeals.models import AnswerLetter, Appeal
from assessment.models import Assessment
from decisions.models import Decision
from lsp_portal.accounts.roles import Role
from registration.demo_files import pdf_bytes
from tests.appeals.conftest import publish
from tests.browser.test_registration_journey import login, logout
from tests.conftest import PASSWORD, make_user
from tests.decisions.conftest import make_member, recommended_case

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REASONS = "Asesor tidak memberi kesempatan menunjukkan portofolio untuk unit pelayanan pelanggan."
FINDING = "Bukti portofolio unit 3 tidak diperiksa; asesi diperlakukan tidak adil."
ANSWER = "Banding diterima. Asesmen diulang dengan asesor lain."


def test_an_upheld_appeal_opens_a_reassessment(
    page,
    shot,
    live_server,
    celery_eager,
    bob,
    staff,
    assessor,
    assessor_profile,
    assessor2,
    assessor2_profile,
    tuk,
    appeal,
    director,
):
    base = live_server.url
    members = [
        make_member(make_user("tt1@example.org", "Tono Teknis", Role.TECHNICAL_TEAM)),
        make_member(make_user("tt2@example.org", "Tari Teknis", Role.TECHNICAL_TEAM)),
    ]
    case = recommended_case(bob, staff, assessor, assessor_profile, tuk, result="BK")
    publish(staff, director, members, [case])
    decision = Decision.objects.get(assessment=case)

    # -- bob files FR-AK-04 within the window ----------------------------------------------------
    login(page, base, bob.email, PASSWORD)
    page.goto(base + "/dashboard/")
    assert page.get_attribute("[data-step=appeal]", "data-state") == "attention"
    page.goto(f"{base}/decisions/mine/{decision.pk}/")
    assert page.is_visible("[data-testid=appeal-deadline]")
    page.click("[data-testid=file-appeal]")
    page.check("input[name=process_explained][value=True]")
    page.check("input[name=discussed_with_assessor][value=True]")
    page.check("input[name=involve_other_person][value=False]")
    page.fill("textarea[name=reasons]", REASONS)
    page.set_input_files(
        "input[name=attachments]",
        files=[
            {"name": "bukti-portofolio.pdf", "mimeType": "application/pdf", "buffer": pdf_bytes()}
        ],
    )
    shot("appeal-1-applicant-files")
    page.click("[data-testid=submit-appeal]")
    page.wait_for_selector("[data-testid=appeal-reference]")
    appeal_row = Appeal.objects.get()
    assert page.inner_text("[data-testid=appeal-reference]") == appeal_row.reference
    assert REASONS in page.inner_text("[data-testid=appeal-reasons]")
    assert "bukti-portofolio.pdf" in page.content()
    shot("appeal-2-applicant-received")
    logout(page)

    # -- staff appoint the appeal team (9.9.4) ------------------------------------------------
    login(page, base, staff.email, PASSWORD)
    page.goto(base + "/appeals/")
    assert page.locator("[data-testid=appeal-row]").count() == 1
    shot("appeal-3-staff-list")
    page.click(f"a:has-text('{appeal_row.reference}')")
    page.select_option("select[name=member]", value=str(appeal.pk))
    page.click("[data-testid=appoint]")
    page.wait_for_selector("[data-testid=appeal-team]")
    assert "Abe Appeal" in page.inner_text("[data-testid=appeal-team]")
    shot("appeal-4-staff-appointed")
    logout(page)

    # -- the member records a finding -----------------------------------------------------------
    login(page, base, appeal.email, PASSWORD)
    assert page.url.endswith("/appeals/")
    page.click(f"a:has-text('{appeal_row.reference}')")
    page.fill("textarea[name=text]", FINDING)
    page.check("input[name=recommendation][value=upheld]")
    shot("appeal-5-member-finding")
    page.click("[data-testid=record-finding]")
    page.wait_for_selector("[data-testid=finding]")
    logout(page)

    # -- the director upholds the appeal (9.9.7, 9.9.8.c-d) ------------------------------------
    login(page, base, director.email, PASSWORD)
    page.goto(f"{base}/appeals/{appeal_row.pk}/")
    assert FINDING in page.inner_text("[data-testid=finding]")
    page.check("input[name=outcome][value=upheld]")
    page.fill("form[action$='/answer/'] textarea[name=reasons]", ANSWER)
    page.check("input[name=confirm]")
    page.click("[data-testid=answer]")
    page.wait_for_selector("[data-testid=answer-letter]")
    shot("appeal-6-director-answered")
    letter = AnswerLetter.objects.get()
    with letter.pdf.open("rb") as handle:
        text = subprocess.run(
            ["pdftotext", "-layout", "-", "-"], input=handle.read(), capture_output=True, check=True
        ).stdout.decode()
    assert letter.number in text and "Bob Applicant" in text and "DITERIMA" in text
    logout(page)

    # -- bob sees the answer and the reassessment ------------------------------------------------
    login(page, base, bob.email, PASSWORD)
    page.goto(f"{base}/appeals/{appeal_row.pk}/")
    assert ANSWER in page.inner_text("[data-testid=appeal-answer]")
    assert page.is_visible("[data-testid=reassessment]")
    response = page.request.get(base + page.get_attribute("[data-testid=answer-letter]", "href"))
    assert response.status == 200 and response.body().startswith(b"%PDF-")
    shot("appeal-7-applicant-answer")
    page.goto(base + "/dashboard/")
    assert page.get_attribute("[data-step=appeal]", "data-state") == "done"
    logout(page)

    # -- staff assign another assessor: attempt 2 -----------------------------------------------
    login(page, base, staff.email, PASSWORD)
    page.goto(f"{base}/appeals/{appeal_row.pk}/")
    page.click("[data-testid=assign-reassessment]")
    assert case.reference in page.inner_text("[data-testid=earlier-attempts]")
    page.select_option("select[name=assessor]", value=str(assessor2_profile.pk))
    shot("appeal-8-staff-assign-reassessment")
    page.click("[data-testid=assign]")
    page.wait_for_load_state()
    attempts = list(
        Assessment.objects.filter(application=case.application)
        .order_by("attempt")
        .values_list("attempt", "assessor__user__email", "is_current")
    )
    assert attempts == [(1, assessor.email, False), (2, assessor2.email, True)]
    page.goto(f"{base}/appeals/{appeal_row.pk}/")
    assert "Andi Assessor" in page.inner_text("[data-testid=reassessment]")
    shot("appeal-9-reassessment-assigned")
