"""Checking uploaded files by their content, not their name.

Only PDF, JPEG and PNG are accepted; photos must be images. A renamed executable or HTML page is
refused because its first bytes are not those of a PDF or an image; images must also decode
(Pillow), and an image with more pixels than Pillow's decompression-bomb limit is refused."""

import hashlib
import os
import unicodedata
from contextlib import contextmanager
from dataclasses import dataclass

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image

PDF = "application/pdf"
JPEG = "image/jpeg"
PNG = "image/png"
IMAGE_TYPES = (JPEG, PNG)
ALL_TYPES = (PDF, JPEG, PNG)


@contextmanager
def delete_stored_files_on_failure():
    """Files saved inside a transaction that then fails would be orphans: the caller appends each
    stored name to the yielded list, and they are deleted again if the block raises."""
    stored = []
    try:
        yield stored
    except BaseException:
        from django.core.files.storage import storages

        storage = storages["private"]
        for name in stored:
            storage.delete(name)
        raise


@dataclass(frozen=True)
class CheckedUpload:
    file: object
    content_type: str
    size: int
    sha256: str
    original_name: str


def clean_filename(name):
    """A display name safe to show and to put in a Content-Disposition header."""
    name = unicodedata.normalize("NFC", os.path.basename(str(name).replace("\\", "/")))
    name = "".join(ch for ch in name if ch.isprintable() and ch not in '"<>:/\\|?*')
    name = name.strip(" .") or "dokumen"
    if len(name) > 120:
        stem, ext = os.path.splitext(name)
        name = stem[: 120 - len(ext[:10])] + ext[:10]
    return name


def check_upload(uploaded, *, images_only=False):
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
    if mime not in allowed:
        if images_only:
            message = _("This file is not a JPEG or PNG image. Upload a photo as JPEG or PNG.")
        else:
            message = _("This file is not a PDF, JPEG or PNG document. Only these are accepted.")
        raise ValidationError(message, code="type")
    if mime in IMAGE_TYPES:
        _check_image(uploaded, mime)
    elif not _pdf_has_end(uploaded):
        raise ValidationError(_("This PDF file is damaged or incomplete."), code="damaged")
    digest = hashlib.sha256()
    for chunk in uploaded.chunks():
        digest.update(chunk)
    uploaded.seek(0)
    return CheckedUpload(
        file=uploaded,
        content_type=mime,
        size=size,
        sha256=digest.hexdigest(),
        original_name=clean_filename(uploaded.name),
    )


def _check_image(uploaded, mime):
    expected = {JPEG: "JPEG", PNG: "PNG"}[mime]
    try:
        with Image.open(uploaded) as image:
            if image.format != expected:
                raise ValidationError(_("The image is damaged."), code="damaged")
            width, height = image.size
            if width * height > Image.MAX_IMAGE_PIXELS:
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


def _pdf_has_end(uploaded):
    """A real PDF ends with %%EOF within its last kilobyte (possibly followed by whitespace)."""
    uploaded.seek(max(0, uploaded.size - 1024))
    tail = uploaded.read()
    uploaded.seek(0)
    return b"%%EOF" in tail
