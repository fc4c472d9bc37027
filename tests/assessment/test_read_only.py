"""A locked record reads as a document (9.3.5 and the steps before it): the pages of an assessment
whose step has passed offer no form that posts to a change of it, and no input at all; each says
why it is locked and since when. The page of an open step still has its form."""

import lxml.html
import pytest
from django.urls import reverse
from django.utils import formats, timezone

from assessment import services
from assessment.inputs import FeedbackAnswer
from tests.fixtures_assessment import reviews
from tests.security.test_locked_pages import loose_controls, state_changing_forms

pytestmark = pytest.mark.django_db


def get(client, name, assessment):
    url = reverse(name, args=[assessment.pk])
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    return url, html, lxml.html.fromstring(html)


def assert_read_only(client, name, assessment, *, since=None):
    """No form posting to a state change (the kernel's language switch and log-out aside) and
    nothing to fill in or press in <main>: the helpers of tests/security/test_locked_pages.py."""
    url, html, document = get(client, name, assessment)
    assert state_changing_forms(html, url) == []
    assert loose_controls(html, url) == []
    (main,) = document.xpath("//main")
    if name != "assessment:detail":
        (notice,) = main.xpath('.//*[@data-testid="read-only"]')
        if since is not None:
            shown = formats.date_format(timezone.localtime(since), "DATETIME_FORMAT")
            assert shown in notice.text_content()
    return main


def assert_editable(client, name, assessment):
    url, html, document = get(client, name, assessment)
    assert name in [form.route for form in state_changing_forms(html, url)]
    (main,) = document.xpath("//main")
    assert main.xpath(".//input[not(@type='hidden')] | .//select | .//textarea")
    assert not main.xpath('.//*[@data-testid="read-only"]')


@pytest.mark.parametrize(
    "name",
    [
        "assessment:plan",
        "assessment:adjustment",
        "assessment:evidence",
        "assessment:results",
        "assessment:detail",
    ],
)
def test_after_submission_the_assessors_pages_are_documents(login, assessor, recommended, name):
    assert_read_only(login(assessor), name, recommended, since=recommended.submitted_at)


def test_after_submission_the_results_page_shows_the_values_as_text(login, assessor, recommended):
    main = assert_read_only(login(assessor), "assessment:results", recommended)
    rows = main.xpath('.//*[@data-testid="results-document"]//tbody/tr')
    assert len(rows) == 15
    assert {r.xpath("string(.//td[last()])").strip() for r in rows} == {"K"}
    assert "Mendemonstrasikan pengelolaan data pelanggan" in rows[0].text_content()


@pytest.mark.parametrize("name", ["assessment:detail", "assessment:reassign"])
def test_after_submission_the_staff_pages_are_documents(login, staff, recommended, name):
    main = assert_read_only(login(staff), name, recommended)
    assert not main.xpath(f'.//a[@href="{reverse("assessment:reassign", args=[recommended.pk])}"]')


def test_once_a_result_is_recorded_the_reassign_page_is_a_document(login, staff, recorded):
    main = assert_read_only(login(staff), "assessment:reassign", recorded)
    assert "Ana Assessor" in main.text_content()


def test_an_agreed_plan_is_a_document_and_names_both_agreements(login, assessor, agreed):
    agreed.refresh_from_db()
    main = assert_read_only(
        login(assessor), "assessment:plan", agreed, since=agreed.assessor_agreed_at
    )
    assert len(main.xpath('.//*[@data-testid="plan-document"]//tbody/tr')) == 15


def test_a_recorded_evidence_review_is_a_document(login, assessor, reviewed):
    reviewed.refresh_from_db()
    main = assert_read_only(
        login(assessor), "assessment:evidence", reviewed, since=reviewed.evidence_reviewed_at
    )
    assert main.xpath('.//*[@data-testid="proceed-outcome"]')
    assert_read_only(login(assessor), "assessment:plan", reviewed)


def test_no_results_page_to_fill_when_not_recommended_for_the_test(login, assessor, agreed):
    services.review_evidence(assessor, agreed, reviews(agreed), proceed=False, reason="Kurang")
    assert_read_only(login(assessor), "assessment:results", agreed)


def test_the_applicants_pages_once_signed_and_feedback_given_are_documents(
    login, alice, recommended
):
    services.sign_result(alice, recommended)
    answers = [FeedbackAnswer(yes=True)] * 10
    feedback = services.give_feedback(alice, recommended, answers=answers, comment="Jelas")
    client = login(alice)
    assert_read_only(client, "assessment:detail", recommended)
    main = assert_read_only(client, "assessment:feedback", recommended, since=feedback.submitted_at)
    assert "Jelas" in main.text_content()


@pytest.mark.parametrize(
    "name,stage",
    [
        ("assessment:plan", "declared"),
        ("assessment:evidence", "agreed"),
        ("assessment:results", "reviewed"),
    ],
)
def test_the_page_of_an_open_step_still_has_its_form(login, assessor, request, name, stage):
    assert_editable(login(assessor), name, request.getfixturevalue(stage))


def test_the_feedback_page_before_feedback_still_has_its_form(login, alice, recommended):
    assert_editable(login(alice), "assessment:feedback", recommended)


def test_the_reassign_page_before_any_result_still_has_its_form(login, staff, reviewed):
    assert_editable(login(staff), "assessment:reassign", reviewed)
