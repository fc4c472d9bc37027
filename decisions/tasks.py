"""Rendering the minutes and decree PDFs, and telling people about meetings and decisions.

Rendering is idempotent (a PDF whose content did not change is not rendered again), retried on
failure, and a failure is recorded on the document so staff see it; the meeting's data is never
touched by a failed render.
"""

from celery import shared_task
from django.conf import settings
from django.urls import reverse

from lsp_portal.mail import send_templated_email
from lsp_portal.pdf import pdf_task, render_in_task

from .models import Decision, Decree, Meeting, Minutes


@pdf_task
def render_minutes_pdf(self, minutes_id):
    render_in_task(self, Minutes, minutes_id)


@pdf_task
def render_decree_pdf(self, decree_id):
    render_in_task(self, Decree, decree_id)


def _link(name, *args):
    return settings.PORTAL_BASE_URL.rstrip("/") + reverse(name, args=args)


@shared_task(bind=True, max_retries=5, default_retry_delay=60, soft_time_limit=30, time_limit=60)
def notify_meeting_planned(self, meeting_id, sent=()):
    """Each invited member gets their own invitation (members do not see each other's address)."""
    meeting = Meeting.objects.get(pk=meeting_id)
    recipients = sorted(meeting.attendances.values_list("member__user__email", flat=True))
    context = {"meeting": meeting, "link": _link("decisions:meeting_detail", meeting.pk)}
    sent = set(sent)
    for recipient in recipients:
        if recipient in sent:
            continue
        try:
            send_templated_email("decisions/email/meeting_planned", context, [recipient])
        except OSError as exc:
            # Retry only the members not yet reached.
            retry_kwargs = {"meeting_id": meeting_id, "sent": sorted(sent)}
            raise self.retry(exc=exc, kwargs=retry_kwargs) from exc
        sent.add(recipient)


@shared_task(bind=True, max_retries=5, default_retry_delay=60, soft_time_limit=30, time_limit=60)
def notify_decision_published(self, decision_id):
    """The applicant learns the decision and that the appeal window has started (9.9.2)."""
    decision = Decision.objects.select_related("assessment__application__applicant").get(
        pk=decision_id
    )
    context = {"decision": decision, "link": _link("decisions:my_decision", decision.pk)}
    try:
        send_templated_email(
            "decisions/email/decision_published",
            context,
            [decision.assessment.application.applicant.email],
        )
    except OSError as exc:
        raise self.retry(exc=exc) from exc
