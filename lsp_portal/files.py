"""Private files: their storage, checking uploads by their content (not their name), serving them,
and deleting them again when the transaction that stored them fails. Used by every stage that
stores uploads; which documents a stage needs stays in that stage.

Only PDF, JPEG and PNG are accepted; photos must be images. A renamed executable or HTML page is
refused because its first bytes are not those of a PDF or an image; images must also decode
(Pillow), and an image with more pixels than Pillow's decompression-bomb limit is refused. A PDF
is read with qpdf (pikepdf, lsp_portal/pdfcheck.py), every object of it: one that would run
JavaScript, launch a program, send a form or open another file, or that carries attached files,
rich media or an XFA form is refused ("active"), and so is one qpdf cannot read or that needs more
work than a document does, such as a decompression bomb ("unreadable"), and one that needs a
password to open ("password"). The same check guards FR-APL-01 documents, FR-APL-02 evidence and
appeal attachments.

A stored file keeps the user's name for display only (its stored name is random), with an extension
that matches its content, and is served by `private_file_response`: its checked type, `nosniff`, a
Content-Security-Policy without scripts, and a Content-Disposition the name cannot break out of.
The hostile files this must withstand are in tests/hostile/."""

from __future__ import annotations

import hashlib
import logging
import os
import re
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from urllib.parse import quote

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.storage import Storage, storages
from django.core.files.uploadedfile import UploadedFile
from django.http import FileResponse
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image

from . import pdfcheck

logger = logging.getLogger(__name__)

PDF = "application/pdf"
JPEG = "image/jpeg"
PNG = "image/png"
IMAGE_TYPES = (JPEG, PNG)
ALL_TYPES = (PDF, JPEG, PNG)
EXTENSIONS = {PDF: (".pdf",), JPEG: (".jpg", ".jpeg", ".jpe", ".jfif"), PNG: (".png",)}


def private_storage() -> Storage:
    """Uploads and rendered PDFs never get a public URL; they are served by permission-checked
    views only (`private_file_response`). A callable, so a FileField's storage is looked up when
    used and tests may replace the "private" storage."""
    return storages["private"]


@contextmanager
def delete_stored_files_on_failure() -> Iterator[list[str | None]]:
    """Files saved inside a transaction that then fails would be orphans: the caller appends each
    stored name to the yielded list, and they are deleted again if the block raises."""
    stored: list[str | None] = []
    try:
        yield stored
    except BaseException:
        storage = private_storage()
        for name in stored:
            if name is not None:  # FieldFile.name, set once the file is saved
                storage.delete(name)
        raise


@dataclass(frozen=True)
class CheckedUpload:
    file: File[bytes]
    content_type: str
    size: int
    sha256: str
    original_name: str


def clean_filename(name: str | None, content_type: str | None = None) -> str:
    """A display name safe to show and to put in a Content-Disposition header. With the checked
    `content_type`, a name whose extension does not match it gets the right one appended: a PDF
    uploaded as "bukti.html" downloads as "bukti.html.pdf", never as a page the browser runs."""
    name = unicodedata.normalize("NFC", os.path.basename(str(name).replace("\\", "/")))
    name = "".join(ch for ch in name if ch.isprintable() and ch not in '"<>:/\\|?*')
    name = name.strip(" .") or "dokumen"
    if len(name) > 120:
        stem, ext = os.path.splitext(name)
        name = stem[: 120 - len(ext[:10])] + ext[:10]
    accepted = EXTENSIONS.get(content_type) if content_type else None
    if accepted and os.path.splitext(name)[1].lower() not in accepted:
        name += accepted[0]
    return name


def content_disposition(name: str, *, as_attachment: bool = False) -> str:
    """`inline` or `attachment` with a plain ASCII `filename` every client understands and, when
    the name is not plain ASCII, the exact name as RFC 5987 `filename*`; neither can carry a quote,
    a backslash or a line break into the header."""
    name = clean_filename(name)
    stem, ext = os.path.splitext(name)
    stem = _ascii(stem)
    fallback = (stem if stem.strip(" ._") else "dokumen") + _ascii(ext)
    header = f'{"attachment" if as_attachment else "inline"}; filename="{fallback}"'
    if fallback != name:
        header += f"; filename*=utf-8''{quote(name, safe='')}"
    return header


def _ascii(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Za-z0-9 ._()+-]", "_", text)


def private_file_response(
    field_file: File[bytes], content_type: str, name: str, *, as_attachment: bool = False
) -> FileResponse:
    """Serve a stored upload: only as its checked type, never sniffed, never able to run script
    of this site. Images are also sandboxed; PDFs are not: `sandbox` does not stop the viewer
    from running a PDF's own JavaScript (so check_upload refuses PDFs that have any) and Chrome
    has refused to show PDFs in sandboxed frames (crbug.com/413851)."""
    response = FileResponse(field_file.open("rb"), content_type=content_type)
    response["Content-Disposition"] = content_disposition(name, as_attachment=as_attachment)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    policy = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'"
    response["Content-Security-Policy"] = policy if content_type == PDF else f"{policy}; sandbox"
    return response


def check_upload(uploaded: UploadedFile[bytes], *, images_only: bool = False) -> CheckedUpload:
    """Validate an uploaded file: a CheckedUpload, or ValidationError (nothing stored)."""
    limit = settings.UPLOAD_MAX_BYTES
    size = uploaded.size or 0
    if size == 0:
        raise ValidationError(_("The file is empty."), code="empty")
    if size > limit:
        raise ValidationError(
            _("The file is %(size)s; the largest accepted is %(limit)s.")
            % {"size": filesizeformat(size), "limit": filesizeformat(limit)},
            code="too_large",
        )
    uploaded.seek(0)
    head = uploaded.read(2048)
    uploaded.seek(0)
    kind = filetype.guess(head)
    mime = kind.mime if kind else None
    if head.startswith(b"%PDF-"):
        mime = PDF
    allowed = IMAGE_TYPES if images_only else ALL_TYPES
    if mime is None or mime not in allowed:
        if images_only:
            message = _("This file is not a JPEG or PNG image. Upload a photo as JPEG or PNG.")
        else:
            message = _("This file is not a PDF, JPEG or PNG document. Only these are accepted.")
        raise ValidationError(message, code="type")
    if mime in IMAGE_TYPES:
        _check_image(uploaded, mime)
    elif not _pdf_has_end(uploaded, size):
        raise ValidationError(_("This PDF file is damaged or incomplete."), code="damaged")
    else:
        _check_pdf(uploaded)
    digest = hashlib.sha256()
    for chunk in uploaded.chunks():
        digest.update(chunk)
    uploaded.seek(0)
    return CheckedUpload(
        file=uploaded,
        content_type=mime,
        size=size,
        sha256=digest.hexdigest(),
        original_name=clean_filename(uploaded.name, mime),
    )


def _check_image(uploaded: UploadedFile[bytes], mime: str) -> None:
    expected = {JPEG: "JPEG", PNG: "PNG"}[mime]
    try:
        with Image.open(uploaded) as image:
            if image.format != expected:
                raise ValidationError(_("The image is damaged."), code="damaged")
            width, height = image.size
            limit = Image.MAX_IMAGE_PIXELS  # None: Pillow's check turned off
            if limit is not None and width * height > limit:
                raise Image.DecompressionBombError
            image.verify()
    except ValidationError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ValidationError(_("The image is too large in pixels."), code="bomb") from exc
    except Exception as exc:  # Pillow raises many kinds of errors for a broken file
        raise ValidationError(_("The image is damaged or cannot be read."), code="damaged") from exc
    finally:
        uploaded.seek(0)


def _pdf_has_end(uploaded: UploadedFile[bytes], size: int) -> bool:
    """A real PDF ends with %%EOF within its last kilobyte (possibly followed by whitespace). qpdf
    would rebuild much of a file cut short (an interrupted download); the applicant is better
    told that the file is incomplete."""
    uploaded.seek(max(0, size - 1024))
    tail = uploaded.read()
    uploaded.seek(0)
    return b"%%EOF" in tail


def _check_pdf(uploaded: UploadedFile[bytes]) -> None:
    """Refuse a PDF that could run, send or open something, one that cannot be read, and one
    that needs a password (lsp_portal/pdfcheck.py reads it with qpdf, in a child process)."""
    uploaded.seek(0)
    data = uploaded.read()
    uploaded.seek(0)
    finding = pdfcheck.check(data)
    if finding.verdict == pdfcheck.OK:
        return
    # What was found, for whoever looks into a refusal; not the file's name (personal data).
    logger.info("PDF refused (%s, %d bytes): %s", finding.verdict, len(data), finding.reason)
    if finding.verdict == pdfcheck.ACTIVE:
        message = _(
            "This PDF contains scripts, attached files or actions, which are not accepted. "
            "Print or scan the document to a new PDF and upload that."
        )
    elif finding.verdict == pdfcheck.PASSWORD:
        message = _(
            "This PDF is protected by a password. Save or print it again as a new PDF without a "
            "password and upload that."
        )
    else:
        message = _(
            "This PDF file cannot be read. Save or print it again as a new PDF and upload that."
        )
    raise ValidationError(message, code=finding.verdict)
