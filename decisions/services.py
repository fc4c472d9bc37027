"""Decision rules (9.4.1-9.4.5). Every change goes through a function here: guard (role, membership,
status), transaction, row lock, save, AuditEvent, side effects on commit."""

import datetime
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, cast

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from assessment.models import Assessment, Assignment
from lsp_portal import dates, transitions
from lsp_portal.accounts.models import User
from lsp_portal.accounts.roles import Role, require_role
from lsp_portal.accounts.services import require_people_manager
from lsp_portal.audit.services import record
from lsp_portal.errors import RuleError
from lsp_portal.numbering import next_number
from lsp_portal.outbox import services as outbox

from . import hooks, tasks
from .models import (
    AgendaItem,
    Attendance,
    ConflictDeclaration,
    Decision,
    Decree,
    DecreeCounter,
    Meeting,
    Minutes,
    MinutesSignature,
    TechnicalTeamMember,
)

Status = Meeting.Status
TRANSITIONS = Meeting.TRANSITIONS


def _lock_meeting(meeting: Meeting, *allowed: str) -> Meeting:
    locked = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if allowed and locked.status not in allowed:
        raise RuleError(
            _("This cannot be done while the meeting is: %(status)s.")
            % {"status": locked.get_status_display()}
        )
    return locked


def _member(user: User) -> TechnicalTeamMember:
    member = TechnicalTeamMember.objects.filter(user=user, is_active=True).first()
    if member is None or not user.has_role(Role.TECHNICAL_TEAM):
        raise PermissionDenied
    return member


def _present_member(user: User, meeting: Meeting) -> TechnicalTeamMember:
    member = _member(user)
    attendance = Attendance.objects.filter(meeting=meeting, member=member).first()
    if attendance is None:
        raise PermissionDenied
    if not attendance.present:
        raise RuleError(_("Only members recorded as present at the meeting can do this."))
    return member


def available_recommendations() -> QuerySet[Assessment]:
    """Submitted recommendations (9.3.5) not decided and not on a meeting that is still open."""
    busy = AgendaItem.objects.filter(meeting__status__in=[Status.PLANNED, Status.HELD]).values(
        "assessment_id"
    )
    return (
        Assessment.objects.filter(status=Assessment.Status.RECOMMENDED, decision__isnull=True)
        .exclude(pk__in=busy)
        .select_related("application__scheme", "assessor__user")
        .order_by("submitted_at")
    )


def conflict_of(
    member: TechnicalTeamMember, assessment: Assessment, meeting: Meeting | None
) -> str | None:
    """Why `member` may not decide `assessment` (9.4.2), or None: they held the case as its
    assessor (any attempt, including an assessor it was reassigned away from), they are the
    applicant, or they declared involvement with the applicant."""
    return conflicts_of(member, [assessment], meeting).get(assessment.pk)


def conflicts_of(
    member: TechnicalTeamMember, assessments: Collection[Assessment], meeting: Meeting | None
) -> dict[int, str]:
    """conflict_of for each of `assessments` (assessment pk -> why, for those with a conflict),
    in two queries however many there are (the meeting page shows the whole agenda)."""
    assessed = set(
        Assignment.objects.held_by([member.user_id])
        .filter(assessment__application_id__in={a.application_id for a in assessments})
        .values_list("assessment__application_id", flat=True)
    )
    declared = set(
        ConflictDeclaration.objects.filter(
            meeting=meeting, member=member, assessment__in=[a.pk for a in assessments]
        ).values_list("assessment_id", flat=True)
    )
    conflicts = {}
    for assessment in assessments:
        if assessment.application_id in assessed:
            conflicts[assessment.pk] = _("assessed this applicant")
        elif assessment.application.applicant_id == member.user_id:
            conflicts[assessment.pk] = _("is the applicant")
        elif assessment.pk in declared:
            conflicts[assessment.pk] = _("declared involvement with the applicant")
    return conflicts


# ---------------------------------------------------------------------------------------------
# Staff: planning and opening a meeting
# ---------------------------------------------------------------------------------------------


def plan_meeting(
    user: User,
    *,
    title: str,
    scheduled_at: datetime.datetime,
    location: str,
    is_online: bool,
    members: Sequence[TechnicalTeamMember],
    assessments: Sequence[Assessment],
) -> Meeting:
    """Staff plan a technical-team meeting (rapat tim teknis, 9.4.4): date, place or link, the
    members invited (active Tim Teknis members, at least the quorum) and the agenda - submitted
    recommendations (9.3.5) not yet decided, in the order they were submitted."""
    require_role(user, Role.STAFF)
    quorum = settings.DECISION_QUORUM
    # A member whose role was removed (record inactive) or whose account is deactivated is not
    # invited (accounts.services).
    members = [m for m in members if m.is_active and m.user.is_active]
    if len(members) < quorum:
        raise RuleError(
            _("Invite at least %(quorum)s members: that many must be present to decide.")
            % {"quorum": quorum}
        )
    if not assessments:
        raise RuleError(_("Put at least one recommendation on the agenda."))
    dates.require_in_range(scheduled_at, _("Date and time"))
    with transaction.atomic():
        locked = list(
            Assessment.objects.select_for_update().filter(pk__in=[a.pk for a in assessments])
        )
        available = set(available_recommendations().values_list("pk", flat=True))
        unavailable = [a.reference for a in locked if a.pk not in available]
        if unavailable:
            raise RuleError(
                _(
                    "Not available for a meeting (not submitted, decided or already on an agenda): "
                    "%(refs)s."
                )
                % {"refs": ", ".join(unavailable)}
            )
        meeting = Meeting.objects.create(
            title=title,
            scheduled_at=scheduled_at,
            location=location,
            is_online=is_online,
            quorum=quorum,
            planned_by=user,
        )
        Attendance.objects.bulk_create(Attendance(meeting=meeting, member=m) for m in members)
        AgendaItem.objects.bulk_create(
            AgendaItem(meeting=meeting, assessment=a, order=i)
            # A recommendation (9.3.5) always has its submission time.
            for i, a in enumerate(
                sorted(locked, key=lambda a: cast(datetime.datetime, a.submitted_at)), start=1
            )
        )
        record(
            user,
            "meeting.planned",
            meeting,
            to_status=meeting.status,
            members=[m.user.full_name for m in members],
            agenda=[a.reference for a in locked],
        )
        outbox.send(tasks.notify_meeting_planned, meeting.pk)
    return meeting


def open_refusal(meeting: Meeting, now: datetime.datetime | None = None) -> str | None:
    """Why a planned `meeting` cannot be opened yet, or None: a meeting opens from its scheduled
    time, at most MEETING_OPEN_EARLY_MINUTES before it (9.4.4: the minutes then never record a
    session held before the time its members were called for). The message gives both times on
    the Asia/Jakarta clock; the meeting page shows it instead of the button."""
    now = now or timezone.now()
    if meeting.status != Status.PLANNED or now >= meeting.opens_at:
        return None
    return _("The meeting is scheduled for %(scheduled)s; it can be opened from %(opens)s.") % {
        "scheduled": dates.format_datetime(meeting.scheduled_at),
        "opens": dates.format_datetime(meeting.opens_at),
    }


def open_meeting(
    user: User, meeting: Meeting, present_members: Iterable[TechnicalTeamMember]
) -> Meeting:
    """9.4.4: the meeting starts (from its scheduled time, see open_refusal): staff record which
    invited members are present, and the moment it opened is kept (the minutes state it).
    During the session staff may record attendance again (a member arriving late or leaving);
    decisions need the quorum present when they are taken."""
    require_role(user, Role.STAFF)
    with transaction.atomic():
        locked = _lock_meeting(
            meeting, *TRANSITIONS.sources("meeting.opened", "meeting.attendance_updated")
        )
        refusal = open_refusal(locked)
        if refusal:
            raise RuleError(refusal)
        invited = {a.member_id: a for a in locked.attendances.all()}
        present_ids = {m.pk for m in present_members}
        if present_ids - set(invited):
            raise RuleError(_("Only invited members can be recorded as present."))
        for member_id, attendance in invited.items():
            attendance.present = member_id in present_ids
            attendance.save(update_fields=["present"])
        locked.opened_at = locked.opened_at or timezone.now()
        transitions.apply(
            user,
            locked,
            "meeting.opened" if locked.status == Status.PLANNED else "meeting.attendance_updated",
            fields=["opened_at"],
            present=len(present_ids),
            quorum=locked.quorum,
        )
    return locked


def cancel_meeting(user: User, meeting: Meeting, *, reason: str) -> Meeting:
    """Staff cancel a meeting in which nothing was decided (e.g. no quorum came, 9.4.4), with the
    reason; its cases become available for another meeting."""
    require_role(user, Role.STAFF)
    with transaction.atomic():
        locked = _lock_meeting(meeting, *TRANSITIONS["meeting.cancelled"].sources)
        if not reason.strip():
            raise RuleError(_("Give the reason for cancelling the meeting."))
        if locked.decisions.exists():
            raise RuleError(_("Decisions were recorded in this meeting; close it instead."))
        locked.cancel_reason = reason.strip()
        transitions.apply(
            user, locked, "meeting.cancelled", fields=["cancel_reason"], reason=reason.strip()
        )
    return locked


# ---------------------------------------------------------------------------------------------
# The technical team: deciding (9.4.1-9.4.2)
# ---------------------------------------------------------------------------------------------


def declare_conflict(
    user: User, meeting: Meeting, assessment: Assessment, *, note: str = ""
) -> None:
    """9.4.2: a member present at the meeting states they were involved with the applicant; they
    then may not decide the case (conflict_of)."""
    with transaction.atomic():
        locked = _lock_meeting(meeting, Status.HELD)
        member = _present_member(user, locked)
        if not locked.agenda.filter(assessment=assessment).exists():
            raise RuleError(_("This case is not on the meeting's agenda."))
        if Decision.objects.filter(assessment=assessment, decided_by=member).exists():
            raise RuleError(_("You recorded the decision on this case; ask another member."))
        _conflict, created = ConflictDeclaration.objects.get_or_create(
            meeting=locked, member=member, assessment=assessment, defaults={"note": note}
        )
        if created:
            record(user, "meeting.conflict_declared", locked, assessment=assessment.reference)


def decide(
    user: User,
    meeting: Meeting,
    assessment: Assessment,
    *,
    result: str,
    basis: str,
    reason: str = "",
) -> Decision:
    """9.4.2: only the technical team decides, by members present at a quorate meeting, never on a
    case they assessed or whose applicant they were involved with. Deciding against the assessor's
    recommendation needs a written reason. Who decided, when and why is kept (9.4.1.b)."""
    require_role(user, Role.TECHNICAL_TEAM)
    with transaction.atomic():
        locked = _lock_meeting(meeting, Status.HELD)
        member = _present_member(user, locked)
        refusal = quorum_refusal(locked)
        if refusal:
            raise RuleError(refusal)
        if not locked.agenda.filter(assessment=assessment).exists():
            raise RuleError(_("This case is not on the meeting's agenda."))
        assessment = Assessment.objects.select_related("application").get(pk=assessment.pk)
        conflict = conflict_of(member, assessment, locked)
        if conflict:
            raise RuleError(_("You may not decide this case: you %(why)s.") % {"why": conflict})
        if result not in Decision.Result.values:
            raise RuleError(_("The decision must be Kompeten or Belum Kompeten."))
        if not basis.strip():
            raise RuleError(_("State the basis of the decision."))
        against = result != assessment.recommendation
        if against and not reason.strip():
            raise RuleError(
                _("The decision differs from the assessor's recommendation: give the reason.")
            )
        previous = Decision.objects.filter(assessment=assessment).first()
        if previous and previous.meeting_id != locked.pk:
            raise RuleError(_("This case was decided in another meeting."))
        decision, _created = Decision.objects.update_or_create(
            assessment=assessment,
            defaults={
                "meeting": locked,
                "result": result,
                "basis": basis.strip(),
                "against_recommendation_reason": reason.strip() if against else "",
                "decided_by": member,
                "decided_at": timezone.now(),
            },
        )
        # Not a status transition: the Decision's result (K/BK) may be recorded again while the
        # meeting is held; the event keeps the previous result and the new one.
        record(
            user,
            "decision.recorded",
            assessment,
            from_status=previous.result if previous else "",
            to_status=result,
            reason=decision.against_recommendation_reason or decision.basis,
            meeting=locked.reference,
            against_recommendation=against,
        )
    return decision


def close_refusal(
    meeting: Meeting,
    *,
    cases: Sequence[Assessment] | None = None,
    decided: Collection[int] | None = None,
) -> str | None:
    """Why the held `meeting` cannot be closed yet, or None: a case on its agenda is not decided
    (9.4.4: the minutes record a decision on every case put before the meeting). `cases` (the
    agenda's assessments) and `decided` (the pks of those decided): when the caller has them
    already - the meeting page, which shows the refusal instead of the button."""
    if cases is None:
        cases = [item.assessment for item in meeting.agenda.select_related("assessment")]
    if decided is None:
        decided = set(meeting.decisions.values_list("assessment_id", flat=True))
    open_items = [case.reference for case in cases if case.pk not in decided]
    if not open_items:
        return None
    return _("Decide every case before closing; still open: %(refs)s.") % {
        "refs": ", ".join(open_items)
    }


def quorum_refusal(meeting: Meeting) -> str | None:
    """Why no decision can be recorded in `meeting` now, or None: fewer members are recorded as
    present than its quorum (9.4.2: the team decides, not one member). The case page shows it
    instead of the decision form."""
    if meeting.has_quorum():
        return None
    return _("No quorum: %(quorum)s members must be present for decisions to count.") % {
        "quorum": meeting.quorum
    }


def close_meeting(user: User, meeting: Meeting) -> Minutes:
    """9.4.4: close the session once every case on the agenda is decided (close_refusal); the
    minutes (Berita Acara) are generated from its decisions."""
    with transaction.atomic():
        locked = _lock_meeting(meeting, *TRANSITIONS["meeting.closed"].sources)
        if not user.has_role(Role.STAFF):
            _present_member(user, locked)
        refusal = close_refusal(locked)
        if refusal:
            raise RuleError(refusal)
        locked.closed_at = timezone.now()
        transitions.apply(user, locked, "meeting.closed", fields=["closed_at"])
        minutes = Minutes.objects.create(meeting=locked)
        outbox.send(tasks.render_minutes_pdf, minutes.pk)
    return minutes


# ---------------------------------------------------------------------------------------------
# Minutes (9.4.4) and decree (9.4.5)
# ---------------------------------------------------------------------------------------------


def sign_minutes(user: User, minutes: Minutes) -> Minutes:
    """9.4.4: each present member signs the minutes (Berita Acara); when all have, they are
    final and read-only, and the decree can be drafted from them (9.4.5)."""
    with transaction.atomic():
        meeting = _lock_meeting(minutes.meeting, Status.CLOSED)
        member = _present_member(user, meeting)
        minutes = Minutes.objects.select_for_update().get(pk=minutes.pk)
        if minutes.signatures.filter(member=member).exists():
            raise RuleError(_("You have already signed these minutes."))
        MinutesSignature.objects.create(minutes=minutes, member=member, signed_at=timezone.now())
        record(user, "minutes.signed", meeting)
        present = {m.pk for m in meeting.present_members()}
        signed = set(minutes.signatures.values_list("member_id", flat=True))
        if present <= signed:
            minutes.final_at = timezone.now()
            minutes.save(update_fields=["final_at"])
            transitions.apply(user, meeting, "minutes.final")
        outbox.send(tasks.render_minutes_pdf, minutes.pk)
    return minutes


def draft_decree(user: User, minutes: Minutes) -> Decree:
    """9.4.5: the decree is drafted from final minutes only, once per minutes."""
    require_role(user, Role.STAFF)
    with transaction.atomic():
        meeting = _lock_meeting(minutes.meeting)
        minutes = Minutes.objects.select_for_update().get(pk=minutes.pk)
        if not minutes.final_at:
            raise RuleError(_("A decree can only be drafted from minutes signed by every member."))
        if Decree.objects.filter(minutes=minutes).exists():
            raise RuleError(_("These minutes already have a decree."))
        try:
            with transaction.atomic():
                decree = Decree.objects.create(minutes=minutes, drafted_by=user)
        except IntegrityError as exc:
            raise RuleError(_("These minutes already have a decree.")) from exc
        record(user, "decree.drafted", meeting, decree=decree.pk)
        outbox.send(tasks.render_decree_pdf, decree.pk)
    return decree


def sign_decree(user: User, decree: Decree) -> Decree:
    """The director signs the decree: it gets its number, every decision of the meeting is
    published (the appeal window of 9.9.2 starts) and applicants are told."""
    require_role(user, Role.DIRECTOR)
    with transaction.atomic():
        decree = Decree.objects.select_for_update().select_related("minutes").get(pk=decree.pk)
        if decree.status != Decree.Status.DRAFT:
            raise RuleError(_("This decree has already been signed."))
        meeting = _lock_meeting(decree.minutes.meeting, *TRANSITIONS["decree.signed"].sources)
        now = timezone.now()
        local = timezone.localtime(now)
        decree.sequence, decree.number = next_number(
            DecreeCounter,
            settings.DECREE_NUMBER_PATTERN,
            year=local.year,
            month=local.month,
        )
        decree.year = local.year
        # The decree's own status has no audit event of its own: decree.signed is recorded on
        # the meeting, whose transition (below) it moves with.
        decree.status = Decree.Status.SIGNED
        decree.signed_by = user
        decree.signed_at = now
        decree.save(
            update_fields=["sequence", "number", "year", "status", "signed_by", "signed_at"]
        )
        decisions = list(meeting.decisions.select_related("assessment__application"))
        for decision in decisions:
            decision.published_at = now
            decision.save(update_fields=["published_at"])
            record(
                user,
                "decision.published",
                decision.assessment.application,
                to_status=decision.result,
                decree=decree.number,
            )
            for handler in hooks.decision_published:
                handler(decision)
        transitions.apply(user, meeting, "decree.signed", number=decree.number)
        ids = [d.pk for d in decisions]
        outbox.send(tasks.render_decree_pdf, decree.pk)
        for decision_id in ids:
            outbox.send(tasks.notify_decision_published, decision_id)
    return decree


def retry_render(user: User, document: Minutes | Decree) -> None:
    """Staff ask again for a PDF whose rendering failed (after the task gave up retrying)."""
    require_role(user, Role.STAFF)
    model = type(document)
    task = tasks.render_minutes_pdf if model is Minutes else tasks.render_decree_pdf
    with transaction.atomic():
        locked = model.objects.select_for_update().get(pk=document.pk)
        if locked.pdf_status != model.PDFStatus.FAILED:
            raise RuleError(_("This PDF has not failed; there is nothing to render again."))
        locked.pdf_status = model.PDFStatus.PENDING
        locked.pdf_error = ""
        locked.save(update_fields=["pdf_status", "pdf_error"])
        record(user, "pdf.retry", locked)
        outbox.send(task, locked.pk)


# ---------------------------------------------------------------------------------------------
# The technical team's registry: the Tim Teknis role's data, granted and removed on the people
# pages (lsp_portal.accounts.role_hooks; registered in apps.py)
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MemberRegistration:
    """9.4.3: what qualifies the member to decide - knowledge and certification experience."""

    qualification: str


def register_member(user: User, person: User, data: MemberRegistration) -> dict[str, Any]:
    """The registry record of a person granted the Tim Teknis role (called by
    accounts.services.grant_role inside its transaction, the person's row locked): their
    qualification (9.4.3) is required. A former member gets their record back, updated: the
    attendances and decisions of past meetings refer to it. Returns what the audit keeps."""
    require_people_manager(user)
    qualification = data.qualification.strip()
    if not qualification:
        raise RuleError(_("Describe what qualifies this person to decide (9.4.3)."))
    with transaction.atomic():
        member = TechnicalTeamMember.objects.select_for_update().filter(user=person).first()
        if member is None:
            member = TechnicalTeamMember.objects.create(user=person, qualification=qualification)
        else:
            member.qualification = qualification
            member.is_active = True
            member.save(update_fields=["qualification", "is_active"])
        record(user, "technical_member.registered", member, qualification=qualification)
    return {"qualification": qualification}


_OPEN_MEETINGS = (Status.PLANNED, Status.HELD, Status.CLOSED)


def member_in_use(person: User) -> str:
    """Why the Tim Teknis role cannot be taken from `person` now: they are invited to a meeting
    that has not ended - planned, in session, or closed with the minutes still to sign, which
    every member present signs (9.4.4); "" if none."""
    titles = list(
        Meeting.objects.filter(
            attendances__member__user=person, status__in=_OPEN_MEETINGS
        ).values_list("title", flat=True)[:3]
    )
    if not titles:
        return ""
    return _(
        "%(name)s is a member of a meeting that has not ended (%(meetings)s); "
        "wait until its minutes are signed, or change its members."
    ) % {"name": person, "meetings": ", ".join(titles)}


def retire_member(user: User, person: User) -> dict[str, Any]:
    """The Tim Teknis role is removed (accounts.services.remove_role, which refused first while
    member_in_use says why not): the record stays, inactive - the attendances, decisions and
    signed minutes of past meetings refer to it (9.4.1). Nothing is deleted."""
    require_people_manager(user)
    with transaction.atomic():
        member = TechnicalTeamMember.objects.select_for_update().filter(user=person).first()
        if member is None:
            return {}
        reason = member_in_use(person)
        if reason:
            raise RuleError(reason)
        if member.is_active:
            member.is_active = False
            member.save(update_fields=["is_active"])
        record(user, "technical_member.retired", member)
    return {}


def member_registry(person: User) -> list[tuple[str, str]]:
    """The registry data shown on the person page: (label, value) pairs; [] if none."""
    member = TechnicalTeamMember.objects.filter(user=person).first()
    if member is None:
        return []
    rows = [(_("Qualification (9.4.3)"), member.qualification)]
    if not member.is_active:
        rows.append((_("Registry record"), _("inactive (kept for the history)")))
    return rows
