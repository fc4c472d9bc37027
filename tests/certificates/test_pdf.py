"""The certificate (A4 landscape, 2 pages: front and units) and its card (ID-1), rendered by the
Celery task once the certificate is issued: checked with pdftotext/pdfinfo; the QR code encodes the
public verification URL; stored once and rendered again only when what they show changed."""

import subprocess

import pytest
import segno
from django.conf import settings
from django.utils import translation

from certificates import tasks
from certificates.documents import certificate_context
from certificates.models import Certificate
from lsp_portal.dates import format_date
from lsp_portal.pdf import RenderedPDF, render_and_store
from tests.certificates.conftest import pdf_info, pdf_text

pytestmark = pytest.mark.usefixtures("celery_eager")


def page_size(path):
    """The first page's (width, height) in points, from pdfinfo's "W x H pts" line."""
    width, _, height = pdf_info(path)["Page size"].split()[:3]
    return float(width), float(height)


def test_issuing_renders_the_certificate_and_its_card(rendered):
    for document in (rendered, rendered.card):
        document.refresh_from_db()
        assert document.pdf_status == RenderedPDF.PDFStatus.READY
        assert document.pdf_version == 1
        assert document.pdf_error == ""
        assert document.pdf.read(4) == b"%PDF"


def test_the_certificate_shows_number_holder_scheme_units_and_signatory(rendered, scheme):
    text = pdf_text(rendered.pdf.path)
    assert f"Nomor: {rendered.number}" in text
    assert "Alice Applicant" in text
    assert scheme.name in text
    assert scheme.document_number in text
    codes = list(scheme.units.order_by("number").values_list("code", flat=True))
    assert len(codes) == 15
    assert [code for code in codes if code not in text] == []
    assert "Dr. Ratna Sari, M.M." in text
    assert "Direktur LSP UPJ" in text
    assert rendered.verification_url() in text
    with translation.override(settings.LANGUAGE_CODE):
        valid_until = format_date(rendered.valid_until)
    assert f"Berlaku sampai dengan {valid_until}" in text


def test_the_certificate_is_two_a4_landscape_pages(rendered):
    assert pdf_info(rendered.pdf.path)["Pages"] == "2"
    width, height = page_size(rendered.pdf.path)
    assert width == pytest.approx(841.89, abs=1)
    assert height == pytest.approx(595.28, abs=1)


def test_the_card_is_id1_size_and_shows_number_and_holder(rendered, scheme):
    card = rendered.card
    width, height = page_size(card.pdf.path)
    assert width == pytest.approx(242.6, abs=0.5)
    assert height == pytest.approx(153.0, abs=0.5)
    text = pdf_text(card.pdf.path)
    assert rendered.number in text
    assert "Alice Applicant" in text
    assert scheme.units.first().code in text


def test_the_qr_code_encodes_the_verification_url(issued, settings):
    settings.PORTAL_BASE_URL = "https://sertifikasi.upj.ac.id/"
    url = issued.verification_url()
    assert url == f"https://sertifikasi.upj.ac.id/verify/{issued.token}/"
    expected = segno.make(url, error="m").svg_data_uri(scale=4, border=1)
    assert certificate_context(issued)["qr"] == expected
    assert issued.card.pdf_context()["qr"] == expected


def test_the_qr_code_in_the_pdf_decodes_to_the_verification_url(rendered, tmp_path):
    subprocess.run(
        ["pdftoppm", "-png", "-r", "200", "-f", "1", "-l", "1", rendered.pdf.path, tmp_path / "p"],
        check=True,
    )
    (image,) = tmp_path.glob("p*.png")
    decoded = subprocess.run(
        ["zbarimg", "--raw", "-q", str(image)], capture_output=True, check=True, text=True
    ).stdout.strip()
    assert decoded == rendered.verification_url()


def test_rendering_again_without_a_change_renders_nothing(rendered):
    path, card_path = rendered.pdf.path, rendered.card.pdf.path
    assert render_and_store(Certificate.objects.get(pk=rendered.pk)) is False
    assert render_and_store(rendered.card) is False
    tasks.render_certificate.delay(rendered.pk)  # a retried task
    rendered.refresh_from_db()
    rendered.card.refresh_from_db()
    assert (rendered.pdf_version, rendered.card.pdf_version) == (1, 1)
    assert (rendered.pdf.path, rendered.card.pdf.path) == (path, card_path)


def test_a_changed_content_is_rendered_as_a_new_version(
    rendered, django_capture_on_commit_callbacks
):
    old_path = rendered.pdf.path
    Certificate.objects.filter(pk=rendered.pk).update(holder_name="Alice Applicant Putri")
    with django_capture_on_commit_callbacks(execute=True):
        tasks.render_certificate.delay(rendered.pk)
    rendered.refresh_from_db()
    rendered.card.refresh_from_db()
    assert (rendered.pdf_version, rendered.card.pdf_version) == (2, 2)
    assert "Alice Applicant Putri" in pdf_text(rendered.pdf.path)
    assert "Alice Applicant Putri" in pdf_text(rendered.card.pdf.path)
    assert rendered.pdf.path != old_path
