"""Registration rules (9.1). Every change to an application goes through a function here.

Each function takes the acting user, checks permission (PermissionDenied) and the allowed source
status (RuleError), locks the application row, saves, writes an AuditEvent, and enqueues side
effects (e-mail) with transaction.on_commit - all in one transaction, so a refused or failed action
changes nothing. Files are written to storage inside the transaction and deleted again if it does
not commit."""

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lsp_portal import dates
from lsp_portal.accounts.roles import Role
from lsp_portal.audit.services import record
from lsp_portal.errors import RuleError
from lsp_portal.outbox import services as outbox

from . import eligibility, tasks
from .models import Application, Document, Experience, SelfAssessment, private_storage
from .uploads import delete_stored_files_on_failure as _delete_stored_files_on_failure

Status = Application.Status

PERSONAL_FIELDS = Application.PERSONAL_FIELDS


# ---------------------------------------------------------------------------------------------
# Guards
# ---------------------------------------------------------------------------------------------


def _require_role(user, role):
    if not user.has_role(role):
        raise PermissionDenied


def _lock(application):
    return Application.objects.select_for_update().select_related("scheme").get(pk=application.pk)


def _lock_own_editable(user, application):
    """The applicant may change FR-APL-01/02 only while it is a draft or a revision was asked."""
    _require_role(user, Role.APPLICANT)
    if application.applicant_id != user.pk:
        raise PermissionDenied
    locked = _lock(application)
    if not locked.is_editable:
        raise RuleError(
            _(
                "This application has been submitted and can no longer be changed. "
                "You can change it again if the LSP asks for a revision."
            )
        )
    return locked


def _lock_for_review(user, application):
    """Staff review (9.1.6) only applications that were submitted."""
    _require_role(user, Role.STAFF)
    locked = _lock(application)
    if locked.status != Status.SUBMITTED:
        raise RuleError(
            _("Only a submitted application can be reviewed; this one is %(status)s.")
            % {"status": locked.get_status_display()}
        )
    return locked


def _delete_files_after_commit(names):
    storage = private_storage()
    transaction.on_commit(lambda: [storage.delete(name) for name in names if name])


def _store(document, checked, stored):
    document.content_type = checked.content_type
    document.size = checked.size
    document.sha256 = checked.sha256
    document.original_name = checked.original_name
    document.file.save("upload", checked.file, save=False)
    stored.append(document.file.name)
    document.save()
    return document


# ---------------------------------------------------------------------------------------------
# The applicant
# ---------------------------------------------------------------------------------------------


def start_application(user, scheme):
    """Open a draft FR-APL-01 for `scheme`; an applicant has at most one open application per
    scheme."""
    _require_role(user, Role.APPLICANT)
    if not scheme.is_open:
        raise RuleError(_("This scheme is not open for applications."))
    existing = Application.objects.active().filter(applicant=user, scheme=scheme).first()
    if existing:
        return existing
    try:
        with transaction.atomic():
            application = Application.objects.create(
                applicant=user, scheme=scheme, full_name=user.full_name, email=user.email
            )
            record(user, "application.created", application, to_status=application.status)
    except IntegrityError:  # a concurrent request created it first
        return Application.objects.active().get(applicant=user, scheme=scheme)
    return application


def save_personal_data(user, application, data, completed_courses):
    """FR-APL-01 personal and education data (9.1.2), and the completed courses (6.1)."""
    with transaction.atomic():
        locked = _lock_own_editable(user, application)
        valid_courses = set(locked.scheme.required_courses.values_list("pk", flat=True))
        if any(course.pk not in valid_courses for course in completed_courses):
            raise RuleError(_("A selected course does not belong to this scheme."))
        dates.require_in_range(data.get("birth_date"), _("Date of birth"), "birth")
        for name in PERSONAL_FIELDS:
            setattr(locked, name, data[name])
        locked.save(update_fields=[*PERSONAL_FIELDS, "updated_at"])
        locked.completed_courses.set(completed_courses)
    return locked


def add_experience(user, application, data):
    """One work or internship entry (6.2); dates ordered and hours not negative (form and DB)."""
    with transaction.atomic():
        locked = _lock_own_editable(user, application)
        field = data.get("field")
        if field is not None and field.scheme_id != locked.scheme_id:
            raise RuleError(_("The selected field does not belong to this scheme."))
        dates.require_in_range(data["start_date"], _("Start date"), "history")
        dates.require_in_range(data["end_date"], _("End date"), "history")
        if data["end_date"] < data["start_date"]:
            raise RuleError(_("The end date is before the start date."))
        if data["hours"] < 0:
            raise RuleError(_("Hours cannot be negative."))
        return Experience.objects.create(application=locked, **data)


def remove_experience(user, application, experience_pk):
    with transaction.atomic():
        locked = _lock_own_editable(user, application)
        deleted, _rows = locked.experiences.filter(pk=experience_pk).delete()
        if not deleted:
            raise RuleError(_("That entry no longer exists."))


def upload_document(user, application, requirement, checked):
    """Attach a checked upload (uploads.check_upload) as one of the required documents (9.1.2)."""
    if requirement.scheme_id != application.scheme_id:
        raise RuleError(_("That document is not required by this scheme."))
    if requirement.images_only and not checked.content_type.startswith("image/"):
        raise RuleError(_("%(document)s must be a JPEG or PNG image.") % {"document": requirement})
    with _delete_stored_files_on_failure() as stored, transaction.atomic():
        locked = _lock_own_editable(user, application)
        have = locked.documents.filter(requirement=requirement).count()
        if have >= requirement.quantity:
            raise RuleError(
                _("%(document)s already has %(count)s file(s). Remove one before adding another.")
                % {"document": requirement, "count": have}
            )
        document = _store(Document(application=locked, requirement=requirement), checked, stored)
        record(user, "document.uploaded", locked, document=str(document), document_id=document.pk)
    return document


def remove_document(user, application, document_pk):
    """Remove an uploaded file; an FR-APL-02 answer that used it as evidence loses its evidence."""
    with transaction.atomic():
        locked = _lock_own_editable(user, application)
        document = locked.documents.filter(pk=document_pk).first()
        if document is None:
            raise RuleError(_("That file no longer exists."))
        name = document.file.name
        label = str(document)
        document.delete()
        record(user, "document.removed", locked, document=label)
        _delete_files_after_commit([name])


def save_self_assessment(user, application, answers):
    """FR-APL-02 (9.1.3): a K/BK answer per unit, with a note and evidence.

    `answers` maps each unit to a dict with `answer`, `note`, and either `evidence` (one of the
    application's documents) or `upload` (a checked upload, stored as new evidence). All or nothing.
    """
    with _delete_stored_files_on_failure() as stored, transaction.atomic():
        locked = _lock_own_editable(user, application)
        unit_ids = set(locked.scheme.units.values_list("pk", flat=True))
        own_documents = {d.pk: d for d in locked.documents.all()}
        replaced_files = []
        for unit, values in answers.items():
            if unit.pk not in unit_ids:
                raise RuleError(
                    _("Unit %(unit)s is not part of this scheme.") % {"unit": unit.code}
                )
            evidence = values.get("evidence")
            if evidence is not None and evidence.pk not in own_documents:
                raise RuleError(_("The selected evidence is not one of your documents."))
            upload = values.get("upload")
            if upload is not None:
                evidence = _store(Document(application=locked), upload, stored)
            current = SelfAssessment.objects.filter(application=locked, unit=unit).first()
            previous = current.evidence if current else None
            SelfAssessment.objects.update_or_create(
                application=locked,
                unit=unit,
                defaults={
                    "answer": values["answer"],
                    "note": values.get("note", ""),
                    "evidence": evidence,
                },
            )
            # Evidence uploaded for this unit alone and now replaced is no longer used anywhere.
            if (
                previous is not None
                and previous.requirement_id is None
                and previous != evidence
                and not previous.self_assessments.exclude(unit=unit).exists()
            ):
                replaced_files.append(previous.file.name)
                previous.delete()
        record(user, "self_assessment.saved", locked, units=len(answers))
        _delete_files_after_commit(replaced_files)
    return locked


def submit(user, application, *, agreed):
    """Submit FR-APL-01/02 to the LSP: every required document, an answer for every unit and the
    applicant's agreement to the scheme's terms (9.1.5, recorded with time) are needed."""
    with transaction.atomic():
        locked = _lock_own_editable(user, application)
        checks = eligibility.completeness_checks(locked)
        missing = [c for c in checks if not c.passed]
        if missing:
            raise RuleError(
                _("The application is not complete: %(missing)s.")
                % {"missing": "; ".join(f"{c.label}: {c.reason}" for c in missing)}
            )
        if not agreed:
            raise RuleError(_("You must agree to the certification terms before submitting."))
        previous = locked.status
        now = timezone.now()
        locked.status = Status.SUBMITTED
        locked.agreed_at = now
        locked.submitted_at = now
        locked.submission_count += 1
        locked.save(
            update_fields=["status", "agreed_at", "submitted_at", "submission_count", "updated_at"]
        )
        record(
            user,
            "application.submitted",
            locked,
            from_status=previous,
            to_status=locked.status,
            eligibility={c.code: c.passed for c in eligibility.eligibility_checks(locked)},
        )
        outbox.send(tasks.notify_staff_submitted, locked.pk)
    return locked


def withdraw(user, application, *, reason=""):
    """The applicant withdraws an application that has not been decided yet."""
    _require_role(user, Role.APPLICANT)
    if application.applicant_id != user.pk:
        raise PermissionDenied
    with transaction.atomic():
        locked = _lock(application)
        allowed = (Status.DRAFT, Status.SUBMITTED, Status.REVISION_REQUESTED)
        if locked.status not in allowed:
            raise RuleError(
                _("An application that is %(status)s cannot be withdrawn.")
                % {"status": locked.get_status_display()}
            )
        previous = locked.status
        locked.status = Status.WITHDRAWN
        locked.save(update_fields=["status", "updated_at"])
        record(
            user,
            "application.withdrawn",
            locked,
            from_status=previous,
            to_status=locked.status,
            reason=reason,
        )
    return locked


# ---------------------------------------------------------------------------------------------
# LSP staff (9.1.6)
# ---------------------------------------------------------------------------------------------


def _decide(user, locked, *, to_status, action, note):
    """Apply a review decision to an application already locked by _lock_for_review."""
    previous = locked.status
    locked.status = to_status
    locked.review_note = note
    locked.reviewed_at = timezone.now()
    locked.reviewed_by = user
    locked.save(update_fields=["status", "review_note", "reviewed_at", "reviewed_by", "updated_at"])
    record(user, action, locked, from_status=previous, to_status=to_status, reason=note)
    outbox.send(tasks.notify_applicant_of_review, locked.pk, to_status)
    return locked


def confirm_eligible(user, application, *, note=""):
    """9.1.6: staff confirm that the applicant meets the scheme's requirements. Refused while any
    eligibility check (6.1, 6.2) fails: ask for a revision or reject instead."""
    with transaction.atomic():
        locked = _lock_for_review(user, application)
        failing = [c for c in eligibility.eligibility_checks(locked) if not c.passed]
        if failing:
            raise RuleError(
                _("The applicant does not meet the requirements: %(reasons)s.")
                % {"reasons": "; ".join(c.reason for c in failing)}
            )
        return _decide(
            user, locked, to_status=Status.ELIGIBLE, action="application.eligible", note=note
        )


def request_revision(user, application, *, note):
    """Send the application back to the applicant, saying what to fix."""
    if not note.strip():
        raise RuleError(_("Say what the applicant must fix."))
    with transaction.atomic():
        return _decide(
            user,
            _lock_for_review(user, application),
            to_status=Status.REVISION_REQUESTED,
            action="application.revision_requested",
            note=note.strip(),
        )


def reject(user, application, *, reason):
    """Reject the application, with the reason given to the applicant."""
    if not reason.strip():
        raise RuleError(_("Give the reason for the rejection."))
    with transaction.atomic():
        return _decide(
            user,
            _lock_for_review(user, application),
            to_status=Status.REJECTED,
            action="application.rejected",
            note=reason.strip(),
        )
