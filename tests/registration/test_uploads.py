"""Uploads are checked by content and size; a refused upload leaves no file and no row."""

import io
import multiprocessing
import os
import threading
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from lsp_portal import pdfcheck
from lsp_portal.files import PDF, check_upload
from registration import apl02, services
from registration.demo_files import image_bytes, pdf_bytes
from registration.models import Document
from tests.conftest import pdf_upload

HOSTILE = Path(__file__).parent.parent / "hostile" / "files"


def stored_files():
    root = settings.MEDIA_ROOT
    return [os.path.join(d, f) for d, _, files in os.walk(root) for f in files]


def upload(client, application, requirement, name, content):
    return client.post(
        reverse("registration:application_documents", args=[application.pk]),
        {"requirement": requirement.pk, "file": SimpleUploadedFile(name, content)},
    )


@pytest.fixture
def ktp(scheme):
    return scheme.required_documents.get(code="ktp")


@pytest.fixture
def photo(scheme):
    return scheme.required_documents.get(code="pasfoto")


def test_pdf_is_stored_privately_under_a_random_name(login, alice, draft, ktp):
    response = upload(login(alice), draft, ktp, "KTP saya.pdf", pdf_bytes())
    assert response.status_code == 302
    document = Document.objects.get()
    assert document.original_name == "KTP saya.pdf"
    assert document.content_type == "application/pdf"
    assert "KTP" not in document.file.name
    assert stored_files() == [os.path.join(settings.MEDIA_ROOT, document.file.name)]


@pytest.mark.parametrize(
    "name,content",
    [
        ("ktp.pdf", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200),  # a Windows executable
        ("ktp.pdf", b"<html><script>alert(1)</script></html>"),
        ("ktp.png", b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>"),
        ("ktp.pdf", b"PK\x03\x04" + b"\x00" * 100),  # a zip
        ("ktp.pdf", b"%PDF-1.4\n1 0 obj\n"),  # truncated: no %%EOF
    ],
)
def test_files_that_are_not_pdf_or_image_are_refused(login, alice, draft, ktp, name, content):
    response = upload(login(alice), draft, ktp, name, content)
    assert response.status_code == 400
    html = response.content.decode()
    assert "Berkas tidak berhasil diunggah" in html
    assert not Document.objects.exists()
    assert stored_files() == []


def test_empty_file_is_refused(login, alice, draft, ktp):
    response = upload(login(alice), draft, ktp, "ktp.pdf", b"")
    assert response.status_code == 400
    assert not Document.objects.exists()
    assert stored_files() == []


def test_file_over_the_limit_is_refused_with_the_limit_named(login, alice, draft, ktp, settings):
    settings.UPLOAD_MAX_BYTES = 2000
    content = pdf_bytes() + b" " * 2000
    response = upload(login(alice), draft, ktp, "ktp.pdf", content)
    assert response.status_code == 400
    assert "2,0" in response.content.decode()
    assert not Document.objects.exists()
    assert stored_files() == []


def test_file_exactly_at_the_limit_is_accepted(login, alice, draft, ktp, settings):
    content = pdf_bytes()
    settings.UPLOAD_MAX_BYTES = len(content)
    assert upload(login(alice), draft, ktp, "ktp.pdf", content).status_code == 302


def test_photo_must_be_an_image(login, alice, draft, photo):
    response = upload(login(alice), draft, photo, "foto.pdf", pdf_bytes())
    assert response.status_code == 400
    assert "JPEG atau PNG" in response.content.decode()
    assert not Document.objects.exists()


def test_three_photos_and_no_fourth(login, alice, draft, photo):
    client = login(alice)
    for i in range(3):
        assert upload(client, draft, photo, f"foto{i}.jpg", image_bytes("JPEG")).status_code == 302
    response = upload(client, draft, photo, "foto4.png", image_bytes("PNG"))
    assert response.status_code == 400
    assert draft.documents.filter(requirement=photo).count() == 3
    assert len(stored_files()) == 3


def test_decompression_bomb_image_is_refused(login, alice, draft, photo):
    buffer = io.BytesIO()
    Image.new("1", (20000, 20000)).save(buffer, format="PNG")
    response = upload(login(alice), draft, photo, "foto.png", buffer.getvalue())
    assert response.status_code == 400
    assert not Document.objects.exists()


def test_traversal_file_name_is_kept_only_as_a_display_name(login, alice, draft, ktp):
    upload(login(alice), draft, ktp, "../../etc/passwd.pdf", pdf_bytes())
    document = Document.objects.get()
    assert document.original_name == "passwd.pdf"
    assert ".." not in document.file.name


def test_storage_is_cleaned_when_the_transaction_fails(alice, draft, ktp, monkeypatch):
    def broken_record(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(services, "record", broken_record)
    with pytest.raises(RuntimeError):
        services.upload_document(alice, draft, ktp, check_upload(pdf_upload()))
    assert not Document.objects.exists()
    assert stored_files() == []


def test_removing_a_document_deletes_its_file(
    login, alice, draft, ktp, django_capture_on_commit_callbacks
):
    client = login(alice)
    upload(client, draft, ktp, "ktp.pdf", pdf_bytes())
    document = Document.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("registration:document_delete", args=[draft.pk, document.pk]))
    assert not Document.objects.exists()
    assert stored_files() == []


def test_document_is_served_inline_with_safe_headers(login, alice, draft, ktp):
    client = login(alice)
    upload(client, draft, ktp, "KTP saya.pdf", pdf_bytes())
    document = Document.objects.get()
    response = client.get(reverse("registration:document_file", args=[document.pk]))
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content).startswith(b"%PDF-")


def test_self_assessment_evidence_upload_and_bad_file(login, alice, complete_draft, scheme):
    # The first element of the first unit, in the standard pinned to the application.
    element = apl02.answer_keys(complete_draft)[0]
    prefix = apl02.form_prefix(element)
    before = Document.objects.count()
    response = login(alice).post(
        reverse("registration:application_self_assessment", args=[complete_draft.pk]),
        {
            f"{prefix}-answer": "K",
            f"{prefix}-upload": SimpleUploadedFile("bukti.exe", b"MZ\x90\x00" * 50),
        },
    )
    assert response.status_code == 400
    assert Document.objects.count() == before
    response = login(alice).post(
        reverse("registration:application_self_assessment", args=[complete_draft.pk]),
        {
            f"{prefix}-answer": "K",
            f"{prefix}-note": "Sertifikat pelatihan",
            f"{prefix}-upload": SimpleUploadedFile("bukti.pdf", pdf_bytes("Bukti")),
        },
    )
    assert response.status_code == 302
    answer = complete_draft.self_assessments.get(element=element)
    assert answer.evidence.original_name == "bukti.pdf"
    assert answer.evidence.requirement is None
    assert answer.note == "Sertifikat pelatihan"


def test_upload_form_preselects_the_next_missing_document(login, alice, draft, ktp, scheme):
    client = login(alice)
    url = reverse("registration:application_documents", args=[draft.pk])
    assert f'<option value="{ktp.pk}" selected>' in client.get(url).content.decode()
    upload(client, draft, ktp, "ktp.pdf", pdf_bytes())
    ktm = scheme.required_documents.get(code="ktm")
    assert f'<option value="{ktm.pk}" selected>' in client.get(url).content.decode()


# ---------------------------------------------------------------------------------------------
# The PDF reader (lsp_portal/pdfcheck.py) runs in a child process: whatever becomes of it, the
# file is refused, never stored and never a 500
# ---------------------------------------------------------------------------------------------


def _dies(connection, data):
    os._exit(9)  # as the kernel ends a process over its memory limit, or qpdf crashing


def _hangs(connection, data):
    threading.Event().wait()  # never answers


@pytest.mark.parametrize("child", [_dies, _hangs], ids=["dies", "hangs"])
def test_a_pdf_the_reader_cannot_finish_is_refused_as_unreadable(
    login, alice, draft, ktp, monkeypatch, child
):
    monkeypatch.setattr(pdfcheck, "_child", child)
    monkeypatch.setattr(pdfcheck, "SECONDS", 0.5)
    response = upload(login(alice), draft, ktp, "ktp.pdf", pdf_bytes())
    assert response.status_code == 400
    assert "tidak dapat dibaca" in response.content.decode()
    assert not Document.objects.exists()
    assert stored_files() == []
    assert not multiprocessing.active_children()  # the hung reader was stopped and reaped


def test_the_pdfs_of_the_demo_data_and_the_load_benchmark_are_accepted():
    """registration.demo and bench/load_applications.py upload demo_files.pdf_bytes."""
    for text in ("Fotokopi KTP - Sari Wulandari", "Sertifikat pelatihan - pemohon 17", "é ü"):
        assert check_upload(SimpleUploadedFile("a.pdf", pdf_bytes(text))).content_type == PDF


def test_a_pdf_with_an_owner_password_only_is_read_and_its_script_found():
    """Encrypted with an empty user password, a PDF opens without asking, so it is decrypted and
    checked like any other: the script in its encrypted object stream is found."""
    content = (HOSTILE / "pdf-js-encrypted-aes256.pdf").read_bytes()
    assert pdfcheck.check(content) == pdfcheck.Finding(pdfcheck.ACTIVE, "/JS in object 6 0")
    benign = (HOSTILE / "pdf-owner-password-only.pdf").read_bytes()
    assert pdfcheck.check(benign).verdict == pdfcheck.OK


def test_a_refused_pdf_is_logged_with_what_was_found_and_not_its_name(caplog):
    content = (HOSTILE / "pdf-js-objstm-flate-flate.pdf").read_bytes()
    with caplog.at_level("INFO", logger="lsp_portal.files"):
        with pytest.raises(ValidationError):
            check_upload(SimpleUploadedFile("KTP_Alice_3174015201020001.pdf", content))
    assert "PDF refused (active, 816 bytes): /JS in object 6 0" in caplog.text
    assert "Alice" not in caplog.text


def test_additional_actions_are_refused_unless_the_dictionary_is_empty():
    """/AA fires on its own (page open, field focus): refused whatever the action, but an empty
    one, as some writers leave it, holds nothing to run."""
    from tests.hostile.make_pdfs import Writer

    empty = Writer().page_document(page=b"/AA << >>").build()
    assert pdfcheck.check(empty).verdict == pdfcheck.OK
    go_to = Writer().page_document(page=b"/AA << /O << /S /GoTo /D [3 0 R /Fit] >> >>").build()
    assert pdfcheck.check(go_to) == pdfcheck.Finding(pdfcheck.ACTIVE, "/AA in object 3 0")
