"""Appeal rules (9.9). Every change goes through a function here: guard (role, appointment,
status), transaction, row lock, save, AuditEvent, side effects on commit."""

import datetime
from collections.abc import Iterable, Sequence
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from assessment import services as assessment_services
from assessment.models import Assessment, Assignment
from decisions.models import Attendance, Decision
from lsp_portal import dates, transitions
from lsp_portal.accounts.models import User
from lsp_portal.accounts.roles import Role, require_role
from lsp_portal.audit.services import record
from lsp_portal.errors import RuleError
from lsp_portal.files import CheckedUpload, delete_stored_files_on_failure
from lsp_portal.numbering import next_number
from lsp_portal.outbox import services as outbox
from lsp_portal.workdays import add_working_days
from registration import services as registration_services

from . import tasks
from .inputs import AppealInput
from .models import (
    AnswerLetter,
    AnswerLetterCounter,
    Appeal,
    Attachment,
    Finding,
    Notice,
    TeamMember,
)

Status = Appeal.Status
TRANSITIONS = Appeal.TRANSITIONS


def _lock(appeal: Appeal, *allowed: str) -> Appeal:
    locked = Appeal.objects.select_for_update().get(pk=appeal.pk)
    if locked.status == Status.ANSWERED:
        raise RuleError(_("This appeal has been answered; the answer is final (9.9.7)."))
    if allowed and locked.status not in allowed:
        raise RuleError(
            _("This cannot be done while the appeal is: %(status)s.")
            % {"status": locked.get_status_display()}
        )
    return locked


def _when(moment: datetime.datetime | None) -> str:
    return dates.format_datetime(moment)


# ---------------------------------------------------------------------------------------------
# The applicant: filing (9.9.1-9.9.3)
# ---------------------------------------------------------------------------------------------


def appeal_refusal(
    decision: Decision,
    now: datetime.datetime | None = None,
    *,
    appealed: bool | None = None,
) -> str | None:
    """Why `decision` can no longer be appealed, or None (9.9.2: within the window after
    publication; one appeal per decision; only a "not yet competent" decision). `appealed`:
    whether the decision has an appeal, when the caller has looked it up already (a page showing
    many decisions looks them up together)."""
    now = now or timezone.now()
    if decision.published_at is None:
        return _("This decision has not been published yet.")
    if appealed is None:
        appealed = Appeal.objects.filter(decision=decision).exists()
    if appealed:
        return _("You have already appealed this decision; there is one appeal per decision.")
    if decision.result != Decision.Result.BK:
        return _("Only a decision of not yet competent can be appealed.")
    if not decision.assessment.is_current:
        return _("This decision was replaced by a reassessment.")
    deadline = decision.appeal_deadline  # set once published (above)
    if deadline is not None and now > deadline:
        return _(
            "The time to appeal ended on %(deadline)s (%(hours)s hours after the decision was "
            "published, 9.9.2)."
        ) % {"deadline": _when(deadline), "hours": settings.APPEAL_WINDOW_HOURS}
    return None


def deadlines_from(received_at: datetime.datetime) -> tuple[datetime.date, datetime.date]:
    """The two deadlines from receipt: 7 calendar days (9.9.8.e) and 14 working days (9.9.6),
    counted from the day after the receipt date in Asia/Jakarta."""
    received_on = timezone.localdate(received_at)
    return (
        received_on + datetime.timedelta(days=settings.APPEAL_COMPLETION_DAYS),
        # workdays is typed once issue 14.2 moves it into the kernel
        add_working_days(received_on, settings.APPEAL_DECISION_WORKING_DAYS),
    )


def file_appeal(
    user: User, decision: Decision, data: AppealInput, *, attachments: Sequence[CheckedUpload]
) -> Appeal:
    """The applicant files FR-AK-04 (9.9.3) against their own decision, with its attachments
    (checked uploads, counted against the storage quota); all or nothing. Refused: no reasons;
    another person to involve without saying who; more than APPEAL_MAX_ATTACHMENTS files; a
    decision that cannot be appealed (appeal_refusal: published, "not yet competent", still
    current, one appeal per decision, within the window of 9.9.2). The deadlines of 9.9.8.e
    and 9.9.6 run from the receipt (deadlines_from)."""
    require_role(user, Role.APPLICANT)
    if decision.assessment.application.applicant_id != user.pk:
        raise PermissionDenied
    if not data.reasons.strip():
        raise RuleError(_("Give the reasons for your appeal."))
    if data.involve_other_person and not data.other_person.strip():
        raise RuleError(_("Say who should be involved."))
    if len(attachments) > settings.APPEAL_MAX_ATTACHMENTS:
        raise RuleError(
            _("Attach at most %(count)s files.") % {"count": settings.APPEAL_MAX_ATTACHMENTS}
        )
    with delete_stored_files_on_failure() as stored, transaction.atomic():
        locked = (
            Decision.objects.select_for_update()
            .select_related("assessment__application")
            .get(pk=decision.pk)
        )
        now = timezone.now()
        refusal = appeal_refusal(locked, now)
        if refusal:
            raise RuleError(refusal)
        if attachments:
            registration_services.check_storage_quota(user, sum(a.size for a in attachments))
        completion_due, decision_due = deadlines_from(now)
        appeal = Appeal.objects.create(
            decision=locked,
            application=locked.assessment.application,
            appellant=user,
            process_explained=data.process_explained,
            discussed_with_assessor=data.discussed_with_assessor,
            involve_other_person=data.involve_other_person,
            other_person=data.other_person.strip(),
            reasons=data.reasons.strip(),
            received_at=now,
            completion_due=completion_due,
            decision_due=decision_due,
        )
        for checked in attachments:
            attachment = Attachment(
                appeal=appeal,
                content_type=checked.content_type,
                size=checked.size,
                sha256=checked.sha256,
                original_name=checked.original_name,
            )
            attachment.file.save("upload", checked.file, save=False)
            stored.append(attachment.file.name)
            attachment.save()
        record(
            user,
            "appeal.filed",
            appeal,
            to_status=appeal.status,
            decision=locked.pk,
            attachments=len(attachments),
            completion_due=str(completion_due),
            decision_due=str(decision_due),
        )
        outbox.send(tasks.notify_appeal_received, appeal.pk)
    return appeal


# ---------------------------------------------------------------------------------------------
# Staff or the director: the appeal team (9.9.4-9.9.5)
# ---------------------------------------------------------------------------------------------


def conflict_of(user: User, appeal: Appeal) -> str | None:
    """Why `user` may not sit on the appeal team (9.9.4: not involved in the subject), or None:
    they are the appellant, held the case as its assessor (any attempt, also before a
    reassignment), or sat in the meeting that decided it."""
    return conflicts_of([user], appeal).get(user.pk)


def conflicts_of(users: Iterable[User], appeal: Appeal) -> dict[int, str]:
    """conflict_of for each of `users` (user pk -> why, for those with a conflict), in two
    queries however many there are."""
    application = appeal.application
    ids = [user.pk for user in users]
    # Everyone who ever held the case (any attempt, reassigned away or not) assessed it.
    assessed = set(
        Assignment.objects.held_by(ids)
        .filter(assessment__application=application)
        .values_list("assessor__user_id", flat=True)
    )
    attended = set(
        Attendance.objects.filter(
            meeting_id=appeal.decision.meeting_id, member__user__in=ids
        ).values_list("member__user_id", flat=True)
    )
    conflicts = {}
    for pk in ids:
        if application.applicant_id == pk:
            conflicts[pk] = _("is the appellant")
        elif pk in assessed:
            conflicts[pk] = _("assessed this applicant")
        elif pk in attended:
            conflicts[pk] = _("was a member of the meeting that decided the case")
    return conflicts


def eligible_members(appeal: Appeal) -> list[User]:
    """Active Tim Banding users who may be appointed (not yet appointed, no conflict)."""
    appointed = appeal.team.values("user_id")
    candidates = list(
        User.objects.with_role(Role.APPEAL_TEAM)
        .filter(is_active=True)
        .exclude(pk__in=appointed)
        .order_by("full_name")
    )
    conflicts = conflicts_of(candidates, appeal)
    return [user for user in candidates if user.pk not in conflicts]


def appoint(user: User, appeal: Appeal, member: User) -> TeamMember:
    """9.9.4: staff or the director appoint a member of the appeal team (Tim Banding) to an
    appeal not yet answered. Refused: a person without the active Tim Banding role, one already
    appointed, and one involved in the subject of the appeal (conflict_of: the appellant, an
    assessor of the case, a member of the meeting that decided it) - so that the appeal is
    handled objectively and impartially (9.9.5). The first appointment puts the appeal under
    review; the member is told by e-mail."""
    require_role(user, Role.STAFF, Role.DIRECTOR)
    with transaction.atomic():
        locked = _lock(appeal, *TRANSITIONS["appeal.member_appointed"].sources)
        if not member.is_active or not member.has_role(Role.APPEAL_TEAM):
            raise RuleError(
                _("%(name)s is not in the appeal team (Tim Banding).") % {"name": member}
            )
        reason = conflict_of(member, locked)
        if reason:
            raise RuleError(
                _("%(name)s cannot be appointed: %(reason)s (9.9.4).")
                % {"name": member, "reason": reason}
            )
        if locked.team.filter(user=member).exists():
            raise RuleError(_("%(name)s is already appointed.") % {"name": member})
        appointment = TeamMember.objects.create(
            appeal=locked, user=member, appointed_by=user, appointed_at=timezone.now()
        )
        transitions.apply(user, locked, "appeal.member_appointed", member=str(member))
        outbox.send(tasks.notify_member_appointed, appointment.pk)
    return appointment


# ---------------------------------------------------------------------------------------------
# The appeal team: findings
# ---------------------------------------------------------------------------------------------


def record_finding(user: User, appeal: Appeal, *, text: str, recommendation: str) -> Finding:
    """9.9.8.c: an appointed member of the appeal team records their review of the objection -
    a finding and the outcome they recommend (upheld or dismissed) - which the director answers
    from. Only while the appeal is under review and not answered (9.9.7); a member's finding may
    be changed until then (the last one counts)."""
    require_role(user, Role.APPEAL_TEAM)
    with transaction.atomic():
        locked = _lock(appeal, Status.UNDER_REVIEW)
        appointment = locked.team.filter(user=user).first()
        if appointment is None:
            raise PermissionDenied
        if not text.strip():
            raise RuleError(_("Write the finding."))
        if recommendation not in Appeal.Outcome.values:
            raise RuleError(_("Choose the outcome you recommend."))
        finding, created = Finding.objects.update_or_create(
            member=appointment,
            defaults={
                "text": text.strip(),
                "recommendation": recommendation,
                "recorded_at": timezone.now(),
            },
        )
        record(
            user,
            "appeal.finding_recorded" if created else "appeal.finding_updated",
            locked,
            recommendation=recommendation,
        )
    return finding


# ---------------------------------------------------------------------------------------------
# The director: the answer (9.9.8.c), final and binding (9.9.7); reassessment (9.9.8.d)
# ---------------------------------------------------------------------------------------------


def answer_refusal(appeal: Appeal, *, has_finding: bool | None = None) -> str | None:
    """Why the director cannot answer `appeal` yet, or None: it is answered already (final,
    9.9.7), no team is appointed (9.9.4), or no member has recorded a finding (9.9.8.c). The
    appeal page shows it to the director instead of the answer form (`has_finding`: whether a
    finding exists, when the caller has looked it up already)."""
    if appeal.status == Status.ANSWERED:
        return _("This appeal has been answered; the answer is final (9.9.7).")
    if appeal.status == Status.SUBMITTED:
        return _("Appoint the appeal team first (9.9.4).")
    if has_finding is None:
        has_finding = Finding.objects.filter(member__appeal=appeal).exists()
    if not has_finding:
        return _("Wait for at least one finding of the appeal team before answering (9.9.8.c).")
    return None


def answer(user: User, appeal: Appeal, *, outcome: str, reasons: str) -> Appeal:
    """9.9.8.c: the director answers, upheld or dismissed with the reasons, once the team has a
    finding (answer_refusal); final and binding (9.9.7). Upheld opens a reassessment (9.9.8.d)."""
    require_role(user, Role.DIRECTOR)
    with transaction.atomic():
        locked = _lock(appeal)
        refusal = answer_refusal(locked)
        if refusal:
            raise RuleError(refusal)
        if outcome not in Appeal.Outcome.values:
            raise RuleError(_("Choose upheld or dismissed."))
        if not reasons.strip():
            raise RuleError(_("Give the reasons for the answer."))
        now = timezone.now()
        local = timezone.localtime(now)
        locked.outcome = outcome
        locked.answer = reasons.strip()
        locked.answered_by = user
        locked.answered_at = now
        fields = ["outcome", "answer", "answered_by", "answered_at"]
        if outcome == Appeal.Outcome.UPHELD:
            _open_reassessment(user, locked)
            locked.reassessment_opened_at = now
            fields.append("reassessment_opened_at")
        sequence, number = next_number(
            AnswerLetterCounter,
            settings.ANSWER_LETTER_NUMBER_PATTERN,
            year=local.year,
            month=local.month,
        )
        letter = AnswerLetter.objects.create(
            appeal=locked, year=local.year, sequence=sequence, number=number
        )
        transitions.apply(
            user,
            locked,
            "appeal.answered",
            fields=fields,
            reason=locked.answer,
            outcome=outcome,
            letter=number,
            within_7_days=locked.within_completion,
            within_14_working_days=locked.within_decision,
        )
        outbox.send(tasks.render_answer_letter, letter.pk)
        outbox.send(tasks.notify_answer, locked.pk)
    return locked


def _open_reassessment(user: User, appeal: Appeal) -> None:
    """9.9.8.d: the assessment that led to the decision is no longer the current one, through
    the assessment stage's own service."""
    assessment_services.reopen_for_reassessment(
        user,
        appeal.decision.assessment,
        reason=_("Appeal %(reference)s upheld (9.9.8.d).") % {"reference": appeal.reference},
    )


def reassessment_of(appeal: Appeal) -> Assessment | None:
    """The new assessment attempt started after an upheld appeal, once staff assigned it."""
    if not appeal.reassessment_opened_at:
        return None
    return (
        appeal.application.assessments.filter(attempt__gt=appeal.decision.assessment.attempt)
        .order_by("attempt")
        .first()
    )


def retry_letter(user: User, letter: AnswerLetter) -> None:
    """Staff render the director's answer letter (9.9.8.c) again after its PDF failed."""
    require_role(user, Role.STAFF)
    with transaction.atomic():
        locked = AnswerLetter.objects.select_for_update().get(pk=letter.pk)
        if locked.pdf_status != AnswerLetter.PDFStatus.FAILED:
            raise RuleError(_("This PDF has not failed; there is nothing to render again."))
        locked.pdf_status = AnswerLetter.PDFStatus.PENDING
        locked.pdf_error = ""
        locked.save(update_fields=["pdf_status", "pdf_error"])
        record(user, "pdf.retry", locked)
        outbox.send(tasks.render_answer_letter, locked.pk)


# ---------------------------------------------------------------------------------------------
# Deadlines: reminders 2 days before, escalation when passed (celery beat); SLA figures
# ---------------------------------------------------------------------------------------------


def due_notices(appeal: Appeal, today: datetime.date) -> list[str]:
    """The notice kinds `appeal` should have had by `today` (an overdue deadline replaces its
    reminder)."""
    before = datetime.timedelta(days=settings.APPEAL_REMINDER_DAYS_BEFORE)
    kinds: list[str] = []
    for due, soon, overdue in (
        (appeal.completion_due, Notice.Kind.COMPLETION_SOON, Notice.Kind.COMPLETION_OVERDUE),
        (appeal.decision_due, Notice.Kind.DECISION_SOON, Notice.Kind.DECISION_OVERDUE),
    ):
        if today > due:
            kinds.append(overdue)
        elif today >= due - before:
            kinds.append(soon)
    return kinds


def create_due_notices(now: datetime.datetime | None = None) -> int:
    """The deadlines of an open appeal - completed within 7 days (9.9.8.e), decided within 14
    working days of receipt (9.9.6): record every reminder (APPEAL_REMINDER_DAYS_BEFORE) and
    escalation (deadline passed) that is due and not yet recorded; each is sent (on commit)
    once. Safe to run as often as wanted: the (appeal, kind) pair is unique. Returns how many
    were new."""
    today = timezone.localdate(now or timezone.now())
    created = 0
    for appeal in Appeal.objects.open():
        for kind in due_notices(appeal, today):
            with transaction.atomic():
                notice, new = Notice.objects.get_or_create(appeal=appeal, kind=kind)
                if new:
                    created += 1
                    record(None, "appeal.notice", appeal, kind=kind)
                    outbox.send(tasks.send_notice, notice.pk)
    return created


def sla_summary(now: datetime.datetime | None = None) -> dict[str, Any]:
    """Answered appeals of the last 12 months: how many within 7 days (9.9.8.e) and within 14
    working days (9.9.6) of receipt; the open and overdue ones."""
    since = (now or timezone.now()) - datetime.timedelta(days=365)
    today = timezone.localdate(now)
    answered = list(Appeal.objects.filter(status=Status.ANSWERED, answered_at__gte=since))
    total = len(answered)
    within_7 = sum(a.within_completion for a in answered)
    within_14 = sum(a.within_decision for a in answered)

    def percent(n: int) -> int | None:
        return round(100 * n / total) if total else None

    return {
        "answered": total,
        "within_completion": within_7,
        "within_completion_percent": percent(within_7),
        "within_decision": within_14,
        "within_decision_percent": percent(within_14),
        "open": Appeal.objects.open().count(),
        "overdue": Appeal.objects.open()
        .filter(Q(completion_due__lt=today) | Q(decision_due__lt=today))
        .count(),
    }


# ---------------------------------------------------------------------------------------------
# The Tim Banding role on the people pages (lsp_portal.accounts.role_hooks; apps.py). It has no
# registry record: appointments are per appeal (TeamMember), and they stay.
# ---------------------------------------------------------------------------------------------


def appeal_member_in_use(person: User) -> str:
    """Why the Tim Banding role cannot be taken from `person` now: they are appointed to an
    appeal not yet answered (9.9.4, their finding is awaited); "" if none."""
    references = [
        appointment.appeal.reference
        for appointment in TeamMember.objects.filter(user=person)
        .exclude(appeal__status=Status.ANSWERED)
        .select_related("appeal")[:3]
    ]
    if not references:
        return ""
    return _(
        "%(name)s is appointed to an appeal not yet answered (%(appeals)s); wait for its answer."
    ) % {"name": person, "appeals": ", ".join(references)}


def appeal_member_registry(person: User) -> list[tuple[str, str]]:
    """The appointments shown on the person page: how many appeals, how many still open."""
    appointments = TeamMember.objects.filter(user=person).aggregate(
        total=Count("pk"), open=Count("pk", filter=~Q(appeal__status=Status.ANSWERED))
    )
    if not appointments["total"]:
        return []
    return [
        (
            _("Appeals appointed to"),
            _("%(total)s (%(open)s not yet answered)") % appointments,
        )
    ]
