"""E-mail from templates: one place for every message the portal sends (from Celery tasks)."""

from collections.abc import Mapping, Sequence
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation


def send_templated_email(
    template_prefix: str,
    context: Mapping[str, Any],
    recipients: Sequence[str],
    *,
    language: str | None = None,
) -> None:
    """Render `<prefix>_subject.txt`, `_body.txt` and `_body.html` and send one message, in
    `language` (the person's, when known) or the portal's default language."""
    with translation.override(language or settings.LANGUAGE_CODE):
        subject = " ".join(render_to_string(f"{template_prefix}_subject.txt", context).split())
        text = render_to_string(f"{template_prefix}_body.txt", context)
        html = render_to_string(f"{template_prefix}_body.html", context)
    message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, recipients)
    message.attach_alternative(html, "text/html")
    message.send()


def portal_url(path: str) -> str:
    """An absolute link for an e-mail (PORTAL_BASE_URL + path)."""
    base: str = settings.PORTAL_BASE_URL
    return base.rstrip("/") + path
