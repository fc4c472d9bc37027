"""Registration rules (9.1). Every change to an application goes through a function here.

Each function takes the acting user, checks permission (PermissionDenied) and the allowed source
status (RuleError), locks the application row, saves, writes an AuditEvent, and enqueues side
effects (e-mail) with transaction.on_commit - all in one transaction, so a refused or failed action
changes nothing. Files are written to storage inside the transaction and deleted again if it does
not commit; what an account may store is bounded (check_storage_quota), and the files of closed
applications are deleted after a while (delete_expired_files)."""

import datetime
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import IO

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce, Greatest
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

from lsp_portal import dates, transitions
from lsp_portal.accounts.models import User
from lsp_portal.accounts.roles import Role, require_role
from lsp_portal.audit.services import record
from lsp_portal.errors import RuleError
from lsp_portal.files import CheckedUpload, private_storage
from lsp_portal.files import delete_stored_files_on_failure as _delete_stored_files_on_failure
from lsp_portal.outbox import services as outbox

from . import apl02, eligibility, hooks, standard, tasks
from .inputs import ExperienceInput, PersonalDataInput, SelfAssessmentInput, UnitStandardInput
from .models import (
    KUK,
    Application,
    Document,
    Element,
    Experience,
    RequiredDocument,
    Scheme,
    SelfAssessment,
    StandardVersion,
    Unit,
)

Status = Application.Status

PERSONAL_FIELDS = Application.PERSONAL_FIELDS


# ---------------------------------------------------------------------------------------------
# Guards
# ---------------------------------------------------------------------------------------------


def _lock(application: Application) -> Application:
    # FOR UPDATE OF the application alone: over the join it would lock the scheme's row too, and
    # every write to any application of the scheme would wait for every other.
    return (
        Application.objects.select_for_update(of=("self",))
        .select_related("scheme")
        .get(pk=application.pk)
    )


def _lock_own_editable(user: User, application: Application) -> Application:
    """The applicant may change FR-APL-01/02 only while it is a draft or a revision was asked."""
    require_role(user, Role.APPLICANT)
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


def _lock_for_review(user: User, application: Application) -> Application:
    """Staff review (9.1.6) only applications that were submitted."""
    require_role(user, Role.STAFF)
    locked = _lock(application)
    if locked.status != Status.SUBMITTED:
        raise RuleError(
            _("Only a submitted application can be reviewed; this one is %(status)s.")
            % {"status": locked.get_status_display()}
        )
    return locked


def _delete_files_after_commit(names: list[str | None]) -> None:
    storage = private_storage()

    def delete() -> None:
        for name in names:
            if name:
                storage.delete(name)

    transaction.on_commit(delete)


def _store(document: Document, checked: CheckedUpload, stored: list[str | None]) -> Document:
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


def start_application(user: User, scheme: Scheme) -> Application:
    """Open a draft FR-APL-01 for `scheme`; an applicant has at most one open application per
    scheme. The scheme's current competency standard is pinned to it (9.1.3): its FR-APL-02
    asks the elements and KUK of that version even after a newer one is imported."""
    require_role(user, Role.APPLICANT)
    if not scheme.is_open:
        raise RuleError(_("This scheme is not open for applications."))
    existing = Application.objects.active().filter(applicant=user, scheme=scheme).first()
    if existing:
        return existing
    try:
        with transaction.atomic():
            application = Application.objects.create(
                applicant=user,
                scheme=scheme,
                full_name=user.full_name,
                email=user.email,
                standard=scheme.current_standard(),
            )
            record(user, "application.created", application, to_status=application.status)
    except IntegrityError:  # a concurrent request created it first
        return Application.objects.active().get(applicant=user, scheme=scheme)
    return application


def save_personal_data(
    user: User, application: Application, data: PersonalDataInput
) -> Application:
    """FR-APL-01 personal and education data (9.1.2), and the completed courses (6.1), while
    the application is editable. Refused: a course of another scheme; a date of birth that is
    not in the past or before PERSON_DATE_MIN_YEAR (the same rule and message as the form's
    field, so a request that skips the form is refused too)."""
    with transaction.atomic():
        locked = _lock_own_editable(user, application)
        valid_courses = set(locked.scheme.required_courses.values_list("pk", flat=True))
        if any(course.pk not in valid_courses for course in data.completed_courses):
            raise RuleError(_("A selected course does not belong to this scheme."))
        dates.require_in_range(data.birth_date, _("Date of birth"), "birth")
        for name in PERSONAL_FIELDS:
            setattr(locked, name, getattr(data, name))
        locked.save(update_fields=[*PERSONAL_FIELDS, "updated_at"])
        locked.completed_courses.set(data.completed_courses)
    return locked


def add_experience(user: User, application: Application, data: ExperienceInput) -> Experience:
    """One work or internship entry of FR-APL-01, whose hours in a field of the scheme count
    toward the 6.2 requirement: a field of this scheme (or none), dates in the "history" range
    and in order, hours not negative (form and DB check these too)."""
    with transaction.atomic():
        locked = _lock_own_editable(user, application)
        field = data.field
        if field is not None and field.scheme_id != locked.scheme_id:
            raise RuleError(_("The selected field does not belong to this scheme."))
        dates.require_in_range(data.start_date, _("Start date"), "history")
        dates.require_in_range(data.end_date, _("End date"), "history")
        if data.end_date < data.start_date:
            raise RuleError(_("The end date is before the start date."))
        if data.hours < 0:
            raise RuleError(_("Hours cannot be negative."))
        return Experience.objects.create(
            application=locked,
            organisation=data.organisation,
            field=field,
            role=data.role,
            start_date=data.start_date,
            end_date=data.end_date,
            hours=data.hours,
        )


def remove_experience(user: User, application: Application, experience_pk: int) -> None:
    """Remove a work or internship entry (6.2) from FR-APL-01 while the application is
    editable."""
    with transaction.atomic():
        locked = _lock_own_editable(user, application)
        deleted, _rows = locked.experiences.filter(pk=experience_pk).delete()
        if not deleted:
            raise RuleError(_("That entry no longer exists."))


def upload_document(
    user: User, application: Application, requirement: RequiredDocument, checked: CheckedUpload
) -> Document:
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
        check_storage_quota(user, checked.size)
        document = _store(Document(application=locked, requirement=requirement), checked, stored)
        record(user, "document.uploaded", locked, document=str(document), document_id=document.pk)
    return document


def remove_document(user: User, application: Application, document_pk: int) -> None:
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


def save_self_assessment(
    user: User,
    application: Application,
    answers: Mapping[Unit | Element, SelfAssessmentInput],
) -> Application:
    """FR-APL-02 (9.1.3): a K/BK answer, with a note and evidence, per element of each unit in
    the version of the standard pinned to the application ("Dapatkah saya ...?"); a unit that
    version gives no elements, and every unit of an application without a pinned version, is
    answered as a whole (registration/apl02.py says which).

    `answers` maps each element (or unit) to its SelfAssessmentInput: the evidence is one of the
    application's own documents, or a new checked upload stored as evidence (counted against
    the storage quota). Evidence uploaded for one answer and then replaced is deleted. All or
    nothing: an element of another version or scheme, or a unit answered as a whole where its
    elements are asked, refuses the whole save."""
    with _delete_stored_files_on_failure() as stored, transaction.atomic():
        locked = _lock_own_editable(user, application)
        units = {unit.pk: unit for unit in locked.scheme.units.all()}
        elements = apl02.elements_by_unit(locked, with_kuks=False)
        own_documents = {d.pk: d for d in locked.documents.all()}
        replaced_files: list[str | None] = []
        replaced: set[int] = set()
        saved_units: set[int] = set()
        for key, values in answers.items():
            element: Element | None
            if isinstance(key, Element):
                element, unit_id = key, key.unit_id
                if key.version_id != locked.standard_id or unit_id not in units:
                    raise RuleError(
                        _(
                            "Element %(number)s is not an element of the competency standard "
                            "of this application."
                        )
                        % {"number": key.number}
                    )
            else:
                element, unit_id = None, key.pk
                if unit_id not in units:
                    raise RuleError(
                        _("Unit %(unit)s is not part of this scheme.") % {"unit": key.code}
                    )
                if elements.get(unit_id):
                    raise RuleError(
                        _("Unit %(unit)s is answered element by element.") % {"unit": key.code}
                    )
            unit = units[unit_id]
            evidence = values.evidence
            if evidence is not None and evidence.pk not in own_documents:
                raise RuleError(_("The selected evidence is not one of your documents."))
            upload = values.upload
            if upload is not None:
                evidence = _store(Document(application=locked), upload, stored)
            current = SelfAssessment.objects.filter(
                application=locked, unit=unit, element=element
            ).first()
            if current is not None and current.evidence_id not in (
                None,
                getattr(evidence, "pk", None),
            ):
                replaced.add(current.evidence_id)
            SelfAssessment.objects.update_or_create(
                application=locked,
                unit=unit,
                element=element,
                defaults={"answer": values.answer, "note": values.note, "evidence": evidence},
            )
            saved_units.add(unit_id)
        # Evidence uploaded for answers alone that no answer uses any more is deleted.
        still_used = set(
            SelfAssessment.objects.filter(application=locked, evidence__in=replaced).values_list(
                "evidence_id", flat=True
            )
        )
        for document_pk in replaced - still_used:
            previous = own_documents[document_pk]
            if previous.requirement_id is None:
                replaced_files.append(previous.file.name)
                previous.delete()
        # Counted once the new evidence is saved and the evidence it replaces deleted.
        uploaded = sum(v.upload.size for v in answers.values() if v.upload is not None)
        if uploaded:
            check_storage_quota(user, uploaded, saved=True)
        record(user, "self_assessment.saved", locked, units=len(saved_units), answers=len(answers))
        _delete_files_after_commit(replaced_files)
    return locked


def submit(user: User, application: Application, *, agreed: bool) -> Application:
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
        now = timezone.now()
        locked.agreed_at = now
        locked.submitted_at = now
        locked.submission_count += 1
        transitions.apply(
            user,
            locked,
            "application.submitted",
            fields=["agreed_at", "submitted_at", "submission_count"],
            eligibility={c.code: c.passed for c in eligibility.eligibility_checks(locked)},
        )
        outbox.send(tasks.notify_staff_submitted, locked.pk)
    return locked


def withdraw(user: User, application: Application, *, reason: str = "") -> Application:
    """The applicant withdraws their application while it is a draft, submitted or sent back for
    revision - before the LSP confirmed it eligible (9.1.6); later it is in assessment."""
    require_role(user, Role.APPLICANT)
    if application.applicant_id != user.pk:
        raise PermissionDenied
    with transaction.atomic():
        locked = _lock(application)
        transitions.apply(
            user,
            locked,
            "application.withdrawn",
            reason=reason,
            refusal=_("An application that is %(status)s cannot be withdrawn.")
            % {"status": locked.get_status_display()},
        )
    return locked


# ---------------------------------------------------------------------------------------------
# LSP staff (9.1.6)
# ---------------------------------------------------------------------------------------------


def _decide(user: User, locked: Application, *, action: str, note: str) -> Application:
    """Apply a review decision to an application already locked by _lock_for_review."""
    locked.review_note = note
    locked.reviewed_at = timezone.now()
    locked.reviewed_by = user
    transitions.apply(
        user, locked, action, reason=note, fields=["review_note", "reviewed_at", "reviewed_by"]
    )
    outbox.send(tasks.notify_applicant_of_review, locked.pk, locked.status)
    return locked


def confirm_eligible(user: User, application: Application, *, note: str = "") -> Application:
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
        return _decide(user, locked, action="application.eligible", note=note)


def request_revision(user: User, application: Application, *, note: str) -> Application:
    """9.1.6: staff send a submitted application back to the applicant, saying what to fix (a
    note is required); the applicant may then change and submit it again."""
    if not note.strip():
        raise RuleError(_("Say what the applicant must fix."))
    with transaction.atomic():
        return _decide(
            user,
            _lock_for_review(user, application),
            action="application.revision_requested",
            note=note.strip(),
        )


def reject(user: User, application: Application, *, reason: str) -> Application:
    """9.1.6: staff reject a submitted application, with the reason given to the applicant (a
    reason is required)."""
    if not reason.strip():
        raise RuleError(_("Give the reason for the rejection."))
    with transaction.atomic():
        return _decide(
            user,
            _lock_for_review(user, application),
            action="application.rejected",
            note=reason.strip(),
        )


# ---------------------------------------------------------------------------------------------
# The scheme's competency standard: units -> elements -> KUK
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StandardImport:
    """What an import wrote (`version`) or, on a dry run (`version` None), would write."""

    version: StandardVersion | None
    units: int
    elements: int
    kuks: int


def import_units(
    user: User, scheme: Scheme, upload: IO[bytes], *, dry_run: bool = False
) -> StandardImport:
    """Staff import the elements and KUK (kriteria unjuk kerja) of every unit of `scheme` from a
    spreadsheet (registration/standard.py has the layout) as the scheme's next standard version.

    The assessor verifies the scheme's requirements with assessment tools (9.2.3) and the
    competency test assesses against the scheme (9.3.1): both are held against these elements
    and KUK, so a version, once written, is never changed - an import always adds the next one.
    All or nothing: a file with any problem raises standard.StandardImportError (a RuleError)
    listing each with its row, and writes nothing. `dry_run` checks and counts only."""
    require_role(user, Role.STAFF)
    parsed = standard.read(scheme, upload)
    counts = {
        "units": parsed.unit_count,
        "elements": len(parsed.elements),
        "kuks": parsed.kuk_count,
    }
    if dry_run:
        return StandardImport(version=None, **counts)
    source_name = os.path.basename(getattr(upload, "name", "") or "")[:255]
    with transaction.atomic():
        # The scheme's row numbers two imports at once one after the other.
        locked = Scheme.objects.select_for_update().get(pk=scheme.pk)
        version = _write_standard(user, locked, parsed, source_name=source_name)
        record(
            user,
            "scheme.standard_imported",
            locked,
            version=version.number,
            source_name=source_name,
            units=parsed.unit_count,
            elements=len(parsed.elements),
            kuks=parsed.kuk_count,
        )
    return StandardImport(version=version, **counts)


def _write_standard(
    user: User,
    locked: Scheme,
    parsed: standard.ParsedStandard,
    *,
    source_name: str = "",
    note: str = "",
    is_sample: bool = False,
) -> StandardVersion:
    """Write `parsed` as the next version of `locked` (a scheme row the caller holds locked):
    the one writer of an import and of a unit edited in the portal."""
    last = locked.standard_versions.order_by("-number").values_list("number", flat=True)
    version = StandardVersion.objects.create(
        scheme=locked,
        number=(last.first() or 0) + 1,
        is_sample=is_sample,
        source_name=source_name,
        note=note,
        created_by=user,
    )
    elements = Element.objects.bulk_create(
        Element(version=version, unit=e.unit, number=e.number, title=e.title)
        for e in parsed.elements
    )
    KUK.objects.bulk_create(
        KUK(element=element, number=number, text=text, position=position)
        for element, e in zip(elements, parsed.elements, strict=True)
        for number, text, position in e.kuks
    )
    return version


def edit_unit(user: User, scheme: Scheme, unit: Unit, data: UnitStandardInput) -> StandardVersion:
    """Staff change the elements and KUK of one unit (unit kompetensi, scheme section 5.2) in
    the portal; the save is the scheme's next standard version, the other units' elements and
    KUK copied unchanged.

    The same rules as an import (standard.parse_unit: no empty texts, KUK numbered once each
    within their element, at least one KUK an element and one element the unit) and the same
    writer: versions are never changed (9.2.3, 9.3.1 are held against them), all or nothing -
    any problem raises standard.UnitEditError (a RuleError) and writes nothing. A save over a
    version other than the one the form showed (`data.based_on`) is refused, so that no one
    else's change is lost unseen. The new version keeps the sample flag while other units still
    hold the sample texts."""
    require_role(user, Role.STAFF)
    if unit.scheme_id != scheme.pk:
        raise RuleError(_("This unit belongs to another scheme."))
    elements = standard.parse_unit(unit, data.elements)
    with transaction.atomic():
        # The same lock as an import: edits and imports are numbered one after the other.
        locked = Scheme.objects.select_for_update().get(pk=scheme.pk)
        current = locked.current_standard()
        if current is None:
            raise RuleError(
                _(
                    "Scheme %(code)s has no competency standard yet: import it from a spreadsheet "
                    "first, then edit its units here."
                )
                % {"code": scheme.code}
            )
        if current.number != data.based_on:
            raise RuleError(
                _(
                    "Version %(number)d of the competency standard was saved meanwhile; nothing "
                    "was saved. Open the unit again to edit that version."
                )
                % {"number": current.number}
            )
        parsed = standard.replace_unit(current, unit, elements)
        is_sample = current.is_sample and any(e.unit.pk != unit.pk for e in parsed.elements)
        version = _write_standard(
            user,
            locked,
            parsed,
            note=_("Edited in the portal: unit %(code)s") % {"code": unit.code},
            is_sample=is_sample,
        )
        record(
            user,
            "scheme.standard_edited",
            locked,
            version=version.number,
            based_on=current.number,
            unit=unit.code,
            elements=len(elements),
            kuks=sum(len(e.kuks) for e in elements),
        )
    return version


def export_units(scheme: Scheme, version: StandardVersion | None = None) -> bytes:
    """The spreadsheet of `version` (default: the scheme's current one) in the layout
    import_units reads, so that an exported file imports back unchanged. Units the version has
    no element for get a row with their code and title only, to fill in."""
    if version is None:
        version = scheme.current_standard()
    elif version.scheme_id != scheme.pk:
        raise RuleError(_("This version belongs to another scheme."))
    return standard.write(scheme, version)


# ---------------------------------------------------------------------------------------------
# Storage: what an account may keep, and for how long (issue 12)
# ---------------------------------------------------------------------------------------------


def stored_bytes(user: User) -> int:
    """The bytes of the files `user` keeps in the portal: the FR-APL-01 documents and FR-APL-02
    evidence of all their applications (withdrawn and rejected ones too, until
    delete_expired_files removes them) and what later stages count through hooks.stored_bytes
    (appeal attachments)."""
    documents = Document.objects.filter(application__applicant=user).aggregate(total=Sum("size"))
    return (documents["total"] or 0) + sum(count(user) for count in hooks.stored_bytes)


def check_storage_quota(user: User, new_bytes: int, *, saved: bool = False) -> None:
    """Refuse (RuleError) `new_bytes` of files that would take `user` past
    settings.UPLOAD_QUOTA_BYTES: sign-up is open, and apply-upload-withdraw cycles stored files
    without bound (issue 12).

    Each service that stores files calls this inside its transaction. It locks the account's row
    first, so two uploads at once are counted one after the other: the second waits until the
    first commits, then counts its files too. With `saved`, the new files are already saved in
    this transaction (and so in stored_bytes)."""
    list(User.objects.select_for_update().filter(pk=user.pk).values_list("pk", flat=True))
    limit = settings.UPLOAD_QUOTA_BYTES
    used = stored_bytes(user) - (new_bytes if saved else 0)
    if used + new_bytes > limit:
        raise RuleError(
            _(
                "This upload (%(size)s) does not fit: your files already take %(used)s of the "
                "%(limit)s an account may store. Remove files you no longer need and upload "
                "again; the files of a withdrawn or rejected application are deleted %(days)s "
                "days after it closed."
            )
            % {
                "size": filesizeformat(new_bytes),
                "used": filesizeformat(used),
                "limit": filesizeformat(limit),
                "days": settings.UPLOAD_RETENTION_DAYS,
            }
        )


@dataclass(frozen=True)
class DeletedFiles:
    application: Application
    count: int
    size: int
    names: list[str]


def _last_change() -> Greatest:
    """When the applicant last changed an application: its data, a file or an FR-APL-02 answer
    (an upload does not touch the application's own updated_at)."""
    latest_file = Document.objects.filter(application=OuterRef("pk")).order_by("-uploaded_at")
    latest_answer = SelfAssessment.objects.filter(application=OuterRef("pk")).order_by(
        "-updated_at"
    )
    return Greatest(
        "updated_at",
        Coalesce(Subquery(latest_file.values("uploaded_at")[:1]), "updated_at"),
        Coalesce(Subquery(latest_answer.values("updated_at")[:1]), "updated_at"),
    )


def _kept_for_later_stages() -> Q:
    """Applications that a record of a later stage refers to - an assessment, an appeal, and so
    a decision or a certificate: records the LSP keeps for appeals and traceability (9.4.1.b).
    Read from the relations themselves, so that a stage added later is kept too."""
    kept = Q(pk__in=[])
    for relation in Application._meta.related_objects:
        if relation.related_model._meta.app_label != Application._meta.app_label:
            kept |= Q(**{f"{relation.name}__isnull": False})
    return kept


def applications_with_expired_files(
    now: datetime.datetime | None = None,
) -> QuerySet[Application]:
    """The applications whose files the retention rule deletes at `now`: withdrawn or rejected
    ones UPLOAD_RETENTION_DAYS after they closed, and drafts not changed for DRAFT_ABANDONED_DAYS
    (abandoned) UPLOAD_RETENTION_DAYS after that. Never one that reached assessment or was
    appealed (_kept_for_later_stages); only those that still have files."""
    now = now or timezone.now()
    retention = datetime.timedelta(days=settings.UPLOAD_RETENTION_DAYS)
    abandoned = datetime.timedelta(days=settings.DRAFT_ABANDONED_DAYS)
    return (
        Application.objects.annotate(last_change=_last_change())
        .filter(
            Q(status__in=Application.CLOSED_STATUSES, last_change__lte=now - retention)
            | Q(status=Status.DRAFT, last_change__lte=now - abandoned - retention)
        )
        .filter(Exists(Document.objects.filter(application=OuterRef("pk"))))
        .exclude(_kept_for_later_stages())
        .order_by("pk")
    )


def delete_expired_files(
    *, now: datetime.datetime | None = None, dry_run: bool = False
) -> list[DeletedFiles]:
    """The retention rule for uploads. UU 27/2022 on personal data protection (UU PDP) has the
    controller end processing once the purpose is reached or the retention period is over (Art.
    42) and delete personal data no longer needed for its purpose (Art. 43(1)(a)); an
    application's KTP, transcript and photos serve that application only. When it was withdrawn,
    rejected or abandoned, they are deleted after UPLOAD_RETENTION_DAYS (time for questions and
    complaints), application by application: its document and evidence rows are removed (so no
    page links to a missing file; FR-APL-02 answers lose their evidence), an
    "application.files_deleted" AuditEvent records how many, how many bytes and which names, and
    the files leave storage once that commits. The application and its audit trail stay.

    Run daily by Celery beat (tasks.delete_expired_files) and by `manage.py delete_expired_files`
    (`--dry-run` lists and changes nothing). Idempotent: an application without files is not
    selected again. Returns a DeletedFiles per application (to be deleted, with dry_run)."""
    now = now or timezone.now()
    results = []
    for pk in applications_with_expired_files(now).values_list("pk", flat=True):
        with transaction.atomic():
            locked = Application.objects.select_for_update().get(pk=pk)
            # Checked again under the lock: an applicant may have changed the draft meanwhile.
            if not applications_with_expired_files(now).filter(pk=pk).exists():
                continue
            documents = list(locked.documents.order_by("uploaded_at", "pk"))
            deleted = DeletedFiles(
                application=locked,
                count=len(documents),
                size=sum(d.size for d in documents),
                names=[d.original_name for d in documents],
            )
            results.append(deleted)
            if dry_run:
                continue
            stored = [d.file.name for d in documents]
            locked.documents.all().delete()
            record(
                None,
                "application.files_deleted",
                locked,
                document="; ".join(deleted.names),
                count=deleted.count,
                bytes=deleted.size,
                names=deleted.names,
                status=locked.status,
                retention_days=settings.UPLOAD_RETENTION_DAYS,
            )
            _delete_files_after_commit(stored)
    return results
