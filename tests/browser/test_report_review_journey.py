"""FR.AK.05 and FR.AK.06 in the browser: the assessor submits with the report's notes on the case
page, reads the report there, fills the process review's grid and signs it, then sees it
read-only; photographed at 1280 and 768 px (test-artifacts/). The page fixture fails on any CSP
report."""

import pytest

from assessment.models import AssessmentReport, ProcessReview
from tests.browser.conftest import ARTIFACTS
from tests.browser.test_assessment_results import both_widths
from tests.browser.test_registration_journey import login
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ASPECTS = "Positif: asesi runtut menjelaskan alur CRM. Negatif: waktu observasi mepet."
IMPROVE = "Sediakan data latihan CRM yang lebih lengkap."


def test_the_assessor_reports_and_reviews_the_process(page, shot, live_server, assessor, recorded):
    login(page, live_server.url, assessor.email, PASSWORD)
    page.goto(f"{live_server.url}/assessment/{recorded.pk}/")
    page.fill("textarea[name=aspects]", ASPECTS)
    page.fill("textarea[name=improvements]", IMPROVE)
    both_widths(page, shot, "60-ak05-submit-form")
    page.click("[data-testid=submit-recommendation]")
    page.wait_for_selector("[data-testid=ak05]")
    report = page.locator("[data-testid=ak05]")
    assert ASPECTS in report.inner_text()
    assert IMPROVE in report.inner_text()
    saved = AssessmentReport.objects.get(assessment=recorded)
    assert (saved.aspects, saved.improvements, saved.signed_by_id) == (
        ASPECTS,
        IMPROVE,
        assessor.pk,
    )
    both_widths(page, shot, "61-ak05-on-the-case-page")
    report.screenshot(path=str(ARTIFACTS / "61-ak05-card.png"))

    page.click("[data-testid=review-process]")
    page.wait_for_selector("[data-testid=process-review-form]")
    for name in ("plan__valid", "plan__fair", "implementation__reliable", "feedback__flexible"):
        page.check(f"input[name={name}]")
    page.check("input[name=dimensions][value=task]")
    page.fill("textarea[name=recommendations]", "Jeda 15 menit antar-observasi.")
    both_widths(page, shot, "62-ak06-form")
    page.click("[data-testid=sign-process-review]")
    page.wait_for_selector("[data-testid=ak06]")
    review = ProcessReview.objects.get(assessment=recorded)
    assert review.principles["plan"] == ["valid", "fair"]
    assert review.principles["feedback"] == ["flexible"]
    assert review.dimensions == ["task"]
    page.goto(f"{live_server.url}/assessment/{recorded.pk}/process-review/")
    assert page.locator("[data-testid=read-only]").is_visible()
    assert page.locator("[data-testid=process-review-form]").count() == 0
    both_widths(page, shot, "63-ak06-read-only")
    page.locator("[data-testid=ak06]").screenshot(path=str(ARTIFACTS / "63-ak06-card.png"))
