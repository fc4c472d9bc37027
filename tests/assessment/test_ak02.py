"""FR.AK.02, the record of the competency assessment: written with the submission (9.3.5) from
the instruments recorded per unit and the K/BK results, signed by the assessor then and by the
candidate when they sign the result; on the case pages and as a PDF (rendered by Celery)."""

import shutil
import subprocess

import pytest
from django.urls import reverse

from assessment import services
from assessment.inputs import ItemRecordInput
from assessment.instruments.models import InstrumentItem
from assessment.models import Assessment, CompetencyRecord
from assessment.reporting.documents import record_data
from lsp_portal.audit.models import AuditEvent
from tests.browser.conftest import ARTIFACTS
from tests.conftest import run_outbox_jobs
from tests.fixtures_assessment import observe_all, result_values

pytestmark = pytest.mark.django_db

SUBMISSION = {
    "note": "Asesi menguasai sebagian besar unit.",
    "aspects": "",
    "objection": "",
    "improvements": "",
    "notes": "",
    "follow_up": "Ulangi asesmen unit 1 dengan tugas praktik baru.",
    "feedback": "Perdalam penyusunan rencana pemasaran.",
}


def pdf_text(document, name="ak02.pdf"):
    """The PDF's text; a copy is kept in test-artifacts/ to be looked at as an image."""
    document.refresh_from_db()
    assert document.pdf, "no PDF stored"
    ARTIFACTS.mkdir(exist_ok=True)
    shutil.copy(document.pdf.path, ARTIFACTS / name)
    output = subprocess.run(
        ["pdftotext", "-layout", document.pdf.path, "-"],
        capture_output=True,
        check=True,
        text=True,
    ).stdout
    return " ".join(output.split())


@pytest.fixture
def submitted(client, assessor, reviewed):
    """alice's case: unit 1 BK after its oral questions (FR.IA.07) were judged not satisfactory,
    the others observed in full (FR.IA.01) and K; submitted through the page."""
    units = list(reviewed.application.scheme.units.all())
    reviewed.refresh_from_db()
    oral = InstrumentItem.objects.filter(
        bank_id=reviewed.instrument_bank_id, unit=units[0], kind="IA.07"
    )
    services.record_instrument_items(
        assessor, reviewed, units[0], "IA.07", {item: ItemRecordInput(False) for item in oral}
    )
    observe_all(assessor, reviewed, units[1:])
    results = {unit: result_values("K") for unit in units[1:]}
    results[units[0]] = result_values("BK", sufficient=False)
    services.record_results(assessor, reviewed, results)
    client.force_login(assessor)
    response = client.post(reverse("assessment:submit", args=[reviewed.pk]), SUBMISSION)
    assert response.status_code == 302
    client.logout()
    return Assessment.objects.get(pk=reviewed.pk), units


def test_the_submission_writes_fr_ak02_from_the_records(submitted, assessor):
    assessment, units = submitted
    record = CompetencyRecord.objects.get(assessment=assessment)
    assert record.signed_by == assessor and record.signed_at == assessment.submitted_at
    assert record.follow_up == SUBMISSION["follow_up"]
    data = record_data(record)
    assert data["columns"][0] == "Observasi demonstrasi"
    rows = {row["code"]: row for row in data["units"]}
    lisan = data["columns"].index("Pertanyaan lisan")
    observed = data["columns"].index("Observasi demonstrasi")
    assert rows[units[0].code]["ticks"][lisan] and not rows[units[0].code]["ticks"][observed]
    assert rows[units[0].code]["result"] == "BK"
    assert rows[units[1].code]["ticks"][observed] and rows[units[1].code]["result"] == "K"
    assert data["candidate_signed_at"] == ""


def test_the_pdf_is_rendered_and_rendered_again_when_the_candidate_signs(submitted, client, alice):
    assessment, units = submitted
    run_outbox_jobs()
    record = CompetencyRecord.objects.get(assessment=assessment)
    text = pdf_text(record)
    assert "FR.AK.02. REKAMAN ASESMEN KOMPETENSI" in text
    assert units[0].code in text and "Belum Kompeten" in text
    assert SUBMISSION["follow_up"] in text and "Belum ditandatangani" in text
    first_hash = record.pdf_hash
    client.force_login(alice)
    assert client.post(reverse("assessment:sign", args=[assessment.pk])).status_code == 302
    run_outbox_jobs()
    record.refresh_from_db()
    assert record.pdf_hash != first_hash
    assert "Belum ditandatangani" not in pdf_text(record, "ak02-signed.pdf")
    # The candidate reads FR.AK.02 on the case page and downloads it.
    page = client.get(reverse("assessment:detail", args=[assessment.pk])).content.decode()
    assert 'data-testid="ak02"' in page and "Asesi: ditandatangani oleh" in page
    response = client.get(reverse("assessment:record_pdf", args=[assessment.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"


def test_only_the_case_people_and_staff_can_download_fr_ak02(
    submitted, client, staff, assessor2, bob
):
    assessment, _units = submitted
    run_outbox_jobs()
    url = reverse("assessment:record_pdf", args=[assessment.pk])
    client.force_login(staff)
    assert client.get(url).status_code == 200
    for outsider in (assessor2, bob):
        client.force_login(outsider)
        assert client.get(url).status_code in (403, 404)


def test_staff_render_a_failed_pdf_again_and_others_cannot(submitted, client, staff, assessor):
    assessment, _units = submitted
    record = CompetencyRecord.objects.get(assessment=assessment)
    CompetencyRecord.objects.filter(pk=record.pk).update(
        pdf_status=CompetencyRecord.PDFStatus.FAILED, pdf_error="WeasyPrint: timeout"
    )
    url = reverse("assessment:retry_pdf", args=[assessment.pk, "ak02"])
    client.force_login(assessor)
    assert client.post(url).status_code == 403
    client.force_login(staff)
    page = client.get(reverse("assessment:detail", args=[assessment.pk])).content.decode()
    assert 'data-testid="retry-ak02"' in page
    assert client.post(url).status_code == 302
    record.refresh_from_db()
    assert record.pdf_status == CompetencyRecord.PDFStatus.PENDING and record.pdf_error == ""
    assert AuditEvent.objects.for_object(record).filter(action="pdf.retry").exists()
    run_outbox_jobs()
    record.refresh_from_db()
    assert record.pdf_status == CompetencyRecord.PDFStatus.READY and record.pdf
    # A PDF that has not failed is not rendered again.
    response = client.post(url, follow=True)
    assert "PDF ini tidak gagal dibuat" in response.content.decode()
