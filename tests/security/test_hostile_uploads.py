"""Every file of the hostile corpus (tests/hostile/corpus.py) through every upload a user meets:
FR-APL-01 documents, FR-APL-02 evidence and FR-AK-04 appeal attachments.

Each upload is posted as a browser or curl would send it (its own multipart body, so that names
with quotes, NUL or CR/LF travel exactly: RFC 2231 `filename*`). A refused file gets its clear
message in Indonesian and leaves no row and no file; a stored one keeps a cleaned display name
under a random storage name and comes back as PDF/JPEG/PNG, `nosniff`, without script (CSP), with
a Content-Disposition that neither breaks nor adds a header. No upload gives a 5xx.

The fixtures of the appeal stage live in tests/appeals/conftest.py and are visible only there: the
helpers are imported and `bk_decision` (with what it needs) is declared again here.
"""

import os
import re
import unicodedata
import zlib
from urllib.parse import quote, unquote

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext

from appeals.models import Appeal, Attachment
from decisions.models import Decision
from lsp_portal.accounts.roles import Role
from lsp_portal.files import check_upload, content_disposition
from registration import apl02
from registration.demo_files import pdf_bytes
from registration.models import Document, SelfAssessment
from tests.appeals.conftest import FORM, publish
from tests.conftest import make_user
from tests.decisions.conftest import make_member, recommended_case
from tests.hostile.corpus import CORPUS, MESSAGES, PDF

ENDPOINTS = ("documents", "self_assessment", "appeal")
BOUNDARY = "----lsp-hostile-corpus-7MA4YWxkTrZu0gW"
STORED_NAME = re.compile(r"^(applications/[0-9a-f-]{36}|appeals/\d+)/[0-9a-f]{32}\.(pdf|jpg|png)$")
DISPOSITION = re.compile(
    r'^(inline|attachment); filename="([A-Za-z0-9 ._()+-]+)"'
    r"(?:; filename\*=utf-8''([A-Za-z0-9%._~-]+))?$"
)
# The FR-APL-02 upload is a plain FileField: Django refuses a 0-byte file before check_upload does.
DJANGO_EMPTY = "The submitted file is empty."


# ---------------------------------------------------------------------------------------------
# The appeal stage: bob's published Belum Kompeten decision (as in tests/appeals/conftest.py)
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def technical2(db):
    return make_user("technical2@example.org", "Tono Teknis", Role.TECHNICAL_TEAM)


@pytest.fixture
def bk_decision(bob, staff, director, technical, technical2, assessor, assessor_profile, tuk):
    members = [make_member(technical), make_member(technical2, "Praktisi CRM.")]
    case = recommended_case(bob, staff, assessor, assessor_profile, tuk, result="BK")
    publish(staff, director, members, [case])
    return Decision.objects.get(assessment=case)


# ---------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------


def multipart(fields, file_field, name, content):
    """A multipart/form-data body as a browser sends it; a name a quoted string cannot carry
    (quote, backslash, control characters) is sent RFC 2231-encoded, as curl can."""
    if name.isprintable() and not set(name) & {'"', "\\"}:
        param = f'filename="{name}"'
    else:
        param = f"filename*=UTF-8''{quote(name, safe='')}"
    parts = []
    for key, value in fields.items():
        header = f'Content-Disposition: form-data; name="{key}"'
        parts.append(f"--{BOUNDARY}\r\n{header}\r\n\r\n{value}\r\n".encode())
    parts.append(
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{file_field}"; {param}\r\n'
        f"Content-Type: application/octet-stream\r\n\r\n".encode()
        + content
        + b"\r\n"
    )
    parts.append(f"--{BOUNDARY}--\r\n".encode())
    return b"".join(parts)


def media_files():
    root = settings.MEDIA_ROOT
    return {
        os.path.relpath(os.path.join(folder, name), root)
        for folder, _dirs, names in os.walk(root)
        for name in names
    }


def rows():
    return {
        model.__name__: set(model.objects.values_list("pk", flat=True))
        for model in (Document, SelfAssessment, Appeal, Attachment)
    }


def indonesian(message):
    with translation.override("id"):
        return gettext(message)


def expected_message(item, endpoint, size):
    if item.refused == "empty" and endpoint == "self_assessment":
        msgid = DJANGO_EMPTY
    else:
        msgid = MESSAGES[item.refused]
    message = indonesian(msgid)
    assert message != msgid, f"no Indonesian translation of {msgid!r}"
    if item.refused == "too_large":
        with translation.override("id"):
            message %= {
                "size": filesizeformat(size),
                "limit": filesizeformat(settings.UPLOAD_MAX_BYTES),
            }
    return message


class Target:
    """One upload endpoint: where to post, as whom, and where the result shows."""

    def __init__(self, request, endpoint):
        self.endpoint = endpoint
        if endpoint == "appeal":
            self.user = request.getfixturevalue("bob")
            decision = request.getfixturevalue("bk_decision")
            self.url = reverse("appeals:file", args=[decision.pk])
            self.fields = FORM
            self.file_field = "attachments"
        else:
            self.user = request.getfixturevalue("alice")
            draft = request.getfixturevalue("draft")
            self.documents_url = reverse("registration:application_documents", args=[draft.pk])
            if endpoint == "documents":
                self.url = self.documents_url
                ktp = draft.scheme.required_documents.get(code="ktp")
                self.fields = {"requirement": ktp.pk}
                self.file_field = "file"
            else:
                self.element = apl02.answer_keys(draft)[0]  # the pinned standard's first element
                prefix = apl02.form_prefix(self.element)
                self.url = reverse("registration:application_self_assessment", args=[draft.pk])
                self.fields = {f"{prefix}-answer": "K", f"{prefix}-note": "Bukti"}
                self.file_field = f"{prefix}-upload"

    def post(self, client, name, content):
        body = multipart(self.fields, self.file_field, name, content)
        return client.generic(
            "POST", self.url, body, content_type=f"multipart/form-data; boundary={BOUNDARY}"
        )

    def errors(self, response):
        if self.endpoint == "self_assessment":
            form = next(
                f for u in response.context["units"] for f in u.forms if f.key == self.element
            )
            return form.errors.get("upload", [])
        return response.context["form"].errors.get(self.file_field, [])

    def stored(self):
        """The stored object, the pages that list it, and the URLs that serve it."""
        if self.endpoint == "appeal":
            item = Attachment.objects.get()
            url = reverse("appeals:attachment", args=[item.appeal_id, item.pk])
            return item, reverse("appeals:detail", args=[item.appeal_id]), [(url, "inline")]
        item = Document.objects.get()
        if self.endpoint == "self_assessment":
            assert SelfAssessment.objects.get(element=self.element).evidence == item
        url = reverse("registration:document_file", args=[item.pk])
        return item, self.documents_url, [(url, "inline"), (url + "?download", "attachment")]


def assert_served_safely(response, item, stored, content, disposition):
    assert response.status_code == 200
    assert response["Content-Type"] == item.content_type == stored.content_type
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    policy = [d.strip() for d in response["Content-Security-Policy"].split(";")]
    assert "default-src 'none'" in policy
    assert not [d for d in policy if d.startswith(("script-src", "object-src", "frame-src"))]
    if item.content_type != PDF:
        assert "sandbox" in policy
    match = DISPOSITION.match(response["Content-Disposition"])
    assert match, response["Content-Disposition"]
    kind, fallback, encoded = match.groups()
    assert kind == disposition
    assert (unquote(encoded, errors="strict") if encoded else fallback) == item.display_name
    # The name cannot end the header or add one: every header is one line, none is injected.
    for header, value in response.items():
        assert not set(value) & {"\r", "\n", "\x00"}, header
    assert "Set-Cookie" not in response and "X-Injected" not in response
    assert len(response.serialize_headers().split(b"\r\n")) == len(response.headers)
    assert b"".join(response.streaming_content) == content


# ---------------------------------------------------------------------------------------------
# Tests
# ---------------------------------------------------------------------------------------------


def test_the_corpus_is_complete():
    assert len(CORPUS) >= 22
    assert len({item.id for item in CORPUS}) == len(CORPUS)
    files = {item.source for item in CORPUS if not item.source.startswith("generated:")}
    on_disk = set(os.listdir(os.path.join(os.path.dirname(__file__), "..", "hostile", "files")))
    assert files == on_disk
    assert all(item.refused in MESSAGES for item in CORPUS if not item.stored)
    assert all(item.content_type and item.display_name for item in CORPUS if item.stored)


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize("item", CORPUS, ids=[item.id for item in CORPUS])
def test_hostile_upload_is_refused_or_stored_harmlessly(db, request, login, item, endpoint):
    target = Target(request, endpoint)
    client = login(target.user)
    content = item.content(settings.UPLOAD_MAX_BYTES)
    before_rows, before_files = rows(), media_files()

    response = target.post(client, item.upload_name, content)

    assert response.status_code < 500
    if not item.stored:
        message = expected_message(item, endpoint, len(content))
        assert response.status_code in (200, 400)
        assert any(message in str(error) for error in target.errors(response))
        html = response.content.decode()
        assert escape(message) in html
        if "<" in item.upload_name:
            assert item.upload_name not in html
        assert rows() == before_rows
        assert media_files() == before_files
        return

    assert response.status_code == 302, target.errors(response)
    stored, page, served = target.stored()
    assert stored.original_name == item.display_name
    assert stored.content_type == item.content_type
    assert stored.size == len(content)
    assert STORED_NAME.match(stored.file.name), stored.file.name
    assert media_files() == before_files | {stored.file.name}
    html = client.get(page).content.decode()
    assert escape(item.display_name) in html
    if "<" in item.upload_name:
        assert item.upload_name not in html
    for url, disposition in served:
        assert_served_safely(client.get(url), item, stored, content, disposition)


@pytest.mark.parametrize("item", CORPUS, ids=[item.id for item in CORPUS])
def test_a_name_that_skips_the_http_parser_is_cleaned_too(item):
    """Services, the demo command and the admin give check_upload names Django's multipart parser
    never saw (it already drops control characters): the display name is cleaned the same way."""
    name = check_upload(SimpleUploadedFile(item.upload_name, pdf_bytes())).original_name
    assert name.isprintable()
    assert name == unicodedata.normalize("NFC", name)
    assert not set(name) & set('/\\"<>:|?*')
    assert len(name) <= 125 and name.endswith(".pdf")
    header = content_disposition(name, as_attachment=True)
    assert DISPOSITION.match(header), header


def test_a_pdf_with_object_streams_and_links_but_no_script_is_accepted():
    """What the portal's own letters look like (WeasyPrint: PDF 1.7, object streams, links): an
    applicant attaching their decision letter to an appeal must not be refused."""
    import weasyprint

    html = '<h1>Surat</h1><p><a href="https://lsp.example/verifikasi">Verifikasi</a></p>' * 50
    content = weasyprint.HTML(string=html).write_pdf()
    assert b"/ObjStm" in content
    assert check_upload(SimpleUploadedFile("surat.pdf", content)).content_type == PDF


def test_an_object_stream_too_big_to_read_is_refused_as_unreadable():
    """An object stream inflating past qpdf's limit of 64 MB could hide a script behind it: the
    file cannot be read within bounds, and is refused."""
    bomb = zlib.compress(b" " * (65 * 1024 * 1024), 9)
    content = (
        b"%PDF-1.5\n1 0 obj\n<< /Type /ObjStm /N 1 /First 4 /Filter /FlateDecode >>\nstream\n"
        + bomb
        + b"\nendstream\nendobj\n%%EOF\n"
    )
    with pytest.raises(ValidationError) as refused:
        check_upload(SimpleUploadedFile("formulir.pdf", content))
    assert refused.value.code == "unreadable"


def test_the_decree_the_portal_renders_can_be_attached_to_an_appeal(request, login, bob):
    """The applicant attaches the decree (SK) of the decision they appeal: a PDF that WeasyPrint
    renders from the portal's own template (object streams, fonts, links) is stored."""
    from lsp_portal.pdf import render_pdf

    decision = request.getfixturevalue("bk_decision")
    decree = decision.meeting.minutes.decree
    content = render_pdf(decree.pdf_template, decree.pdf_context())
    assert content.startswith(b"%PDF-") and b"/ObjStm" in content
    target = Target(request, "appeal")
    response = target.post(login(bob), "SK-keputusan.pdf", content)
    assert response.status_code == 302, target.errors(response)
    attachment = Attachment.objects.get()
    assert attachment.content_type == PDF
    assert attachment.file.read() == content
