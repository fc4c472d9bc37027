"""E-mails about applications, sent by Celery (in-process when no REDIS_URL is set), and the daily
deletion of expired uploads.

Tasks take ids, load fresh data, and are safe to run again: an e-mail that failed to send is
retried."""

from celery import shared_task
from django.conf import settings
from django.urls import reverse

from lsp_portal.accounts.models import User
from lsp_portal.accounts.roles import Role
from lsp_portal.mail import send_templated_email

from .models import Application


def _link(application, view):
    return settings.PORTAL_BASE_URL.rstrip("/") + reverse(view, args=[application.pk])


@shared_task(bind=True, max_retries=5, default_retry_delay=60, soft_time_limit=30, time_limit=60)
def notify_applicant_of_review(self, application_id, status):
    """9.1.6: the applicant is told each review decision (eligible, revision, rejected)."""
    application = Application.objects.select_related("applicant", "scheme").get(pk=application_id)
    context = {
        "application": application,
        "status": status,
        "status_label": Application.Status(status).label,
        "link": _link(application, "registration:application_detail"),
    }
    recipients = {application.applicant.email, application.email} - {""}
    try:
        send_templated_email("registration/email/review_decision", context, sorted(recipients))
    except OSError as exc:  # SMTP server unreachable: try again later
        raise self.retry(exc=exc) from exc


@shared_task(bind=True, max_retries=5, default_retry_delay=60, soft_time_limit=30, time_limit=60)
def notify_staff_submitted(self, application_id):
    """Tell LSP staff that an application is waiting for review (9.1.6)."""
    application = Application.objects.select_related("scheme").get(pk=application_id)
    recipients = sorted(User.objects.with_role(Role.STAFF).values_list("email", flat=True))
    if not recipients:
        return
    context = {
        "application": application,
        "link": _link(application, "registration:review_detail"),
    }
    try:
        send_templated_email("registration/email/submitted", context, recipients)
    except OSError as exc:
        raise self.retry(exc=exc) from exc


@shared_task(soft_time_limit=1800, time_limit=1900)
def delete_expired_files():
    """Run daily by celery beat (CELERY_BEAT_SCHEDULE): the retention rule for uploads
    (services.delete_expired_files). Idempotent, so a missed or repeated day does no harm."""
    from .services import delete_expired_files as delete

    deleted = delete()
    return {"applications": len(deleted), "files": sum(d.count for d in deleted)}
