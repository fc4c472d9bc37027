"""PDF documents (minutes, decrees, certificates, appeal answers): one place to render and store.

`render_pdf(template, context)` turns a Django template into PDF bytes with WeasyPrint, using the
shared print stylesheet `templates/pdf/base.html`. `RenderedPDF` is the abstract model of a stored
PDF with its render status, so staff can see "rendering", "ready" or "failed, retrying". Documents
are rendered by Celery tasks and stored once; rendered again only when their content changes.
"""

import hashlib
import json
import logging
import time
from collections.abc import Callable
from typing import Any

from celery import shared_task
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import models, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from .files import private_storage

logger = logging.getLogger(__name__)


_font_config: Any = None


def _fonts() -> Any:
    """One FontConfiguration per process: the font set is read once, not for every document
    (about 20% of a certificate's render time here)."""
    global _font_config
    if _font_config is None:
        from weasyprint.text.fonts import FontConfiguration

        _font_config = FontConfiguration()
    return _font_config


_fetcher_class: Any = None


def _url_fetcher() -> Any:
    """What a document may load: `data:` URLs (the QR codes) and files under the portal's own
    static folders and the system's fonts - nothing over the network, no other file. A value
    placed into a template (a name, a reason) can then not make WeasyPrint fetch an internal URL
    or read a local file into a PDF; a refused resource is left out and logged. A new fetcher
    for each document: WeasyPrint's keeps state between requests."""
    global _fetcher_class
    if _fetcher_class is None:
        from pathlib import Path
        from urllib.parse import unquote, urlsplit

        from weasyprint.urls import URLFetcher

        roots = [Path(p).resolve() for p in (*settings.STATICFILES_DIRS, settings.STATIC_ROOT)]
        roots += [Path(p).resolve() for p in settings.PDF_FONT_DIRS]

        class PortalURLFetcher(URLFetcher):  # type: ignore[misc]  # WeasyPrint has no types
            def fetch(self, url: str, headers: Any = None) -> Any:
                scheme = url.split(":", 1)[0].lower()
                if scheme == "data":
                    return super().fetch(url, headers)
                if scheme == "file":
                    path = Path(unquote(urlsplit(url).path)).resolve()
                    if any(path.is_relative_to(root) for root in roots):
                        return super().fetch(url, headers)
                logger.warning("PDF resource refused: %s", url[:200])
                raise ValueError(f"resource not allowed in a PDF: {url[:200]}")

        _fetcher_class = PortalURLFetcher
    return _fetcher_class(allowed_protocols=("data", "file"), allow_redirects=False)


def render_pdf(template_name: str, context: dict[str, Any]) -> bytes:
    """Render `template_name` with `context` to PDF bytes (in the portal's default language)."""
    from weasyprint import HTML

    started = time.perf_counter()
    with translation.override(settings.LANGUAGE_CODE):
        html = render_to_string(template_name, context)
    document = HTML(string=html, base_url=str(settings.BASE_DIR), url_fetcher=_url_fetcher())
    pdf: bytes = document.write_pdf(font_config=_fonts())
    logger.info(
        "rendered %s: %d bytes in %.0f ms",
        template_name,
        len(pdf),
        (time.perf_counter() - started) * 1000,
    )
    return pdf


def content_hash(data: object) -> str:
    """A stable fingerprint of what a document shows, to skip rendering it twice."""
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()


def pdf_upload_to(instance: "RenderedPDF", filename: str) -> str:
    return f"pdf/{instance._meta.model_name}/{instance.pk}-v{instance.pdf_version}.pdf"


class RenderedPDF(models.Model):
    """A stored PDF and its render status. Subclasses define `pdf_template` and `pdf_context()`."""

    class PDFStatus(models.TextChoices):
        PENDING = "pending", _("Rendering")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Rendering failed")

    pdf = models.FileField(
        storage=private_storage, upload_to=pdf_upload_to, max_length=255, blank=True
    )
    pdf_status = models.CharField(
        _("PDF"), max_length=10, choices=PDFStatus.choices, default=PDFStatus.PENDING
    )
    pdf_error = models.TextField(blank=True)
    pdf_hash = models.CharField(max_length=64, blank=True)
    pdf_version = models.PositiveSmallIntegerField(default=0)
    pdf_rendered_at = models.DateTimeField(null=True, blank=True)
    pdf_render_ms = models.PositiveIntegerField(null=True, blank=True)

    pdf_template: str  # set by each subclass

    class Meta:
        abstract = True

    def pdf_context(self) -> dict[str, Any]:
        raise NotImplementedError

    def pdf_fingerprint(self) -> str:
        return content_hash(self.pdf_context_data())

    def pdf_context_data(self) -> Any:
        """Plain data (no model instances) that fully determines the PDF; hashed to skip renders."""
        raise NotImplementedError


def render_and_store(
    obj: RenderedPDF, context: dict[str, Any] | None = None, fingerprint: str | None = None
) -> bool:
    """Render `obj`'s PDF unless the stored one already shows the same content. Idempotent.

    `context` and `fingerprint` may be passed when several documents show the same data (a
    certificate and its card), so it is computed once.

    The file is written first and the row updated in one short transaction; a failure before that
    leaves the previous PDF and data untouched (the caller retries and marks the failure).
    """
    model = type(obj)
    fingerprint = fingerprint or obj.pdf_fingerprint()
    if obj.pdf_hash == fingerprint and obj.pdf and obj.pdf_status == RenderedPDF.PDFStatus.READY:
        return False
    started = time.perf_counter()
    data = render_pdf(obj.pdf_template, context or obj.pdf_context())
    elapsed = int((time.perf_counter() - started) * 1000)
    with transaction.atomic():
        locked = model._default_manager.select_for_update().get(pk=obj.pk)
        if locked.pdf_hash == fingerprint and locked.pdf_status == RenderedPDF.PDFStatus.READY:
            return False  # another worker stored the same content meanwhile
        old_name = locked.pdf.name
        locked.pdf_version += 1
        locked.pdf.save("document.pdf", ContentFile(data), save=False)
        locked.pdf_hash = fingerprint
        locked.pdf_status = RenderedPDF.PDFStatus.READY
        locked.pdf_error = ""
        locked.pdf_rendered_at = timezone.now()
        locked.pdf_render_ms = elapsed
        locked.save(
            update_fields=[
                "pdf",
                "pdf_hash",
                "pdf_status",
                "pdf_error",
                "pdf_version",
                "pdf_rendered_at",
                "pdf_render_ms",
            ]
        )
        if old_name and old_name != locked.pdf.name:
            storage = private_storage()
            transaction.on_commit(lambda: storage.delete(old_name))
    return True


def pdf_task(func: Callable[..., Any]) -> Any:
    """Decorate the function of a render task: a bound Celery task (its name stays
    `<module>.<function>`, as before), retried 3 times 20 s apart, stopped after 90 s (soft) and
    120 s. Not exclusive: rendering is idempotent (render_and_store), so two runs of the same
    outbox job do no harm. The body calls `render_in_task`."""
    return shared_task(
        bind=True,
        exclusive=False,
        max_retries=3,
        default_retry_delay=20,
        soft_time_limit=90,
        time_limit=120,
    )(func)


def render_in_task(
    task: Any,
    model: type[RenderedPDF],
    pk: int,
    *,
    document: RenderedPDF | None = None,
    context: dict[str, Any] | None = None,
    fingerprint: str | None = None,
) -> None:
    """The body of a bound Celery render task: render and store `model` `pk`; on an error record
    it, retry, and finally give up (the document's data is never touched by a failed render).
    `document`, `context` and `fingerprint` may be given when already loaded or computed (a
    certificate and its card show the same data)."""
    if document is None:
        document = model._default_manager.get(pk=pk)
    try:
        render_and_store(document, context=context, fingerprint=fingerprint)
    except Exception as exc:  # any rendering error: record it, retry, and finally give up
        final = task.request.retries >= task.max_retries
        mark_failed(model, pk, exc, final=final)
        if final:
            raise
        raise task.retry(exc=exc) from exc


def mark_failed(model: type[RenderedPDF], pk: int, error: BaseException, *, final: bool) -> None:
    """Record a render failure so staff see it; `final` when the task gives up retrying."""
    message = f"{type(error).__name__}: {error}"[:1000]
    model._default_manager.filter(pk=pk).update(
        pdf_status=RenderedPDF.PDFStatus.FAILED if final else RenderedPDF.PDFStatus.PENDING,
        pdf_error=message,
    )
