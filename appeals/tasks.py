"""The answer letter PDF, and telling people about appeals: receipt, appointment, answer,
deadline reminders and escalations (each idempotent, retried on a mail server failure)."""

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from lsp_portal.mail import send_templated_email
from lsp_portal.pdf import pdf_task, render_in_task

from .models import AnswerLetter, Appeal, Notice, TeamMember


def _link(appeal):
    return settings.PORTAL_BASE_URL.rstrip("/") + reverse("appeals:detail", args=[appeal.pk])


def _emails(role):
    from lsp_portal.accounts.models import User

    return set(User.objects.with_role(role).values_list("email", flat=True))


def _send(task, template, context, recipients):
    recipients = sorted(set(recipients) - {""})
    if not recipients:
        return
    try:
        send_templated_email(f"appeals/email/{template}", context, recipients)
    except OSError as exc:  # SMTP server unreachable: try again later
        raise task.retry(exc=exc) from exc


@pdf_task
def render_answer_letter(self, letter_id):
    render_in_task(self, AnswerLetter, letter_id)


@shared_task(bind=True, max_retries=5, default_retry_delay=60, soft_time_limit=30, time_limit=60)
def notify_appeal_received(self, appeal_id):
    """The appellant gets a receipt with both deadlines; staff and the director are told to
    appoint the appeal team."""
    from lsp_portal.accounts.roles import Role

    appeal = Appeal.objects.select_related("application", "appellant").get(pk=appeal_id)
    context = {"appeal": appeal, "link": _link(appeal)}
    _send(self, "received", context, [appeal.appellant.email])
    _send(self, "received_staff", context, _emails(Role.STAFF) | _emails(Role.DIRECTOR))


@shared_task(bind=True, max_retries=5, default_retry_delay=60, soft_time_limit=30, time_limit=60)
def notify_member_appointed(self, member_id):
    member = TeamMember.objects.select_related("appeal__application", "user").get(pk=member_id)
    context = {"appeal": member.appeal, "member": member, "link": _link(member.appeal)}
    _send(self, "appointed", context, [member.user.email])


@shared_task(bind=True, max_retries=5, default_retry_delay=60, soft_time_limit=30, time_limit=60)
def notify_answer(self, appeal_id):
    """The appellant is told the answer; when upheld, staff are asked to assign an assessor for
    the reassessment (9.9.8.d)."""
    from lsp_portal.accounts.roles import Role

    appeal = Appeal.objects.select_related("application", "appellant").get(pk=appeal_id)
    context = {"appeal": appeal, "link": _link(appeal)}
    _send(self, "answered", context, [appeal.appellant.email])
    if appeal.outcome == Appeal.Outcome.UPHELD:
        context["assign_link"] = settings.PORTAL_BASE_URL.rstrip("/") + reverse(
            "assessment:assign", args=[appeal.application_id]
        )
        _send(self, "reassessment", context, _emails(Role.STAFF))


@shared_task(bind=True, max_retries=5, default_retry_delay=60, soft_time_limit=30, time_limit=60)
def send_notice(self, notice_id):
    """A reminder (to the appeal team and the director) or an escalation (to the director and
    staff). Sent once: a notice already marked sent is skipped."""
    from lsp_portal.accounts.roles import Role

    with transaction.atomic():
        notice = (
            Notice.objects.select_for_update()
            .select_related("appeal__application")
            .get(pk=notice_id)
        )
        if notice.sent_at is not None:
            return False
        appeal = notice.appeal
        overdue = notice.kind in (Notice.Kind.COMPLETION_OVERDUE, Notice.Kind.DECISION_OVERDUE)
        completion = notice.kind in (Notice.Kind.COMPLETION_SOON, Notice.Kind.COMPLETION_OVERDUE)
        recipients = _emails(Role.DIRECTOR)
        if overdue:
            recipients |= _emails(Role.STAFF)
        else:
            recipients |= set(appeal.team.values_list("user__email", flat=True))
        context = {
            "appeal": appeal,
            "notice": notice,
            "overdue": overdue,
            "completion": completion,
            "due": appeal.completion_due if completion else appeal.decision_due,
            "link": _link(appeal),
        }
        _send(self, "deadline", context, recipients)
        notice.sent_at = timezone.now()
        notice.save(update_fields=["sent_at"])
    return True


@shared_task(soft_time_limit=300, time_limit=360)
def appeal_deadline_notices():
    """Run hourly by celery beat (CELERY_BEAT_SCHEDULE): reminders 2 days before each deadline,
    escalation when one passes; each recorded and sent once."""
    from .services import create_due_notices

    return {"new_notices": create_due_notices()}
