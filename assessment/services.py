"""Assessment rules (9.2, 9.3). Every change to an assessment goes through a function here.

Each function takes the acting user, checks the role and that the user is the case's assessor or
applicant (PermissionDenied), checks the allowed source status (RuleError), locks the assessment
row, saves, writes an AuditEvent and enqueues e-mail with transaction.on_commit, all in one
transaction.
"""

import datetime
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lsp_portal import dates, transitions
from lsp_portal.accounts.models import User
from lsp_portal.accounts.roles import Role, require_role
from lsp_portal.accounts.services import require_people_manager
from lsp_portal.audit.services import record
from lsp_portal.errors import RuleError
from lsp_portal.outbox import services as outbox
from registration import apl02
from registration.models import KUK, Application, Document, Element, Scheme, Unit

from . import coverage, tasks
from .inputs import (
    AdjustmentInput,
    EvidenceReviewInput,
    FeedbackAnswer,
    ItemRecordInput,
    ObservationInput,
    PlanHeaderInput,
    PlanItemInput,
    PortfolioCheckInput,
    ProcessReviewInput,
    ReportInput,
    ThirdPartyInput,
    UnitResultInput,
)
from .instruments.models import InstrumentBank, InstrumentItem, InstrumentKind
from .models import (
    INSTRUMENTS_NOT_YET,
    ITEM_INSTRUMENTS,
    MAX_UNIT_MINUTES,
    METHOD_OF_INSTRUMENT,
    Adjustment,
    Assessment,
    AssessmentPlan,
    Assessor,
    Assignment,
    EvidenceKind,
    EvidenceReview,
    Feedback,
    InstrumentRecord,
    Method,
    ObservationComment,
    ObservationRecord,
    PlanDocument,
    PlanItem,
    PortfolioCheck,
    ThirdPartyStatement,
    UnitResult,
    instrument_codes_in_order,
    method_labels,
)
from .reporting.models import AssessmentReport, CompetencyRecord, ProcessReview

Status = Assessment.Status
TRANSITIONS = Assessment.TRANSITIONS


# ---------------------------------------------------------------------------------------------
# Guards
# ---------------------------------------------------------------------------------------------


def _lock(assessment: Assessment) -> Assessment:
    # The row is locked on its own, then read with its relations. Locked in one query with the
    # joins, a row another transaction changed while this one waited is re-checked by PostgreSQL
    # against the joined rows read before: after a reassignment (new assessor) it no longer
    # matches and the second of two concurrent actions failed with DoesNotExist, not a refusal.
    list(Assessment.objects.select_for_update().filter(pk=assessment.pk).values_list("pk"))
    return Assessment.objects.select_related("application__scheme", "assessor__user").get(
        pk=assessment.pk
    )


def _require_status(assessment: Assessment, *allowed: str) -> None:
    if assessment.status not in allowed:
        if assessment.is_locked:
            raise RuleError(
                _(
                    "This assessment was submitted to the LSP and is read-only; "
                    "nothing can be changed any more."
                )
            )
        raise RuleError(
            _("This cannot be done while the assessment is at the step: %(status)s.")
            % {"status": assessment.get_status_display()}
        )


def _lock_as_assessor(user: User, assessment: Assessment, *allowed: str) -> Assessment:
    """The case's current assessor only; the row locked; the status one of `allowed`."""
    require_role(user, Role.ASSESSOR)
    locked = _lock(assessment)
    if locked.assessor.user_id != user.pk or not locked.is_current:
        raise PermissionDenied
    _require_status(locked, *allowed)
    return locked


def _lock_as_applicant(user: User, assessment: Assessment, *allowed: str) -> Assessment:
    require_role(user, Role.APPLICANT)
    locked = _lock(assessment)
    if locked.application.applicant_id != user.pk:
        raise PermissionDenied
    _require_status(locked, *allowed)
    return locked


def _require_impartiality(assessment: Assessment) -> None:
    """The assessor works on the case only after declaring impartiality (9.2.1-9.2.2)."""
    if not assessment.impartiality_declared_at:
        raise RuleError(_("Declare your impartiality before working on this case (9.2.2)."))


def _notify(assessment: Assessment, event: str) -> None:
    outbox.send(tasks.notify_assessment_event, assessment.pk, event)


def _render_plan_documents(assessment: Assessment) -> None:
    """FR.MAPA.01 and FR.AK.01 as PDFs, rendered once the change commits (a render that finds
    the same content stored does nothing)."""
    for kind in PlanDocument.Kind.values:
        document, _created = PlanDocument.objects.get_or_create(assessment=assessment, kind=kind)
        if document.pdf_status == PlanDocument.PDFStatus.READY:
            PlanDocument.objects.filter(pk=document.pk).update(
                pdf_status=PlanDocument.PDFStatus.PENDING
            )
        outbox.send(tasks.render_plan_document, document.pk)


def _check_units(assessment: Assessment, entries: Collection[Unit], *, complete: bool) -> None:
    """Every key must be a unit of the application's scheme; with `complete`, all units present."""
    units = list(assessment.application.scheme.units.all())
    unit_ids = {u.pk for u in units}
    for unit in entries:
        if unit.pk not in unit_ids:
            raise RuleError(
                _("Unit %(unit)s is not part of the scheme %(scheme)s.")
                % {"unit": unit.code, "scheme": assessment.application.scheme.name}
            )
    if complete:
        missing = [u.code for u in units if u not in entries]
        if missing:
            raise RuleError(
                _("Every unit needs an entry; missing: %(units)s.") % {"units": ", ".join(missing)}
            )


def _check_methods(unit: Unit, methods: Collection[str]) -> None:
    """At least one method per unit, each one of the methods of 9.3.1."""
    if not methods:
        raise RuleError(_("Choose at least one method for unit %(unit)s.") % {"unit": unit.code})
    unknown = set(methods) - set(Method.values)
    if unknown:
        raise RuleError(_("Unknown assessment method: %(m)s.") % {"m": ", ".join(sorted(unknown))})


def _check_assessor_can_assess(assessor: Assessor, scheme: Scheme) -> None:
    """9.2.2: only an active assessor with a current registration for the scheme, holding the
    Asesor role, is assigned."""
    today = timezone.localdate()
    if not assessor.is_active:
        raise RuleError(_("%(assessor)s is not an active assessor.") % {"assessor": assessor})
    if not assessor.registration_current(today):
        raise RuleError(
            _("The registration of %(assessor)s lapsed on %(date)s; they cannot be assigned.")
            % {"assessor": assessor, "date": dates.format_date(assessor.registration_valid_until)}
        )
    if not assessor.schemes.filter(pk=scheme.pk).exists():
        raise RuleError(
            _("%(assessor)s is not registered to assess the scheme %(scheme)s.")
            % {"assessor": assessor, "scheme": scheme.name}
        )
    if not assessor.user.has_role(Role.ASSESSOR):
        raise RuleError(_("%(assessor)s does not hold the Asesor role.") % {"assessor": assessor})


# ---------------------------------------------------------------------------------------------
# LSP staff: assignment (9.2.2)
# ---------------------------------------------------------------------------------------------


def assign(user: User, application: Application, assessor: Assessor) -> Assessment:
    """9.2.2: the LSP assigns a registered assessor to an eligible application; the assignment
    is kept as a row (who, from when, by whom) that outlives any reassignment."""
    require_role(user, Role.STAFF)
    with transaction.atomic():
        locked_app = Application.objects.select_for_update().get(pk=application.pk)
        if locked_app.status != Application.Status.ELIGIBLE:
            raise RuleError(_("Only an application confirmed eligible can be assessed."))
        if locked_app.assessments.filter(is_current=True).exists():
            raise RuleError(
                _("This application already has an assessor; reassign instead of assigning again.")
            )
        _check_assessor_can_assess(assessor, locked_app.scheme)
        if assessor.user_id == locked_app.applicant_id:
            raise RuleError(_("An assessor cannot assess their own application."))
        attempt = locked_app.assessments.count() + 1
        try:
            with transaction.atomic():
                assessment = Assessment.objects.create(
                    application=locked_app,
                    attempt=attempt,
                    assessor=assessor,
                    assigned_by=user,
                    assigned_at=timezone.now(),
                )
        except IntegrityError as exc:
            raise RuleError(_("This application already has an assessor.")) from exc
        Assignment.objects.create(
            assessment=assessment,
            assessor=assessor,
            assigned_by=user,
            started_at=assessment.assigned_at,
        )
        record(
            user,
            "assessment.assigned",
            assessment,
            to_status=assessment.status,
            assessor=str(assessor),
            application=locked_app.reference,
        )
        _notify(assessment, "assigned")
    return assessment


def reassign(user: User, assessment: Assessment, assessor: Assessor, *, reason: str) -> Assessment:
    """Another assessor takes over, allowed until a test result is recorded. The new assessor
    declares impartiality and sets a new plan, which both parties agree to; the evidence review is
    redone. The previous assessor's assignment is ended, not overwritten: they stay involved in
    the case for the conflict rules of 9.4.2 and 9.9.4."""
    require_role(user, Role.STAFF)
    with transaction.atomic():
        locked = _lock(assessment)
        _require_status(locked, *TRANSITIONS["assessment.reassigned"].sources)
        if not reason.strip():
            raise RuleError(_("Give the reason for reassigning."))
        if locked.results.exists() or locked.observations.exists():
            raise RuleError(
                _("A test result has been recorded; the assessor can no longer be changed.")
            )
        if assessor.pk == locked.assessor_id:
            raise RuleError(_("This assessor is already assigned."))
        _check_assessor_can_assess(assessor, locked.application.scheme)
        if assessor.user_id == locked.application.applicant_id:
            raise RuleError(_("An assessor cannot assess their own application."))
        previous_assessor = str(locked.assessor)
        now = timezone.now()
        # The assessment row is locked, so no other reassignment touches these rows meanwhile.
        locked.assignments.filter(ended_at__isnull=True).update(
            ended_at=now, ended_by=user, end_reason=reason.strip()
        )
        Assignment.objects.create(
            assessment=locked, assessor=assessor, assigned_by=user, started_at=now
        )
        # The new assessor declares impartiality, sets their own plan and both parties agree anew.
        locked.evidence_reviews.all().delete()
        locked.plan.all().delete()
        AssessmentPlan.objects.filter(assessment=locked).delete()
        locked.plan_set_at = None
        locked.instrument_bank = None
        locked.assessor = assessor
        locked.impartiality_declared_at = None
        locked.applicant_agreed_at = None
        locked.assessor_agreed_at = None
        locked.evidence_reviewed_at = None
        locked.proceed_to_test = None
        locked.not_recommended_reason = ""
        transitions.apply(
            user,
            locked,
            "assessment.reassigned",
            fields=[
                "plan_set_at",
                "instrument_bank",
                "assessor",
                "impartiality_declared_at",
                "applicant_agreed_at",
                "assessor_agreed_at",
                "evidence_reviewed_at",
                "proceed_to_test",
                "not_recommended_reason",
            ],
            reason=reason.strip(),
            from_assessor=previous_assessor,
            to_assessor=str(assessor),
        )
        _notify(locked, "assigned")
    return locked


# ---------------------------------------------------------------------------------------------
# The assessor and the applicant: impartiality, the plan (9.2.2-9.2.4, FR.MAPA.01) and the
# consent and confidentiality agreement (FR.AK.01)
# ---------------------------------------------------------------------------------------------


def declare_impartiality(user: User, assessment: Assessment) -> Assessment:
    """The assigned assessor (9.2.2) declares no personal, family or work relationship with the
    applicant, once, before seeing the evidence or setting the plan (impartiality, 9.2.1)."""
    with transaction.atomic():
        locked = _lock_as_assessor(user, assessment, Status.ASSIGNED)
        if locked.impartiality_declared_at:
            raise RuleError(_("Impartiality was already declared."))
        locked.impartiality_declared_at = timezone.now()
        locked.save(update_fields=["impartiality_declared_at", "updated_at"])
        record(user, "assessment.impartiality_declared", locked)
    return locked


def _check_choice(value: str, choices: type[models.TextChoices], what: str) -> None:
    if value not in choices.values:
        raise RuleError(
            _("Unknown choice for %(what)s: %(value)s.") % {"what": what, "value": value or "–"}
        )


def _check_plan_header(header: PlanHeaderInput) -> None:
    """FR.MAPA.01's header: every choice one of the form's, "other" explained, confirmed with
    someone."""
    Plan = AssessmentPlan
    _check_choice(header.approach, Plan.Approach, _("the assessment approach"))
    _check_choice(header.purpose, Plan.Purpose, _("the purpose of the assessment"))
    _check_choice(header.environment, Plan.Environment, _("the assessment environment"))
    _check_choice(
        header.evidence_opportunity, Plan.Opportunity, _("the opportunity to gather evidence")
    )
    _check_choice(header.assessed_by, Plan.AssessedBy, _("who assesses"))
    if header.approach == Plan.Approach.OTHER and not header.approach_other.strip():
        raise RuleError(_("Describe the other assessment approach."))
    if header.purpose == Plan.Purpose.OTHER and not header.purpose_other.strip():
        raise RuleError(_("Describe the other purpose of the assessment."))
    if not header.confirm_with:
        raise RuleError(_("Choose at least one person the plan is confirmed with."))
    for code in header.confirm_with:
        _check_choice(code, Plan.Confirm, _("the people to confirm with"))
    if Plan.Confirm.OTHER in header.confirm_with and not header.confirm_with_other.strip():
        raise RuleError(_("Name the other person the plan is confirmed with."))
    if not isinstance(header.start_time, datetime.time):
        raise RuleError(_("Give the agreed start time of the assessment."))


def _check_plan_item(unit: Unit, values: PlanItemInput) -> None:
    """FR.MAPA.01 per unit: at least one kind of evidence (L, TL, T), each a known one; the
    planned duration, when given, a whole number of minutes within a working day."""
    if not values.evidence_kinds:
        raise RuleError(
            _("Choose at least one kind of evidence (L, TL or T) for unit %(unit)s.")
            % {"unit": unit.code}
        )
    unknown = set(values.evidence_kinds) - set(EvidenceKind.values)
    if unknown:
        raise RuleError(
            _("Unknown kind of evidence for unit %(unit)s: %(kinds)s.")
            % {"unit": unit.code, "kinds": ", ".join(sorted(unknown))}
        )
    minutes = values.duration_minutes
    if minutes is not None and (
        isinstance(minutes, bool)
        or not isinstance(minutes, int)
        or not 1 <= minutes <= MAX_UNIT_MINUTES
    ):
        raise RuleError(
            _("The planned duration of unit %(unit)s must be 1 to %(max)s minutes.")
            % {"unit": unit.code, "max": MAX_UNIT_MINUTES}
        )


def _check_instruments(unit: Unit, values: PlanItemInput) -> None:
    """FR.MAPA.02 per unit: at least one instrument, each a known FR.IA form, not the written
    tests FR.IA.05/06 yet, each serving a method chosen for the unit, and every chosen method
    served by one (METHOD_OF_INSTRUMENT)."""
    instruments = set(values.instruments)
    if not instruments:
        raise RuleError(
            _("Choose at least one instrument (FR.MAPA.02) for unit %(unit)s.")
            % {"unit": unit.code}
        )
    unknown = instruments - set(InstrumentKind.values)
    if unknown:
        raise RuleError(
            _("Unknown instrument for unit %(unit)s: %(codes)s.")
            % {"unit": unit.code, "codes": ", ".join(sorted(unknown))}
        )
    not_yet = instruments & INSTRUMENTS_NOT_YET
    if not_yet:
        raise RuleError(
            _(
                "Unit %(unit)s: the written tests (%(codes)s) cannot be planned yet; the online "
                "written test comes later."
            )
            % {"unit": unit.code, "codes": ", ".join(f"FR.{c}" for c in sorted(not_yet))}
        )
    methods = set(values.methods)
    for code in instrument_codes_in_order(instruments):
        method = METHOD_OF_INSTRUMENT[code]
        if method not in methods:
            raise RuleError(
                _(
                    "Unit %(unit)s: FR.%(code)s belongs to the method “%(method)s”, which is not "
                    "chosen for this unit; choose the method or remove the instrument."
                )
                % {"unit": unit.code, "code": code, "method": method_labels([method])[0]}
            )
    served = {METHOD_OF_INSTRUMENT[code] for code in instruments}
    unserved = [m for m in Method.values if m in methods and m not in served]
    if unserved:
        raise RuleError(
            _("Unit %(unit)s: choose an instrument for the method(s): %(methods)s.")
            % {"unit": unit.code, "methods": ", ".join(method_labels(unserved))}
        )


def _instrument_bank_for(application: Application) -> InstrumentBank | None:
    """FR.MAPA.02: the instrument bank an assessment uses - the newest version of the scheme's
    bank written against the standard version pinned to the application, whose KUK the
    applicant answered FR-APL-02 against. A bank of another version names other KUK, so it is
    never pinned: when the scheme has a bank but none for that version, the plan is refused
    until staff import one. None when the scheme keeps no bank (or the application has no
    pinned standard): the instruments are then the assessor's own."""
    if application.standard_id is None:
        return None
    banks = InstrumentBank.objects.filter(scheme_id=application.scheme_id)
    bank = banks.filter(standard_id=application.standard_id).order_by("-number").first()
    if bank is None and banks.exists():
        raise RuleError(
            _(
                "The instrument bank of %(scheme)s is written for another version of the "
                "competency standard than the one this application was answered against; the "
                "LSP imports instruments for that version first."
            )
            % {"scheme": application.scheme.name}
        )
    return bank


def set_plan(
    user: User,
    assessment: Assessment,
    items: Mapping[Unit, PlanItemInput],
    *,
    header: PlanHeaderInput,
) -> Assessment:
    """FR.MAPA.01 (9.2.3-9.2.4): the header (approach, purpose, context, people to confirm with,
    start time) and per unit the kinds of evidence (L/TL/T), the methods (9.3.1), the planned
    duration, the date and a TUK verified on that date (9.3.2); and FR.MAPA.02, the instruments
    of each unit (_check_instruments), with the scheme's instrument bank pinned on the assessment
    (_instrument_bank_for). All or nothing: one refused value refuses the whole plan. Changing
    the plan withdraws both FR.AK.01 agreements, which must be given again."""
    with transaction.atomic():
        locked = _lock_as_assessor(user, assessment, Status.ASSIGNED)
        _require_impartiality(locked)
        _check_plan_header(header)
        _check_units(locked, items, complete=True)
        today = timezone.localdate()
        for unit, values in items.items():
            _check_plan_item(unit, values)
            _check_methods(unit, values.methods)
            _check_instruments(unit, values)
            dates.require_in_range(
                values.date, _("Test date of unit %(unit)s") % {"unit": unit.code}
            )
            if values.date < today:
                raise RuleError(
                    _("The test date of unit %(unit)s is in the past.") % {"unit": unit.code}
                )
            tuk = values.tuk
            if not tuk.is_verified_on(values.date):
                raise RuleError(
                    _(
                        "%(tuk)s is not verified on %(date)s (verified %(start)s to %(end)s); "
                        "choose another TUK or date for unit %(unit)s."
                    )
                    % {
                        "tuk": tuk.name,
                        "date": dates.format_date(values.date),
                        "start": dates.format_date(tuk.verified_on),
                        "end": dates.format_date(tuk.verified_until),
                        "unit": unit.code,
                    }
                )
        bank = _instrument_bank_for(locked.application)
        start_time = header.start_time.replace(second=0, microsecond=0)
        confirm_with = [c for c in AssessmentPlan.Confirm.values if c in header.confirm_with]
        header_values: dict[str, Any] = {
            "approach": header.approach,
            "approach_other": header.approach_other.strip()
            if header.approach == AssessmentPlan.Approach.OTHER
            else "",
            "purpose": header.purpose,
            "purpose_other": header.purpose_other.strip()
            if header.purpose == AssessmentPlan.Purpose.OTHER
            else "",
            "environment": header.environment,
            "evidence_opportunity": header.evidence_opportunity,
            "assessed_by": header.assessed_by,
            "confirm_with": confirm_with,
            "confirm_with_other": header.confirm_with_other.strip()
            if AssessmentPlan.Confirm.OTHER in header.confirm_with
            else "",
            "start_time": start_time,
        }
        AssessmentPlan.objects.update_or_create(assessment=locked, defaults=header_values)
        locked.plan.all().delete()
        PlanItem.objects.bulk_create(
            PlanItem(
                assessment=locked,
                unit=unit,
                methods=sorted(values.methods),
                evidence_kinds=[k for k in EvidenceKind.values if k in values.evidence_kinds],
                instruments=instrument_codes_in_order(values.instruments),
                duration_minutes=values.duration_minutes,
                date=values.date,
                tuk=values.tuk,
            )
            for unit, values in items.items()
        )
        had_agreement = bool(locked.applicant_agreed_at or locked.assessor_agreed_at)
        locked.plan_set_at = timezone.now()
        locked.applicant_agreed_at = None
        locked.assessor_agreed_at = None
        locked.instrument_bank = bank
        locked.save(
            update_fields=[
                "plan_set_at",
                "applicant_agreed_at",
                "assessor_agreed_at",
                "instrument_bank",
                "updated_at",
            ]
        )
        record(
            user,
            "assessment.plan_set",
            locked,
            units=len(items),
            agreements_reset=had_agreement,
            approach=header.approach,
            purpose=header.purpose,
            environment=header.environment,
            evidence_opportunity=header.evidence_opportunity,
            assessed_by=header.assessed_by,
            confirm_with=confirm_with,
            start_time=start_time.strftime("%H:%M"),
            evidence_kinds={
                unit.code: [k for k in EvidenceKind.values if k in values.evidence_kinds]
                for unit, values in items.items()
            },
            instruments={
                unit.code: instrument_codes_in_order(values.instruments)
                for unit, values in items.items()
            },
            instrument_bank=bank.number if bank else None,
        )
        _notify(locked, "plan_ready")
        _render_plan_documents(locked)
    return locked


def agree_plan(
    user: User, assessment: Assessment, *, plan: bool, confidentiality: bool
) -> Assessment:
    """FR.AK.01 (Persetujuan Asesmen dan Kerahasiaan): the applicant and the assessor each sign
    the consent and confidentiality agreement for the plan of FR.MAPA.01 - the applicant agrees to
    the assessment and that the evidence gathered is used for it and kept confidential; the
    assessor keeps the evidence and results confidential and uses them only for the assessment.
    When both have signed, the assessment moves on to the evidence review."""
    if user.has_role(Role.ASSESSOR) and assessment.assessor.user_id == user.pk:
        with transaction.atomic():
            locked = _lock_as_assessor(
                user, assessment, *TRANSITIONS["assessment.plan_agreed"].sources
            )
            _require_impartiality(locked)
            return _agree(user, locked, "assessor_agreed_at", plan and confidentiality)
    with transaction.atomic():
        locked = _lock_as_applicant(
            user, assessment, *TRANSITIONS["assessment.plan_agreed"].sources
        )
        return _agree(user, locked, "applicant_agreed_at", plan and confidentiality)


def _agree(user: User, locked: Assessment, field: str, ticked: bool) -> Assessment:
    if not ticked:
        raise RuleError(_("Tick both statements: the plan and confidentiality."))
    if not locked.plan_set_at:
        raise RuleError(_("The assessor has not set the plan yet."))
    if getattr(locked, field):
        raise RuleError(_("You have already agreed to this plan."))
    setattr(locked, field, timezone.now())
    transitions.apply(
        user,
        locked,
        "assessment.plan_agreed",
        fields=[field],
        stay=not locked.plan_agreed_by_both,
        party="applicant" if field == "applicant_agreed_at" else "assessor",
    )
    _render_plan_documents(locked)
    if locked.status == Status.PLAN_AGREED:
        _notify(locked, "plan_agreed")
    elif field == "assessor_agreed_at":
        _notify(locked, "plan_ready")
    return locked


# ---------------------------------------------------------------------------------------------
# Evidence review (9.2.5-9.2.6) and the competency test (9.3)
# ---------------------------------------------------------------------------------------------


def _check_review_keys(assessment: Assessment, keys: Collection[Unit | Element]) -> None:
    """The review covers exactly what FR-APL-02 asked of the application: each element of the
    pinned standard, or the unit as a whole where it has none (registration/apl02.py)."""
    expected = {_key_id(key): key for key in apl02.answer_keys(assessment.application)}
    given = {_key_id(key) for key in keys}
    foreign = given - expected.keys()
    if foreign:
        raise RuleError(
            _("The review names an element or unit this application was not asked about.")
        )
    missing = [key for key_id, key in expected.items() if key_id not in given]
    if missing:
        codes = dict.fromkeys(
            key.unit.code if isinstance(key, Element) else key.code for key in missing
        )
        raise RuleError(
            _("Every element needs a review; missing in units: %(units)s.")
            % {"units": ", ".join(codes)}
        )


def _key_id(key: Unit | Element) -> tuple[str, int]:
    return ("element", key.pk) if isinstance(key, Element) else ("unit", key.pk)


def review_evidence(
    user: User,
    assessment: Assessment,
    reviews: Mapping[Unit | Element, EvidenceReviewInput],
    *,
    proceed: bool,
    reason: str = "",
) -> Assessment:
    """9.2.5: VATM for the FR-APL-02 evidence of every element (or unit, for applications
    answered per unit); 9.2.6: recommend whether the applicant proceeds to the competency
    test. Not recommending needs a reason, shown to the applicant."""
    with transaction.atomic():
        locked = _lock_as_assessor(
            user, assessment, *TRANSITIONS["assessment.evidence_reviewed"].sources
        )
        if not proceed and not reason.strip():
            raise RuleError(_("Give the reason why the applicant is not recommended for the test."))
        _check_review_keys(locked, reviews)
        EvidenceReview.objects.bulk_create(
            EvidenceReview(
                assessment=locked,
                unit_id=key.unit_id if isinstance(key, Element) else key.pk,
                element=key if isinstance(key, Element) else None,
                valid=values.valid,
                authentic=values.authentic,
                current=values.current,
                sufficient=values.sufficient,
                note=values.note,
            )
            for key, values in reviews.items()
        )
        units_failing = {
            key.unit_id if isinstance(key, Element) else key.pk
            for key, values in reviews.items()
            if not values.meets_vatm
        }
        locked.evidence_reviewed_at = timezone.now()
        locked.proceed_to_test = bool(proceed)
        locked.not_recommended_reason = "" if proceed else reason.strip()
        transitions.apply(
            user,
            locked,
            "assessment.evidence_reviewed",
            fields=["evidence_reviewed_at", "proceed_to_test", "not_recommended_reason"],
            reason=locked.not_recommended_reason,
            proceed=bool(proceed),
            units_meeting_vatm=locked.application.scheme.units.exclude(
                pk__in=units_failing
            ).count(),
            elements_meeting_vatm=sum(1 for v in reviews.values() if v.meets_vatm),
        )
        _notify(locked, "evidence_reviewed")
    return locked


@dataclass(frozen=True)
class ResultsSaved:
    """What one save of the results page did: the units recorded, and the units refused with
    the reason (by unit id), which were left as they were."""

    assessment: Assessment
    saved: tuple[Unit, ...]
    refused: dict[int, str] = field(default_factory=dict)


def _unit_refusal(
    unit: Unit,
    values: UnitResultInput,
    plan_item: PlanItem | None,
    today: datetime.date,
    uncovered: Sequence[KUK] = (),
) -> str | None:
    """Why this unit's result cannot be recorded (9.3.1-9.3.3), or None when it can.
    `uncovered`: the unit's KUK no instrument has covered yet (assessment.coverage)."""
    if not values.methods:
        return _("Choose at least one method for unit %(unit)s.") % {"unit": unit.code}
    unknown = set(values.methods) - set(Method.values)
    if unknown:
        return _("Unknown assessment method: %(m)s.") % {"m": ", ".join(sorted(unknown))}
    if values.result not in UnitResult.Result.values:
        return _("The result must be K or BK.")
    if values.result == UnitResult.Result.K and not values.meets_vatm:
        return _(
            "Unit %(unit)s cannot be K: the evidence must be valid, authentic, "
            "current and sufficient (VATM, 9.3.3)."
        ) % {"unit": unit.code}
    if not values.evidence_observed.strip():
        return _("Describe the evidence observed for unit %(unit)s.") % {"unit": unit.code}
    if plan_item is None:
        return _("Unit %(unit)s has no plan.") % {"unit": unit.code}
    if plan_item.date > today:
        return _("Unit %(unit)s is planned for %(date)s; record its result from that day on.") % {
            "unit": unit.code,
            "date": dates.format_date(plan_item.date),
        }
    if not plan_item.tuk.is_verified_on(plan_item.date):
        return _("%(tuk)s was not verified on the test date %(date)s.") % {
            "tuk": plan_item.tuk.name,
            "date": dates.format_date(plan_item.date),
        }
    if values.result == UnitResult.Result.K and uncovered:
        return _(
            "Unit %(unit)s cannot be K: KUK %(kuks)s are not yet covered by an instrument judged "
            "satisfactory (9.3.3)."
        ) % {"unit": unit.code, "kuks": ", ".join(kuk.number for kuk in uncovered)}
    return None


def adjustment_refusal(assessment: Assessment, *, has_results: bool) -> str | None:
    """Why FR.AK.07 cannot be recorded (or changed) now, or None: after submission (9.3.5), and
    once a test result is recorded - the adjustments are agreed before the test."""
    if assessment.is_locked:
        return _(
            "This assessment was submitted to the LSP and is read-only; "
            "nothing can be changed any more."
        )
    if has_results:
        return _(
            "A test result has been recorded: the reasonable adjustments (FR.AK.07) are recorded "
            "before the test and can no longer be changed."
        )
    return None


def record_adjustment(user: User, assessment: Assessment, data: AdjustmentInput) -> Adjustment:
    """FR.AK.07 (9.3.1): before the competency test the case's assessor records whether the
    candidate needs a reasonable and justified adjustment, which needs, the candidate's situation
    and what is adjusted (time, the format of the questions, a reader or writer, equipment, the
    place). Only after the impartiality declaration (9.2.2) and before any unit result; saved
    again until then, it is updated. Never after submission (9.3.5)."""
    with transaction.atomic():
        locked = _lock_as_assessor(
            user, assessment, Status.ASSIGNED, Status.PLAN_AGREED, Status.EVIDENCE_REVIEWED
        )
        _require_impartiality(locked)
        refusal = adjustment_refusal(locked, has_results=locked.results.exists())
        if refusal:
            raise RuleError(refusal)
        needs = sorted(set(data.needs)) if data.needed else []
        unknown = set(needs) - set(Adjustment.Need.values)
        if unknown:
            raise RuleError(
                _("Unknown adjustment need: %(needs)s.") % {"needs": ", ".join(sorted(unknown))}
            )
        description = data.description.strip() if data.needed else ""
        adjustments = data.adjustments.strip() if data.needed else ""
        if data.needed:
            missing = []
            if not needs:
                missing.append(_("at least one need"))
            if not description:
                missing.append(_("the candidate's situation"))
            if not adjustments:
                missing.append(_("the adjustments to be made"))
            if missing:
                raise RuleError(
                    _("An adjustment is needed: give %(missing)s.")
                    % {"missing": ", ".join(str(m) for m in missing)}
                )
        values = {
            "needed": data.needed,
            "needs": needs,
            "description": description,
            "adjustments": adjustments,
            "agreed_with_candidate": data.agreed_with_candidate,
            "recorded_by": user,
        }
        adjustment, created = Adjustment.objects.update_or_create(
            assessment=locked,
            defaults=values,
            create_defaults={**values, "recorded_at": timezone.now()},
        )
        record(
            user,
            "assessment.adjustment_recorded",
            locked,
            needed=data.needed,
            needs=needs,
            agreed_with_candidate=data.agreed_with_candidate,
            updated=not created,
        )
    return adjustment


def record_results(
    user: User, assessment: Assessment, results: Mapping[Unit, UnitResultInput]
) -> Assessment:
    """9.3.1-9.3.4, per unit: the methods used, the evidence observed, VATM and K or BK. K is
    refused unless all four VATM rules hold and, for an assessment using an instrument bank, every
    KUK of the unit is covered by an instrument judged satisfactory (9.3.3, assessment.coverage).
    A unit is recorded only once its planned test
    date has come, at a TUK verified on that date. Saves may be partial until submission (9.3.5
    needs every unit). All or nothing: one refused unit refuses the whole call (RuleError)."""
    return _record_results(user, assessment, results, keep_valid=False).assessment


def record_valid_results(
    user: User, assessment: Assessment, results: Mapping[Unit, UnitResultInput]
) -> ResultsSaved:
    """The results page (9.3.1-9.3.4): the same rules as record_results, judged unit by unit.
    The units that pass are recorded and audited in one transaction; each refused unit is left
    as it was and returned with its reason, so one wrong row does not throw away the others.
    Whole-request faults (role, step, a unit of another scheme) still raise."""
    return _record_results(user, assessment, results, keep_valid=True)


def _record_results(
    user: User,
    assessment: Assessment,
    results: Mapping[Unit, UnitResultInput],
    *,
    keep_valid: bool,
) -> ResultsSaved:
    with transaction.atomic():
        locked = _lock_as_assessor(user, assessment, Status.EVIDENCE_REVIEWED)
        if not locked.proceed_to_test:
            raise RuleError(
                _("The applicant was not recommended for the competency test; submit instead.")
            )
        _check_units(locked, results, complete=False)
        plan = {item.unit_id: item for item in locked.plan.select_related("tuk")}
        today = timezone.localdate()
        judged_k = [u for u, v in results.items() if v.result == UnitResult.Result.K]
        covered = coverage.coverage(locked, judged_k) if judged_k else {}
        refused = {}
        for unit, values in results.items():
            unit_coverage = covered.get(unit.pk)
            uncovered = unit_coverage.missing if unit_coverage and unit_coverage.applies else []
            reason = _unit_refusal(unit, values, plan.get(unit.pk), today, uncovered)
            if reason is not None:
                if not keep_valid:
                    raise RuleError(reason)
                refused[unit.pk] = reason
        accepted = {u: v for u, v in results.items() if u.pk not in refused}
        for unit, values in accepted.items():
            UnitResult.objects.update_or_create(
                assessment=locked,
                unit=unit,
                defaults={
                    "methods": sorted(values.methods),
                    "evidence_observed": values.evidence_observed.strip(),
                    "valid": values.valid,
                    "authentic": values.authentic,
                    "current": values.current,
                    "sufficient": values.sufficient,
                    "result": values.result,
                },
            )
        if accepted:
            extra: dict[str, Any] = {"refused": sorted(u.code for u in results if u.pk in refused)}
            record(
                user,
                "assessment.results_recorded",
                locked,
                units={u.code: v.result for u, v in accepted.items()},
                **(extra if refused else {}),
            )
    return ResultsSaved(assessment=locked, saved=tuple(accepted), refused=refused)


def observation_refusal(
    assessment: Assessment, unit: Unit, plan_item: PlanItem | None, today: datetime.date
) -> str | None:
    """Why FR.IA.01 of `unit` cannot be recorded now, or None (instrument_refusal)."""
    return instrument_refusal(assessment, unit, plan_item, InstrumentKind.IA01, today)


def instrument_refusal(
    assessment: Assessment,
    unit: Unit,
    plan_item: PlanItem | None,
    kind: str,
    today: datetime.date,
) -> str | None:
    """Why instrument `kind` of `unit` cannot be recorded now, or None (the page shows it; the
    service refuses with it): after submission (9.3.5), outside the test phase, for an applicant
    not recommended for the test (9.2.6), for a unit whose plan (FR.MAPA.02) does not use the
    instrument, before the unit's test date, for an application with no pinned standard (no KUK
    to record against); an item instrument also needs the bank pinned with the plan."""
    if assessment.is_locked:
        return _(
            "This assessment was submitted to the LSP and is read-only; "
            "nothing can be changed any more."
        )
    if assessment.status != Status.EVIDENCE_REVIEWED:
        return _("Instruments are recorded in the competency test, after the evidence review.")
    if not assessment.proceed_to_test:
        return _("The applicant was not recommended for the competency test; submit instead.")
    if plan_item is None or kind not in plan_item.instruments:
        return _("The plan (FR.MAPA.02) does not use %(instrument)s for unit %(unit)s.") % {
            "instrument": InstrumentKind(kind).label,
            "unit": unit.code,
        }
    if plan_item.date > today:
        return _("Unit %(unit)s is planned for %(date)s; record its result from that day on.") % {
            "unit": unit.code,
            "date": dates.format_date(plan_item.date),
        }
    if assessment.application.standard_id is None:
        return _(
            "This application was answered per unit, before the competency standard was kept: "
            "there are no KUK to record against."
        )
    if kind in ITEM_INSTRUMENTS and assessment.instrument_bank_id is None:
        return _(
            "This assessment was planned without an instrument bank: its tasks and questions "
            "are the assessor's own and are described in the unit's result."
        )
    return None


def _unit_kuk_ids(assessment: Assessment, unit: Unit) -> set[int]:
    return set(
        KUK.objects.filter(
            element__unit=unit, element__version_id=assessment.application.standard_id
        ).values_list("pk", flat=True)
    )


def _lock_for_instrument(user: User, assessment: Assessment, unit: Unit, kind: str) -> Assessment:
    locked = _lock_as_assessor(user, assessment, Status.EVIDENCE_REVIEWED)
    _require_impartiality(locked)
    _check_units(locked, [unit], complete=False)
    plan_item = locked.plan.filter(unit=unit).first()
    refusal = instrument_refusal(locked, unit, plan_item, kind, timezone.localdate())
    if refusal:
        raise RuleError(refusal)
    return locked


Entry = TypeVar("Entry", ObservationRecord, InstrumentRecord)


def _save_entries(
    model: type[Entry],
    assessment: Assessment,
    key: str,
    values: Mapping[Any, dict[str, Any]],
) -> None:
    """Records one entry per key object (a KUK, a bank item) of `assessment`, updating those it
    has: one read, one bulk insert, one bulk update (the caller holds the assessment's lock)."""
    existing = {
        getattr(entry, f"{key}_id"): entry
        for entry in model._default_manager.filter(
            assessment=assessment, **{f"{key}__in": list(values)}
        )
    }
    new: list[Entry] = []
    changed: list[Entry] = []
    for target, fields in values.items():
        entry = existing.get(target.pk)
        if entry is None:
            new.append(model(assessment=assessment, **{key: target}, **fields))
        else:
            for name, value in fields.items():
                setattr(entry, name, value)
            changed.append(entry)
    if new:
        model._default_manager.bulk_create(new)
    if changed:
        model._default_manager.bulk_update(changed, list(next(iter(values.values()))))


def record_observations(
    user: User,
    assessment: Assessment,
    unit: Unit,
    rows: Mapping[KUK, ObservationInput],
    *,
    comment: str | None = None,
) -> Assessment:
    """FR.IA.01 (9.3.1, direct observation): the case's assessor records, for KUK of `unit`,
    whether each was achieved (Ya / Tidak) with a note, and a general comment on the unit (None:
    left as it is). Saved as the assessor works: the KUK given are recorded or updated, the
    others stay as they were. Only after the impartiality declaration (9.2.2), in the test phase
    as record_results, for a unit whose plan uses FR.IA.01 (FR.MAPA.02), and only KUK of that unit
    in the standard version pinned to the application. Refused after submission (9.3.5). All or
    nothing."""
    with transaction.atomic():
        locked = _lock_for_instrument(user, assessment, unit, InstrumentKind.IA01)
        if not rows and comment is None:
            raise RuleError(_("Nothing to record: mark at least one KUK."))
        allowed = _unit_kuk_ids(locked, unit)
        foreign = [kuk for kuk in rows if kuk.pk not in allowed]
        if foreign:
            raise RuleError(
                _(
                    "KUK %(kuks)s are not criteria of unit %(unit)s in the standard version this "
                    "application is assessed against."
                )
                % {"kuks": ", ".join(k.number for k in foreign), "unit": unit.code}
            )
        now = timezone.now()
        _save_entries(
            ObservationRecord,
            locked,
            "kuk",
            {
                kuk: {
                    "achieved": bool(values.achieved),
                    "note": values.note.strip()[:500],
                    "recorded_by": user,
                    "recorded_at": now,
                }
                for kuk, values in rows.items()
            },
        )
        if comment is not None:
            if comment.strip():
                ObservationComment.objects.update_or_create(
                    assessment=locked,
                    unit=unit,
                    defaults={"comment": comment.strip(), "recorded_by": user, "recorded_at": now},
                )
            else:
                ObservationComment.objects.filter(assessment=locked, unit=unit).delete()
        record(
            user,
            "assessment.observation_recorded",
            locked,
            unit=unit.code,
            kuks={kuk.number: bool(values.achieved) for kuk, values in rows.items()},
            comment=bool(comment and comment.strip()),
        )
    return locked


def record_instrument_items(
    user: User,
    assessment: Assessment,
    unit: Unit,
    kind: str,
    rows: Mapping[InstrumentItem, ItemRecordInput],
) -> Assessment:
    """FR.IA.02, 03, 04A/B, 07, 09 and 11 (9.3.1): the case's assessor records, for items of
    instrument `kind` of `unit` in the bank pinned with the plan (FR.MAPA.02), what the candidate
    answered or showed and whether it is satisfactory against the item's answer guide; a
    satisfactory item covers the KUK it names (9.3.3). Saved as the assessor works: the items
    given are recorded or updated, the others stay. The same guards as record_observations
    (9.2.2, the test phase, the plan, 9.3.5). All or nothing."""
    if kind not in ITEM_INSTRUMENTS:
        raise RuleError(_("%(kind)s is not recorded item by item.") % {"kind": kind})
    with transaction.atomic():
        locked = _lock_for_instrument(user, assessment, unit, kind)
        if not rows:
            raise RuleError(_("Nothing to record: judge at least one item."))
        foreign = [
            item
            for item in rows
            if item.bank_id != locked.instrument_bank_id
            or item.unit_id != unit.pk
            or item.kind != kind
        ]
        if foreign:
            raise RuleError(
                _(
                    "Items %(items)s are not %(instrument)s items of unit %(unit)s in the "
                    "instrument bank this assessment uses."
                )
                % {
                    "items": ", ".join(str(item.number) for item in foreign),
                    "instrument": InstrumentKind(kind).label,
                    "unit": unit.code,
                }
            )
        now = timezone.now()
        _save_entries(
            InstrumentRecord,
            locked,
            "item",
            {
                item: {
                    "response": values.response.strip(),
                    "satisfactory": bool(values.satisfactory),
                    "note": values.note.strip()[:500],
                    "recorded_by": user,
                    "recorded_at": now,
                }
                for item, values in rows.items()
            },
        )
        record(
            user,
            "assessment.instrument_recorded",
            locked,
            unit=unit.code,
            instrument=kind,
            items={str(item.number): bool(values.satisfactory) for item, values in rows.items()},
        )
    return locked


def _checked_kuks(locked: Assessment, unit: Unit, kuk_ids: Collection[int]) -> list[KUK]:
    """The KUK named by a portfolio check or a third-party statement: at least one, all of
    `unit` in the pinned standard version."""
    if not kuk_ids:
        raise RuleError(_("Tick at least one KUK the evidence shows."))
    allowed = _unit_kuk_ids(locked, unit)
    if set(kuk_ids) - allowed:
        raise RuleError(
            _(
                "Only KUK of unit %(unit)s in the standard version this application is assessed "
                "against can be ticked."
            )
            % {"unit": unit.code}
        )
    return list(KUK.objects.filter(pk__in=kuk_ids).order_by("position"))


def add_portfolio_check(
    user: User, assessment: Assessment, unit: Unit, data: PortfolioCheckInput
) -> PortfolioCheck:
    """FR.IA.08 (9.3.1 portfolio verification, 9.3.3): the case's assessor checks one piece of
    the candidate's portfolio for `unit` against VATM and ticks the KUK it shows - a document the
    applicant uploaded with the application (its name is the evidence's, unless another is
    given) or one shown on paper, described. A check that meets all four rules covers its KUK.
    The same guards as record_observations. All or nothing."""
    with transaction.atomic():
        locked = _lock_for_instrument(user, assessment, unit, InstrumentKind.IA08)
        document = None
        if data.document_id is not None:
            document = Document.objects.filter(
                pk=data.document_id, application_id=locked.application_id
            ).first()
            if document is None:
                raise RuleError(_("Choose a document of this application."))
        title = data.title.strip() or (document.original_name if document else "")
        if not title:
            raise RuleError(_("Name the evidence checked, or choose an uploaded document."))
        kuks = _checked_kuks(locked, unit, data.kuk_ids)
        check = PortfolioCheck.objects.create(
            assessment=locked,
            unit=unit,
            document=document,
            title=title[:255],
            valid=data.valid,
            authentic=data.authentic,
            current=data.current,
            sufficient=data.sufficient,
            note=data.note.strip()[:500],
            recorded_by=user,
            recorded_at=timezone.now(),
        )
        check.kuks.set(kuks)
        record(
            user,
            "assessment.portfolio_checked",
            locked,
            unit=unit.code,
            evidence=check.title,
            vatm=check.vatm_ok,
            kuks=[kuk.number for kuk in kuks],
        )
    return check


def add_third_party_statement(
    user: User, assessment: Assessment, unit: Unit, data: ThirdPartyInput
) -> ThirdPartyStatement:
    """FR.IA.10 (9.3.1, 9.3.3): the case's assessor records the clarification of a third party
    (a supervisor, lecturer or client who saw the candidate's work): who, their position and
    relation to the candidate, how they were reached, the date, what they stated and whether it
    supports the KUK ticked. The same guards as record_observations. All or nothing."""
    with transaction.atomic():
        locked = _lock_for_instrument(user, assessment, unit, InstrumentKind.IA10)
        values = {
            "person": data.person.strip(),
            "relation": data.relation.strip(),
            "contact": data.contact.strip(),
            "statement": data.statement.strip(),
        }
        labels = {
            "person": _("the third party's name"),
            "relation": _("their position and relation to the candidate"),
            "contact": _("their telephone or e-mail"),
            "statement": _("their statement"),
        }
        missing = [str(labels[key]) for key, value in values.items() if not value]
        if missing:
            raise RuleError(_("Give %(missing)s.") % {"missing": ", ".join(missing)})
        if data.clarified_on > timezone.localdate():
            raise RuleError(_("The clarification date cannot be in the future."))
        kuks = _checked_kuks(locked, unit, data.kuk_ids)
        statement = ThirdPartyStatement.objects.create(
            assessment=locked,
            unit=unit,
            person=values["person"][:200],
            relation=values["relation"][:200],
            contact=values["contact"][:200],
            statement=values["statement"],
            supports=data.supports,
            clarified_on=data.clarified_on,
            recorded_by=user,
            recorded_at=timezone.now(),
        )
        statement.kuks.set(kuks)
        record(
            user,
            "assessment.third_party_recorded",
            locked,
            unit=unit.code,
            person=statement.person,
            supports=data.supports,
            kuks=[kuk.number for kuk in kuks],
        )
    return statement


def remove_instrument_entry(
    user: User, assessment: Assessment, unit: Unit, kind: str, pk: int
) -> None:
    """Removes an FR.IA.08 check or an FR.IA.10 statement recorded in error, under the same
    guards as recording it (never after submission, 9.3.5); audited with what it held."""
    entries: models.QuerySet[PortfolioCheck] | models.QuerySet[ThirdPartyStatement]
    if kind == InstrumentKind.IA08:
        entries = PortfolioCheck.objects.all()
    elif kind == InstrumentKind.IA10:
        entries = ThirdPartyStatement.objects.all()
    else:
        raise RuleError(_("%(kind)s entries are not removed one by one.") % {"kind": kind})
    with transaction.atomic():
        locked = _lock_for_instrument(user, assessment, unit, kind)
        entry = entries.filter(assessment=locked, unit=unit, pk=pk).first()
        if entry is None:
            raise RuleError(_("This entry no longer exists."))
        described = str(entry)
        entry.delete()
        record(
            user,
            "assessment.instrument_entry_removed",
            locked,
            unit=unit.code,
            instrument=kind,
            entry=described,
        )


def submit_recommendation(
    user: User, assessment: Assessment, *, note: str = "", report: ReportInput | None = None
) -> Assessment:
    """9.3.5: the assessor submits the records and the recommendation to the LSP; from then on they
    are read-only. "Kompeten" only when every unit is K, otherwise "Belum Kompeten" (9.3.4). In
    the same transaction the assessor's report FR.AK.05 is written with the assessor's notes
    (`report`, all optional), signed by the submitting assessor at the moment of submission, and
    its PDF is rendered by Celery."""
    report = report or ReportInput()
    with transaction.atomic():
        locked = _lock_as_assessor(user, assessment, *TRANSITIONS["assessment.submitted"].sources)
        if locked.proceed_to_test:
            results = {r.unit_id: r for r in locked.results.select_related("unit")}
            missing = [u.code for u in locked.application.scheme.units.all() if u.pk not in results]
            if missing:
                raise RuleError(
                    _("Record a result for every unit before submitting; missing: %(units)s.")
                    % {"units": ", ".join(missing)}
                )
            judged_k = [r.unit for r in results.values() if r.result == UnitResult.Result.K]
            uncovered = [
                unit_coverage.unit.code
                for unit_coverage in coverage.coverage(locked, judged_k).values()
                if not unit_coverage.complete
            ]
            if uncovered:
                raise RuleError(
                    _(
                        "Units %(units)s are recorded K but some of their KUK are no longer "
                        "covered by an instrument judged satisfactory (9.3.3): record the "
                        "evidence again or change the result."
                    )
                    % {"units": ", ".join(uncovered)}
                )
            all_k = all(r.result == UnitResult.Result.K for r in results.values())
            recommendation = Assessment.Recommendation.K if all_k else Assessment.Recommendation.BK
        else:
            recommendation = Assessment.Recommendation.BK
        locked.recommendation = recommendation
        locked.recommendation_note = note.strip()
        locked.submitted_at = timezone.now()
        transitions.apply(
            user,
            locked,
            "assessment.submitted",
            fields=["recommendation", "recommendation_note", "submitted_at"],
            recommendation=recommendation,
            bk_units=[u.code for u in locked.bk_units()],
        )
        written = AssessmentReport.objects.create(
            assessment=locked,
            aspects=report.aspects.strip(),
            objection=report.objection.strip(),
            improvements=report.improvements.strip(),
            notes=report.notes.strip(),
            signed_by=user,
            signed_at=locked.submitted_at,
        )
        outbox.send(tasks.render_report_pdf, written.pk)
        competency_record = CompetencyRecord.objects.create(
            assessment=locked,
            follow_up=report.follow_up.strip(),
            feedback=report.feedback.strip(),
            signed_by=user,
            signed_at=locked.submitted_at,
        )
        outbox.send(tasks.render_record_pdf, competency_record.pk)
        _notify(locked, "submitted")
    return locked


RETRY_TASKS: dict[str, tuple[type[CompetencyRecord | AssessmentReport | ProcessReview], Any]] = {
    "ak02": (CompetencyRecord, tasks.render_record_pdf),
    "ak05": (AssessmentReport, tasks.render_report_pdf),
    "ak06": (ProcessReview, tasks.render_review_pdf),
}


def retry_render(user: User, assessment: Assessment, kind: str) -> None:
    """Staff ask again for the FR.AK.02, FR.AK.05 or FR.AK.06 PDF of a case whose rendering
    failed (after the task gave up retrying); the document's data is not touched."""
    require_role(user, Role.STAFF)
    if kind not in RETRY_TASKS:
        raise RuleError(_("Unknown document."))
    model, task = RETRY_TASKS[kind]
    with transaction.atomic():
        locked = model._default_manager.select_for_update().filter(assessment=assessment).first()
        if locked is None:
            raise RuleError(_("This document does not exist yet."))
        if locked.pdf_status != model.PDFStatus.FAILED:
            raise RuleError(_("This PDF has not failed; there is nothing to render again."))
        locked.pdf_status = model.PDFStatus.PENDING
        locked.pdf_error = ""
        locked.save(update_fields=["pdf_status", "pdf_error"])
        record(user, "pdf.retry", locked)
        outbox.send(task, locked.pk)


# ---------------------------------------------------------------------------------------------
# The applicant after submission: sign or decline (9.9.8.a), feedback (FR-AK-03)
# ---------------------------------------------------------------------------------------------


def _render_competency_record(assessment: Assessment) -> None:
    """FR.AK.02 shows the candidate's signature (or the refusal): rendered again after it."""
    pk = CompetencyRecord.objects.filter(assessment=assessment).values_list("pk", flat=True).first()
    if pk is not None:
        outbox.send(tasks.render_record_pdf, pk)


def sign_result(user: User, assessment: Assessment) -> Assessment:
    """The applicant signs the submitted result (9.3.5), once - or declines to sign instead
    (decline_to_sign, 9.9.8.a)."""
    with transaction.atomic():
        locked = _lock_as_applicant(user, assessment, Status.RECOMMENDED)
        if locked.applicant_signed_at or locked.signature_declined_at:
            raise RuleError(_("You have already responded to this result."))
        locked.applicant_signed_at = timezone.now()
        locked.save(update_fields=["applicant_signed_at", "updated_at"])
        record(user, "assessment.result_signed", locked)
        _render_competency_record(locked)
    return locked


def decline_to_sign(user: User, assessment: Assessment, *, comment: str) -> Assessment:
    """9.9.8.a: an applicant who finds the treatment unfair need not sign the result; the comment
    is kept for the technical team and any appeal."""
    with transaction.atomic():
        locked = _lock_as_applicant(user, assessment, Status.RECOMMENDED)
        if not comment.strip():
            raise RuleError(_("Say why you do not sign the result."))
        if locked.applicant_signed_at or locked.signature_declined_at:
            raise RuleError(_("You have already responded to this result."))
        locked.signature_declined_at = timezone.now()
        locked.signature_decline_comment = comment.strip()
        locked.save(
            update_fields=["signature_declined_at", "signature_decline_comment", "updated_at"]
        )
        record(user, "assessment.signature_declined", locked, reason=comment.strip())
        _render_competency_record(locked)
    return locked


def give_feedback(
    user: User, assessment: Assessment, *, answers: Sequence[FeedbackAnswer], comment: str = ""
) -> Feedback:
    """FR-AK-03: the applicant's feedback, once, after the result was submitted."""
    with transaction.atomic():
        locked = _lock_as_applicant(user, assessment, Status.RECOMMENDED)
        if len(answers) != len(Feedback.QUESTIONS):
            raise RuleError(_("Answer every question of the feedback form."))
        if Feedback.objects.filter(assessment=locked).exists():
            raise RuleError(_("You have already given feedback on this assessment."))
        feedback = Feedback.objects.create(
            assessment=locked,
            answers=[{"yes": a.yes, "comment": a.comment} for a in answers],
            comment=comment.strip(),
        )
        record(
            user,
            "assessment.feedback_given",
            locked,
            negative=sum(1 for a in answers if not a.yes),
        )
    return feedback


# ---------------------------------------------------------------------------------------------
# After the submission: the review of the assessment process (FR.AK.06)
# ---------------------------------------------------------------------------------------------


def may_review_process(user: User, assessment: Assessment) -> bool:
    """Who fills FR.AK.06: the case's current assessor, or LSP staff as lead assessor."""
    if user.has_role(Role.STAFF):
        return True
    return (
        user.has_role(Role.ASSESSOR)
        and assessment.assessor.user_id == user.pk
        and assessment.is_current
    )


def review_process(user: User, assessment: Assessment, data: ProcessReviewInput) -> ProcessReview:
    """FR.AK.06 Meninjau Proses Asesmen: after the records were submitted (9.3.5), the case's
    assessor or LSP staff (as lead assessor) review the assessment once - for each stage of the
    procedure (plan, preparation, implementation, decision, feedback) whether the principles of
    assessment were met (valid, reliable, flexible, fair), recommendations for improvement, and
    for the consistency of decisions the dimensions of competency checked (task, task
    management, contingency management, job role/environment, transfer skills). Signed by the
    reviewer; read-only from then on. Its PDF is rendered by Celery."""
    with transaction.atomic():
        locked = _lock(assessment)
        if not may_review_process(user, locked):
            raise PermissionDenied
        if locked.status != Status.RECOMMENDED:
            raise RuleError(
                _(
                    "The assessment process is reviewed (FR.AK.06) once the records were "
                    "submitted to the LSP (9.3.5)."
                )
            )
        if ProcessReview.objects.filter(assessment=locked).exists():
            raise RuleError(_("The assessment process of this case has already been reviewed."))
        stages = set(ProcessReview.Stage.values)
        principles_allowed = set(ProcessReview.Principle.values)
        unknown = set(data.principles) - stages
        unknown |= {p for met in data.principles.values() for p in met} - principles_allowed
        unknown |= set(data.dimensions) - set(ProcessReview.Dimension.values)
        if unknown:
            raise RuleError(
                _("Unknown entry in the review: %(codes)s.") % {"codes": ", ".join(sorted(unknown))}
            )
        principles = {
            stage: [
                p for p in ProcessReview.Principle.values if p in data.principles.get(stage, ())
            ]
            for stage in ProcessReview.Stage.values
        }
        review = ProcessReview.objects.create(
            assessment=locked,
            principles=principles,
            recommendations=data.recommendations.strip(),
            dimensions=[d for d in ProcessReview.Dimension.values if d in data.dimensions],
            consistency_recommendations=data.consistency_recommendations.strip(),
            reviewed_by=user,
            reviewed_at=timezone.now(),
        )
        record(
            user,
            "assessment.process_reviewed",
            locked,
            principles_met=sum(len(met) for met in principles.values()),
            dimensions=review.dimensions,
            as_staff=locked.assessor.user_id != user.pk,
        )
        outbox.send(tasks.render_review_pdf, review.pk)
    return review


# ---------------------------------------------------------------------------------------------
# Reassessment after an upheld appeal (9.9.8.d)
# ---------------------------------------------------------------------------------------------


def reopen_for_reassessment(user: User, assessment: Assessment, *, reason: str) -> Assessment:
    """9.9.8.d: when an appeal finds unfair treatment, the applicant is given a new assessment to
    show they are competent. The assessment that led to the decision stops being the
    application's current one, so staff assign an assessor (possibly another, `assign`) for a new
    attempt; both attempts stay. Called by appeals.services.answer (the director's answer, which
    checks the role) inside its transaction; refused when a reassessment was opened already."""
    with transaction.atomic():
        locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
        if not locked.is_current:
            raise RuleError(_("A reassessment has already been opened for this application."))
        locked.is_current = False
        locked.save(update_fields=["is_current"])
        record(
            user,
            "assessment.reopened",
            locked.application,
            reason=reason,
            assessment=locked.pk,
            attempt=locked.attempt,
        )
    return locked


# ---------------------------------------------------------------------------------------------
# The assessor registry: the Asesor role's data, granted and removed on the people pages
# (lsp_portal.accounts.role_hooks; registered in apps.py)
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AssessorRegistration:
    """What the LSP keeps of an assessor it assigns (9.2.2): the BNSP registration number (No.
    Reg. MET), until when it is valid, and the schemes the assessor may assess."""

    registration_number: str
    valid_until: datetime.date
    schemes: tuple[Scheme, ...]


def register_assessor(user: User, person: User, data: AssessorRegistration) -> dict[str, Any]:
    """The registry record of a person granted the Asesor role (called by
    accounts.services.grant_role inside its transaction, with the person's row locked). A
    person who was an assessor before gets their record back, updated: assignments refer to it.
    Refused: a registration that has lapsed (only a registered assessor is assigned, 9.2.2), a
    No. Reg. MET of another assessor, no scheme. Returns what the role's audit event keeps."""
    require_people_manager(user)
    number = " ".join(data.registration_number.split()).upper()
    dates.require_in_range(data.valid_until, _("Registration valid until"))
    if data.valid_until < timezone.localdate():
        raise RuleError(
            _(
                "The registration %(number)s has lapsed (%(date)s): only a registered assessor is "
                "assigned (9.2.2)."
            )
            % {"number": number, "date": dates.format_date(data.valid_until)}
        )
    if not data.schemes:
        raise RuleError(_("Choose at least one scheme the assessor may assess."))
    if Assessor.objects.filter(registration_number__iexact=number).exclude(user=person).exists():
        raise RuleError(
            _("The No. Reg. MET %(number)s belongs to another assessor.") % {"number": number}
        )
    with transaction.atomic():
        profile = Assessor.objects.select_for_update().filter(user=person).first()
        try:
            with transaction.atomic():
                if profile is None:
                    profile = Assessor.objects.create(
                        user=person,
                        registration_number=number,
                        registration_valid_until=data.valid_until,
                    )
                else:
                    profile.registration_number = number
                    profile.registration_valid_until = data.valid_until
                    profile.is_active = True
                    profile.save(
                        update_fields=[
                            "registration_number",
                            "registration_valid_until",
                            "is_active",
                        ]
                    )
        except IntegrityError:  # the same number registered for someone else a moment ago
            raise RuleError(
                _("The No. Reg. MET %(number)s belongs to another assessor.") % {"number": number}
            ) from None
        profile.schemes.set(data.schemes)
        details: dict[str, Any] = {
            "registration_number": number,
            "valid_until": data.valid_until.isoformat(),
            "schemes": sorted(scheme.code for scheme in data.schemes),
        }
        record(user, "assessor.registered", profile, **details)
    return details


def assessor_in_use(person: User) -> str:
    """Why the Asesor role cannot be taken from `person` now: the current assessment attempts
    they hold that are not yet submitted (9.3.5) - reassign them first (9.2.2); "" if none."""
    open_cases = (
        Assessment.objects.filter(assessor__user=person, is_current=True)
        .exclude(status=Status.RECOMMENDED)
        .count()
    )
    if not open_cases:
        return ""
    return _("%(name)s still holds %(count)s open assessment(s); reassign them first (9.2.2).") % {
        "name": person,
        "count": open_cases,
    }


def retire_assessor(user: User, person: User) -> dict[str, Any]:
    """The Asesor role is removed (accounts.services.remove_role, which refused first while
    assessor_in_use says why not): the record stays, inactive - the assignments, plans and
    results of the cases they assessed refer to it, and the conflict rules of 9.4.2 and 9.9.4
    still see who assessed whom. Nothing is deleted."""
    require_people_manager(user)
    with transaction.atomic():
        profile = Assessor.objects.select_for_update().filter(user=person).first()
        if profile is None:
            return {}
        reason = assessor_in_use(person)
        if reason:
            raise RuleError(reason)
        if profile.is_active:
            profile.is_active = False
            profile.save(update_fields=["is_active"])
        record(user, "assessor.retired", profile)
    return {"registration_number": profile.registration_number}


def assessor_registry(person: User) -> list[tuple[str, str]]:
    """The registry data shown on the person page: (label, value) pairs; [] if none."""
    profile = Assessor.objects.filter(user=person).prefetch_related("schemes").first()
    if profile is None:
        return []
    state = _("current") if profile.registration_current() else _("lapsed")
    rows = [
        (_("No. Reg. MET"), profile.registration_number),
        (
            _("Registration valid until"),
            f"{dates.format_date(profile.registration_valid_until)} ({state})",
        ),
        (_("Schemes"), ", ".join(scheme.name for scheme in profile.schemes.all()) or "–"),
    ]
    if not profile.is_active:
        rows.append((_("Registry record"), _("inactive (kept for the history)")))
    return rows
