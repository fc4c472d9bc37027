"""FR.AK.05, the assessor's report to the LSP, written with the submission (9.3.5), and FR.AK.06,
the review of the assessment process after it: through the pages and the services; each as a PDF
for the assessor, staff and the technical team deciding the case (9.4.1-9.4.2)."""

import subprocess

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils.translation import gettext

from assessment import services
from assessment.inputs import ProcessReviewInput, ReportInput
from assessment.models import Assessment, AssessmentReport, ProcessReview
from assessment.reporting.documents import report_data
from lsp_portal import pdf
from lsp_portal.accounts.roles import Role
from lsp_portal.audit.models import AuditEvent
from lsp_portal.errors import RuleError
from tests.conftest import make_user, run_outbox_jobs
from tests.decisions.conftest import make_member, plan
from tests.fixtures_assessment import make_assessor, observe_all, result_values

pytestmark = pytest.mark.django_db

REPORT = {
    "note": "Asesi siap.",
    "aspects": "Positif: asesi menjelaskan alur CRM dengan runtut. Negatif: waktu observasi mepet.",
    "objection": "Asesi tidak menolak hasil asesmen.",
    "improvements": "Sediakan data latihan CRM yang lebih lengkap.",
    "notes": "Asesmen di TUK Kampus UPJ berjalan lancar.",
}
MISSING = "Belum dapat menyusun laporan segmentasi pelanggan secara mandiri."

FULL_REVIEW = ProcessReviewInput(
    principles={
        "plan": ("valid", "reliable", "flexible", "fair"),
        "preparation": ("valid", "fair"),
        "implementation": ("valid", "reliable"),
        "decision": ("valid", "reliable", "fair"),
        "feedback": ("fair",),
    },
    recommendations="Jadwal observasi diberi jeda 15 menit.",
    dimensions=("task", "contingency", "transfer"),
    consistency_recommendations="Bandingkan dengan dua asesmen skema yang sama bulan ini.",
)


def pdf_text(document):
    document.refresh_from_db()
    assert document.pdf, "no PDF stored"
    output = subprocess.run(
        ["pdftotext", document.pdf.path, "-"], capture_output=True, check=True, text=True
    ).stdout
    return " ".join(output.split())


@pytest.fixture
def one_bk(assessor, reviewed):
    """alice's case with every unit K but the first, recorded BK with what was (not) observed."""
    units = list(reviewed.application.scheme.units.all())
    observe_all(assessor, reviewed, units[1:])
    results = {unit: result_values("K") for unit in units[1:]}
    results[units[0]] = result_values("BK", evidence_observed=MISSING, valid=False)
    services.record_results(assessor, reviewed, results)
    return reviewed, units[0]


@pytest.fixture
def submitted_with_report(client, assessor, one_bk):
    assessment, _unit = one_bk
    client.force_login(assessor)
    response = client.post(reverse("assessment:submit", args=[assessment.pk]), REPORT)
    assert response.status_code == 302
    client.logout()
    return Assessment.objects.get(pk=assessment.pk)


def test_submitting_writes_the_report_with_the_notes_signed_by_the_assessor(
    submitted_with_report, assessor
):
    report = AssessmentReport.objects.get(assessment=submitted_with_report)
    assert submitted_with_report.status == Assessment.Status.RECOMMENDED
    assert (report.aspects, report.objection, report.improvements, report.notes) == (
        REPORT["aspects"],
        REPORT["objection"],
        REPORT["improvements"],
        REPORT["notes"],
    )
    assert report.signed_by == assessor
    assert report.signed_at == submitted_with_report.submitted_at
    assert submitted_with_report.recommendation_note == REPORT["note"]


def test_the_report_lists_the_bk_units_with_the_evidence_observed(submitted_with_report, one_bk):
    _assessment, bk_unit = one_bk
    data = report_data(submitted_with_report.report)
    assert data["recommendation"] == "BK"
    assert [(u["code"], u["evidence"]) for u in data["bk_units"]] == [(bk_unit.code, MISSING)]
    assert len(data["units"]) == submitted_with_report.application.scheme.units.count()
    assert {u["result"] for u in data["units"]} == {"K", "BK"}


def test_a_caller_without_notes_still_gets_a_signed_report(assessor, recommended):
    report = AssessmentReport.objects.get(assessment=recommended)
    assert (report.aspects, report.objection, report.improvements, report.notes) == ("",) * 4
    assert report.signed_by == assessor
    assert report_data(report)["recommendation"] == "K"


def test_a_refused_submission_writes_no_report(assessor, reviewed):
    with pytest.raises(RuleError):
        services.submit_recommendation(assessor, reviewed, report=ReportInput(notes="x"))
    assert not AssessmentReport.objects.exists()


def test_the_case_page_shows_the_report_to_the_assessor_and_staff_not_the_applicant(
    client, submitted_with_report, assessor, staff, alice
):
    url = reverse("assessment:detail", args=[submitted_with_report.pk])
    for user in (assessor, staff):
        client.force_login(user)
        page = client.get(url).content.decode()
        assert 'data-testid="ak05"' in page
        assert REPORT["improvements"] in page
        assert MISSING in page
    client.force_login(alice)
    page = client.get(url).content.decode()
    assert 'data-testid="ak05"' not in page
    assert REPORT["improvements"] not in page


def test_the_review_is_refused_before_the_submission(assessor, recorded):
    with pytest.raises(RuleError):
        services.review_process(assessor, recorded, FULL_REVIEW)
    assert not ProcessReview.objects.exists()


def test_another_assessor_may_not_review_the_process(assessor2, scheme, recommended, client):
    make_assessor(assessor2, scheme, "MET.000.005678.2024")
    with pytest.raises(PermissionDenied):
        services.review_process(assessor2, recommended, FULL_REVIEW)
    client.force_login(assessor2)
    url = reverse("assessment:process_review", args=[recommended.pk])
    assert client.get(url).status_code == 404
    assert not ProcessReview.objects.exists()


def test_the_process_is_reviewed_once(assessor, staff, recommended):
    services.review_process(assessor, recommended, FULL_REVIEW)
    with pytest.raises(RuleError):
        services.review_process(staff, recommended, FULL_REVIEW)
    assert ProcessReview.objects.count() == 1


def test_unknown_codes_are_refused(assessor, recommended):
    bad = ProcessReviewInput(principles={"plan": ("valid", "quick")})
    with pytest.raises(RuleError, match="quick"):
        services.review_process(assessor, recommended, bad)
    assert not ProcessReview.objects.exists()


def test_the_review_page_saves_signs_and_then_shows_it_read_only(client, assessor, recommended):
    url = reverse("assessment:process_review", args=[recommended.pk])
    client.force_login(assessor)
    form = client.get(url)
    assert form.status_code == 200
    assert 'data-testid="process-review-form"' in form.content.decode()
    response = client.post(
        url,
        {
            "plan__valid": "on",
            "plan__fair": "on",
            "decision__reliable": "on",
            "dimensions": ["task", "transfer"],
            "recommendations": FULL_REVIEW.recommendations,
            "consistency_recommendations": FULL_REVIEW.consistency_recommendations,
        },
    )
    assert response.status_code == 302
    review = ProcessReview.objects.get(assessment=recommended)
    assert review.principles["plan"] == ["valid", "fair"]
    assert review.principles["decision"] == ["reliable"]
    assert review.principles["feedback"] == []
    assert review.dimensions == ["task", "transfer"]
    assert review.reviewed_by == assessor
    event = AuditEvent.objects.get(action="assessment.process_reviewed")
    assert event.actor == assessor
    page = client.get(url).content.decode()
    assert 'data-testid="read-only"' in page
    assert 'data-testid="process-review-form"' not in page
    assert FULL_REVIEW.recommendations in page
    again = client.post(url, {"plan__valid": "on"})
    assert again.status_code == 400
    review.refresh_from_db()
    assert review.principles["plan"] == ["valid", "fair"]
    detail = client.get(reverse("assessment:detail", args=[recommended.pk])).content.decode()
    assert 'data-testid="ak06"' in detail


def test_staff_review_as_lead_assessor_and_the_applicant_may_not(client, staff, alice, recommended):
    url = reverse("assessment:process_review", args=[recommended.pk])
    client.force_login(alice)
    assert client.get(url).status_code == 403
    client.force_login(staff)
    assert client.post(url, {"feedback__fair": "on"}).status_code == 302
    assert ProcessReview.objects.get().reviewed_by == staff


def test_the_pdfs_show_the_forms_and_download_for_the_assessor_and_staff_only(
    client, submitted_with_report, assessor, staff, alice, one_bk
):
    report = submitted_with_report.report
    pdf.render_and_store(report)
    text = pdf_text(report)
    bk_unit = one_bk[1]
    for expected in (
        "FR.AK.05",
        "LAPORAN ASESMEN",
        submitted_with_report.application.full_name,
        "MET.000.001234.2024",
        "Belum Kompeten",
        bk_unit.code,
        MISSING,
        REPORT["objection"],
        REPORT["improvements"],
        "Pencatatan penolakan hasil asesmen",
    ):
        assert expected in text, expected
    review = services.review_process(assessor, submitted_with_report, FULL_REVIEW)
    pdf.render_and_store(review)
    text = pdf_text(review)
    for expected in (
        "FR.AK.06",
        "MENINJAU PROSES ASESMEN",
        "Rencana asesmen",
        "Reliabel",
        "Fleksibel",
        "Adil",
        "Keterampilan transfer",
        FULL_REVIEW.recommendations,
        FULL_REVIEW.consistency_recommendations,
        "MET.000.001234.2024",
    ):
        assert expected in text, expected
    for name in ("assessment:report_pdf", "assessment:review_pdf"):
        url = reverse(name, args=[submitted_with_report.pk])
        for user in (assessor, staff):
            client.force_login(user)
            response = client.get(url)
            assert response.status_code == 200
            assert b"".join(response.streaming_content).startswith(b"%PDF")
        client.force_login(alice)
        assert client.get(url).status_code == 403


def test_the_technical_team_decides_on_the_report(client, staff, technical, submitted_with_report):
    tono = make_user("technical2@example.org", "Tono Teknis", Role.TECHNICAL_TEAM)
    members = [make_member(technical), make_member(tono, "Praktisi CRM.")]
    meeting = plan(staff, members, [submitted_with_report])
    client.force_login(technical)
    case = reverse("decisions:case", args=[meeting.pk, submitted_with_report.pk])
    page = client.get(case).content.decode()
    assert 'data-testid="ak05"' in page
    assert REPORT["aspects"] in page
    assert MISSING in page
    document = reverse(
        "decisions:case_document", args=[meeting.pk, submitted_with_report.pk, "ak05"]
    )
    assert client.get(document).status_code == 404  # not rendered yet
    pdf.render_and_store(submitted_with_report.report)
    response = client.get(document)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    missing = reverse(
        "decisions:case_document", args=[meeting.pk, submitted_with_report.pk, "ak06"]
    )
    assert client.get(missing).status_code == 404


def test_an_overlong_note_submits_nothing_and_says_why(client, assessor, recorded):
    client.force_login(assessor)
    response = client.post(
        reverse("assessment:submit", args=[recorded.pk]), {**REPORT, "aspects": "x" * 4001}
    )
    assert response.status_code == 302
    recorded.refresh_from_db()
    assert recorded.status == Assessment.Status.EVIDENCE_REVIEWED
    assert not AssessmentReport.objects.exists()
    page = client.get(response["Location"]).content.decode()
    assert gettext("A note is too long; nothing was submitted.") in page


def test_the_submission_queues_the_report_pdf_and_the_worker_renders_it(assessor, recommended):
    assert "assessment.tasks.render_report_pdf" in run_outbox_jobs()
    report = AssessmentReport.objects.get(assessment=recommended)
    assert report.pdf_status == AssessmentReport.PDFStatus.READY
    assert "FR.AK.05" in pdf_text(report)
