"""Rendering the certificate PDF and its card (idempotent, retried, failures recorded)."""

from celery import shared_task
from django.conf import settings
from django.urls import reverse

from lsp_portal.mail import send_templated_email
from lsp_portal.pdf import content_hash, pdf_task, render_in_task

from .documents import certificate_context, certificate_data
from .models import Certificate, CertificateCard


@pdf_task
def render_certificate(self, certificate_id):
    """Render the certificate (A4 landscape) and its ID-1 card; each is stored once and rendered
    again only when what it shows changed. Both show the same data (and QR code): computed once."""
    certificate = Certificate.objects.select_related("signatory").get(pk=certificate_id)
    data = certificate_data(certificate)
    context = certificate_context(certificate, data)
    fingerprint = content_hash(data)
    for model, pk in (
        (Certificate, certificate_id),
        (CertificateCard, CertificateCard.objects.get(certificate_id=certificate_id).pk),
    ):
        document = certificate if model is Certificate else None
        render_in_task(self, model, pk, document=document, context=context, fingerprint=fingerprint)


@shared_task(bind=True, max_retries=5, default_retry_delay=60, soft_time_limit=30, time_limit=60)
def notify_holder(self, certificate_id, event):
    """Tell the holder of a warning, a freeze, a restoration, a revocation or a reduced scope;
    frozen or revoked: stop using the certificate, and return it when revoked (9.8.4)."""
    certificate = Certificate.objects.select_related("holder").get(pk=certificate_id)
    context = {
        "certificate": certificate,
        "event": event,
        "warning": certificate.warnings.last(),
        "link": settings.PORTAL_BASE_URL.rstrip("/")
        + reverse("certificates:detail", args=[certificate.pk]),
    }
    try:
        send_templated_email("certificates/email/holder_event", context, [certificate.holder.email])
    except OSError as exc:
        raise self.retry(exc=exc) from exc


@shared_task(bind=True, max_retries=5, default_retry_delay=60, soft_time_limit=30, time_limit=60)
def remind_overdue_freeze(self, certificate_id):
    """9.5.4: staff and the director are reminded that a frozen certificate's resolve-by date
    passed: revoke it or reduce its scope."""
    from lsp_portal.accounts.models import User
    from lsp_portal.accounts.roles import Role

    certificate = Certificate.objects.get(pk=certificate_id)
    recipients = sorted(
        set(User.objects.with_role(Role.STAFF).values_list("email", flat=True))
        | set(User.objects.with_role(Role.DIRECTOR).values_list("email", flat=True))
    )
    context = {
        "certificate": certificate,
        "link": settings.PORTAL_BASE_URL.rstrip("/")
        + reverse("certificates:detail", args=[certificate.pk]),
    }
    try:
        send_templated_email("certificates/email/overdue_freeze", context, recipients)
    except OSError as exc:
        raise self.retry(exc=exc) from exc


@shared_task(soft_time_limit=300, time_limit=360)
def daily_certificate_notices():
    """Run daily by celery beat (see CELERY_BEAT_SCHEDULE)."""
    from .services import send_daily_notices

    expiry, reminders = send_daily_notices()
    return {"expiry_notices": expiry, "overdue_reminders": reminders}
