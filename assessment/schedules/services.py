"""Rules of assessment events (jadwal uji kompetensi, issue 16). Every change to an event or its
candidates goes through a function here: role check, transaction, the event row locked, save,
AuditEvent. A refusal (RuleError) changes nothing.

Scheme sections: 9.1.6 (only applications confirmed eligible are assessed), 9.2.2 (the LSP assigns
registered assessors), 9.3.2 (the test takes place at a TUK verified on its date).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lsp_portal import dates
from lsp_portal.accounts.models import User
from lsp_portal.accounts.roles import Role, require_role
from lsp_portal.audit.services import record
from lsp_portal.errors import RuleError
from registration.models import Application, Scheme

from .. import services as assessment_services
from ..models import TUK, Assessment, Assessor
from .models import Schedule, ScheduleCandidate


@dataclass(frozen=True)
class ScheduleInput:
    """The event form: what staff choose (codes of Schedule.Mode and Schedule.Funding)."""

    scheme: Scheme
    tuk: TUK
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    mode: str
    meeting_link: str
    assessors: Sequence[Assessor]
    quota: int
    registration_opens: datetime.date
    registration_closes: datetime.date
    funding_source: str
    bnsp_code: str = ""


def max_per_assessor() -> int:
    return int(getattr(settings, "SCHEDULE_MAX_CANDIDATES_PER_ASSESSOR", 10))


def _check(data: ScheduleInput, schedule: Schedule | None) -> None:
    """The rules an event's settings obey, on creation and on every change."""
    if data.ends_at <= data.starts_at:
        raise RuleError(_("The event must end after it starts."))
    event_date = timezone.localtime(data.starts_at).date()
    end_date = timezone.localtime(data.ends_at).date()
    if data.mode not in Schedule.Mode.values:
        raise RuleError(_("Unknown mode of the event."))
    if data.mode == Schedule.Mode.REMOTE:
        if not data.meeting_link.strip():
            raise RuleError(_("A remote event needs the meeting link."))
        try:
            URLValidator(schemes=["https", "http"])(data.meeting_link.strip())
        except ValidationError as exc:
            raise RuleError(_("The meeting link is not a valid web address.")) from exc
    if data.funding_source not in Schedule.Funding.values:
        raise RuleError(_("Unknown funding source."))
    # 9.3.2: the test takes place at a TUK verified on its date (every day of it).
    for day in {event_date, end_date}:
        if not data.tuk.is_verified_on(day):
            raise RuleError(
                _(
                    "%(tuk)s is not verified on %(date)s (verified %(start)s to %(end)s); "
                    "an event cannot take place there (9.3.2)."
                )
                % {
                    "tuk": data.tuk.name,
                    "date": dates.format_date(day),
                    "start": dates.format_date(data.tuk.verified_on),
                    "end": dates.format_date(data.tuk.verified_until),
                }
            )
    if not data.assessors:
        raise RuleError(_("Choose at least one assessor for the event."))
    # 9.2.2: registered for the scheme, their registration current on the event's date.
    qualified = set(
        Assessor.objects.qualified_for(data.scheme, event_date)
        .filter(pk__in=[a.pk for a in data.assessors])
        .values_list("pk", flat=True)
    )
    for assessor in data.assessors:
        if assessor.pk not in qualified:
            raise RuleError(
                _("%(assessor)s is not qualified to assess %(scheme)s on %(date)s (9.2.2).")
                % {
                    "assessor": assessor,
                    "scheme": data.scheme.name,
                    "date": dates.format_date(event_date),
                }
            )
    if data.registration_closes < data.registration_opens:
        raise RuleError(_("Registration cannot close before it opens."))
    if data.registration_closes > event_date:
        raise RuleError(_("Registration must close on or before the day of the event."))
    if data.quota < 1:
        raise RuleError(_("The quota must be at least 1."))
    limit = len(data.assessors) * max_per_assessor()
    if data.quota > limit:
        raise RuleError(
            _(
                "A quota of %(quota)s is more than %(assessors)s assessor(s) may take: at most "
                "%(limit)s (%(per)s candidates per assessor)."
            )
            % {
                "quota": data.quota,
                "assessors": len(data.assessors),
                "limit": limit,
                "per": max_per_assessor(),
            }
        )
    code = data.bnsp_code.strip()
    if code:
        others = Schedule.objects.filter(bnsp_code=code)
        if schedule is not None:
            others = others.exclude(pk=schedule.pk)
        if others.exists():
            raise RuleError(
                _("The BNSP schedule code %(code)s is already used by another event.")
                % {"code": code}
            )
    if schedule is not None:
        seats = schedule.candidates.filter(is_active=True)
        placed = seats.count()
        if data.quota < placed:
            raise RuleError(
                _("The quota cannot be lower than the %(count)s candidates already placed.")
                % {"count": placed}
            )
        if placed and data.scheme.pk != schedule.scheme_id:
            raise RuleError(_("The scheme cannot change once candidates are placed."))
        kept = {a.pk for a in data.assessors}
        busy = seats.exclude(assessor_id__in=kept).select_related("assessor__user").first()
        if busy is not None:
            raise RuleError(
                _("%(assessor)s assesses candidates of this event and cannot be removed from it.")
                % {"assessor": busy.assessor}
            )


def _apply(schedule: Schedule, data: ScheduleInput) -> None:
    schedule.scheme = data.scheme
    schedule.tuk = data.tuk
    schedule.starts_at = data.starts_at
    schedule.ends_at = data.ends_at
    schedule.mode = data.mode
    schedule.meeting_link = data.meeting_link.strip() if data.mode == Schedule.Mode.REMOTE else ""
    schedule.quota = data.quota
    schedule.registration_opens = data.registration_opens
    schedule.registration_closes = data.registration_closes
    schedule.funding_source = data.funding_source
    schedule.bnsp_code = data.bnsp_code.strip()


def _save(schedule: Schedule) -> None:
    try:
        with transaction.atomic():
            schedule.save()
    except IntegrityError as exc:  # two events given the same BNSP code at the same moment
        raise RuleError(_("The BNSP schedule code is already used by another event.")) from exc


def create_schedule(user: User, data: ScheduleInput) -> Schedule:
    """Staff plan an event: a TUK verified on its date (9.3.2), assessors qualified for the scheme
    on that date (9.2.2), registration closing on or before the day, a quota the assessors can
    take (SCHEDULE_MAX_CANDIDATES_PER_ASSESSOR each)."""
    require_role(user, Role.STAFF)
    with transaction.atomic():
        _check(data, None)
        schedule = Schedule(created_by=user)
        _apply(schedule, data)
        _save(schedule)
        schedule.assessors.set(data.assessors)
        record(user, "schedule.created", schedule, **_summary(schedule, data))
    return schedule


def update_schedule(user: User, schedule: Schedule, data: ScheduleInput) -> Schedule:
    """The same rules as create_schedule, and: the quota not below the candidates placed, an
    assessor who has candidates stays, the scheme stays once candidates are placed."""
    require_role(user, Role.STAFF)
    with transaction.atomic():
        locked = _lock(schedule)
        if locked.is_cancelled:
            raise RuleError(_("This event was cancelled; it cannot be changed."))
        _check(data, locked)
        _apply(locked, data)
        _save(locked)
        locked.assessors.set(data.assessors)
        record(user, "schedule.updated", locked, **_summary(locked, data))
    return locked


def _summary(schedule: Schedule, data: ScheduleInput) -> dict[str, Any]:
    return {
        "tuk": data.tuk.name,
        "starts_at": schedule.starts_at.isoformat(),
        "quota": schedule.quota,
        "assessors": [str(a) for a in data.assessors],
    }


def _lock(schedule: Schedule) -> Schedule:
    """The event row locked: every seat change of one event waits for the one before (the quota
    holds under concurrency)."""
    return Schedule.objects.select_for_update().get(pk=schedule.pk)


def _require_not_over(locked: Schedule) -> None:
    if locked.is_cancelled:
        raise RuleError(_("This event was cancelled."))
    if locked.ends_at <= timezone.now():
        raise RuleError(_("This event is over; no candidate can be placed in it."))


def _place(
    actor: User, locked: Schedule, applications: Sequence[Application]
) -> list[ScheduleCandidate]:
    """Seat `applications` (locked, checked) in the locked event; each gets the event's assessor
    with the fewest candidates, and is assigned to them (9.2.2) when it has no current assessment.
    The assignment is made in the name of the staff member who created the event (they chose its
    assessors); the seat records who placed it."""
    placed = locked.candidates.filter(is_active=True).count()
    if placed + len(applications) > locked.quota:
        free = max(locked.quota - placed, 0)
        raise RuleError(
            _("The event has %(free)s seat(s) left; %(count)s candidate(s) cannot be placed.")
            % {"free": free, "count": len(applications)}
        )
    assessors = list(locked.assessors.select_related("user").order_by("user__full_name", "pk"))
    load = {a.pk: 0 for a in assessors}
    for assessor_id in locked.candidates.filter(is_active=True).values_list(
        "assessor_id", flat=True
    ):
        if assessor_id in load:
            load[assessor_id] += 1
    seats = []
    now = timezone.now()
    for application in applications:
        current = (
            Assessment.objects.filter(application=application, is_current=True)
            .select_related("assessor__user")
            .first()
        )
        if current is not None:
            if current.status == Assessment.Status.RECOMMENDED:
                raise RuleError(
                    _("%(ref)s has already been assessed; it cannot take a seat.")
                    % {"ref": application.reference}
                )
            if current.assessor_id not in load:
                raise RuleError(
                    _(
                        "%(ref)s is assessed by %(assessor)s, who is not an assessor of this "
                        "event; reassign it first."
                    )
                    % {"ref": application.reference, "assessor": current.assessor}
                )
            assessor = current.assessor
        else:
            choices = [a for a in assessors if a.user_id != application.applicant_id]
            if not choices:
                raise RuleError(
                    _("No assessor of this event may assess %(ref)s.")
                    % {"ref": application.reference}
                )
            assessor = min(choices, key=lambda a: load[a.pk])
            try:
                assessment_services.assign(locked.created_by, application, assessor)
            except RuleError as error:
                raise RuleError(f"{application.reference}: {error.message}") from error
        load[assessor.pk] += 1
        seats.append(
            ScheduleCandidate(
                schedule=locked,
                application=application,
                assessor=assessor,
                placed_by=actor,
                placed_at=now,
            )
        )
    try:
        with transaction.atomic():
            ScheduleCandidate.objects.bulk_create(seats)
    except IntegrityError as exc:
        raise RuleError(_("An application already has a seat in an event.")) from exc
    return seats


def _check_application(locked: Schedule, application: Application) -> None:
    """9.1.6: confirmed eligible, of the event's scheme, in no other event."""
    if application.status != Application.Status.ELIGIBLE:
        raise RuleError(
            _("%(ref)s is not confirmed eligible (9.1.6); it cannot take a seat.")
            % {"ref": application.reference}
        )
    if application.scheme_id != locked.scheme_id:
        raise RuleError(
            _("%(ref)s is for another scheme than this event's.") % {"ref": application.reference}
        )
    seat = (
        ScheduleCandidate.objects.filter(application=application, is_active=True)
        .select_related("schedule")
        .first()
    )
    if seat is not None:
        raise RuleError(
            _("%(ref)s already has a seat in the event %(event)s.")
            % {"ref": application.reference, "event": seat.schedule.reference}
        )


def _lock_applications(ids: Iterable[int]) -> list[Application]:
    return list(
        Application.objects.select_for_update().filter(pk__in=sorted(set(ids))).order_by("pk")
    )


def place_candidates(
    user: User, schedule: Schedule, applications: Iterable[Application]
) -> list[ScheduleCandidate]:
    """Staff place eligible applications (9.1.6) in an event, all or none: the event row is
    locked, so the quota holds against applicants joining at the same moment."""
    require_role(user, Role.STAFF)
    ids = [a.pk for a in applications]
    if not ids:
        raise RuleError(_("Choose at least one application to place."))
    with transaction.atomic():
        locked = _lock(schedule)
        _require_not_over(locked)
        locked_apps = _lock_applications(ids)
        for application in locked_apps:
            _check_application(locked, application)
        seats = _place(user, locked, locked_apps)
        record(
            user,
            "schedule.candidates_placed",
            locked,
            applications=[a.reference for a in locked_apps],
        )
    return seats


def join_refusal(schedule: Schedule, on_date: datetime.date | None = None) -> str | None:
    """Why an applicant cannot join the event now, or None when they can."""
    today = on_date or timezone.localdate()
    if schedule.is_cancelled:
        return _("This event was cancelled.")
    if schedule.starts_at <= timezone.now():
        return _("This event has started; registration is closed.")
    if today < schedule.registration_opens:
        return _("Registration for this event opens on %(date)s.") % {
            "date": dates.format_date(schedule.registration_opens)
        }
    if today > schedule.registration_closes:
        return _("Registration for this event closed on %(date)s.") % {
            "date": dates.format_date(schedule.registration_closes)
        }
    return None


def join_schedule(user: User, schedule: Schedule) -> ScheduleCandidate:
    """An applicant whose application is confirmed eligible (9.1.6) takes a seat in an open event
    of its scheme: inside the registration window, not cancelled, a seat left (the event row
    locked: of many applicants racing for the last seats, exactly the quota get one)."""
    require_role(user, Role.APPLICANT)
    with transaction.atomic():
        locked = _lock(schedule)
        refusal = join_refusal(locked)
        if refusal:
            raise RuleError(refusal)
        # Their eligible application of the scheme; any other is named in the refusal.
        applications = Application.objects.select_for_update().filter(
            applicant=user, scheme_id=locked.scheme_id
        )
        application = (
            applications.filter(status=Application.Status.ELIGIBLE).order_by("-pk").first()
            or applications.order_by("-pk").first()
        )
        if application is None:
            raise RuleError(_("You have no application for this event's scheme."))
        _check_application(locked, application)
        if locked.candidates.filter(is_active=True).count() >= locked.quota:
            raise RuleError(_("This event is full; choose another one."))
        (seat,) = _place(user, locked, [application])
        record(user, "schedule.joined", locked, application=application.reference)
    return seat


def cancel_schedule(user: User, schedule: Schedule, *, reason: str) -> Schedule:
    """Staff cancel an event while no candidate has a test result recorded; the seats are released
    (the assessments stay as they are and may take a seat in another event)."""
    require_role(user, Role.STAFF)
    with transaction.atomic():
        locked = _lock(schedule)
        if locked.is_cancelled:
            raise RuleError(_("This event was already cancelled."))
        if not reason.strip():
            raise RuleError(_("Give the reason for cancelling."))
        applications = locked.candidates.filter(is_active=True).values("application_id")
        if Assessment.objects.filter(
            application_id__in=applications, is_current=True, results__isnull=False
        ).exists():
            raise RuleError(
                _("A candidate of this event has a recorded test result; it cannot be cancelled.")
            )
        locked.cancelled_at = timezone.now()
        locked.cancel_reason = reason.strip()
        locked.save(update_fields=["cancelled_at", "cancel_reason"])
        released = locked.candidates.filter(is_active=True).update(is_active=False)
        record(user, "schedule.cancelled", locked, reason=reason.strip(), released=released)
    return locked
