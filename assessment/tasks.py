"""E-mails that tell the applicant, the assessor or staff that it is their turn, and the
FR.MAPA.01 / FR.AK.01 PDFs (idempotent, retried, failures recorded)."""

from celery import shared_task
from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from lsp_portal.accounts.models import User
from lsp_portal.accounts.roles import Role
from lsp_portal.mail import send_templated_email
from lsp_portal.pdf import pdf_task, render_in_task

from .models import Assessment, PlanDocument
from .reporting.models import AssessmentReport, CompetencyRecord, ProcessReview

# event -> (who is told, what it says)
EVENTS = {
    "assigned": (
        "assessor",
        _(
            "You have been assigned as assessor. "
            "Declare your impartiality and set the assessment plan."
        ),
    ),
    "plan_ready": (
        "applicant",
        _("Your assessor has set the assessment plan. Read it and agree to it."),
    ),
    "plan_agreed": (
        "assessor",
        _("The assessment plan has been agreed by both parties. Review the evidence."),
    ),
    "evidence_reviewed": ("applicant", _("Your assessor has reviewed your evidence.")),
    "submitted": ("applicant+staff", _("The assessment result has been submitted to the LSP.")),
}


@shared_task(bind=True, max_retries=5, default_retry_delay=60, soft_time_limit=30, time_limit=60)
def notify_assessment_event(self, assessment_id, event):
    assessment = Assessment.objects.select_related(
        "application__applicant", "application__scheme", "assessor__user"
    ).get(pk=assessment_id)
    audience, message = EVENTS[event]
    recipients = set()
    if "applicant" in audience:
        recipients.add(assessment.application.applicant.email)
    if "assessor" in audience:
        recipients.add(assessment.assessor.user.email)
    if "staff" in audience:
        recipients.update(User.objects.with_role(Role.STAFF).values_list("email", flat=True))
    context = {
        "assessment": assessment,
        "message": message,
        "event": event,
        "link": settings.PORTAL_BASE_URL.rstrip("/")
        + reverse("assessment:detail", args=[assessment.pk]),
    }
    try:
        send_templated_email("assessment/email/event", context, sorted(recipients - {""}))
    except OSError as exc:
        raise self.retry(exc=exc) from exc


@pdf_task
def render_plan_document(self, document_id):
    """Render FR.MAPA.01 or FR.AK.01 of an assessment; stored once, rendered again only when what
    it shows changed (the plan, a signature)."""
    render_in_task(self, PlanDocument, document_id)


@pdf_task
def render_report_pdf(self, report_id):
    """FR.AK.05, rendered once after the submission (9.3.5); idempotent."""
    render_in_task(self, AssessmentReport, report_id)


@pdf_task
def render_record_pdf(self, record_id):
    """FR.AK.02, rendered after the submission and again when the candidate signs; idempotent."""
    render_in_task(self, CompetencyRecord, record_id)


@pdf_task
def render_review_pdf(self, review_id):
    """FR.AK.06, rendered once after the review is signed; idempotent."""
    render_in_task(self, ProcessReview, review_id)
