"""The application's state machine (DESIGN.md): each transition guarded, atomic and audited."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied

from lsp_portal.audit.models import AuditEvent
from lsp_portal.errors import RuleError
from lsp_portal.files import check_upload
from registration import apl02, services
from registration.inputs import ExperienceInput, SelfAssessmentInput
from registration.models import Application
from tests.conftest import fill_application, pdf_upload, status_of

Status = Application.Status


def actions(application):
    return list(
        AuditEvent.objects.for_object(application).order_by("id").values_list("action", flat=True)
    )


def test_submit_records_agreement_time_and_audits(alice, complete_draft):
    services.submit(alice, complete_draft, agreed=True)
    complete_draft.refresh_from_db()
    assert complete_draft.status == Status.SUBMITTED
    assert complete_draft.agreed_at is not None
    assert complete_draft.submitted_at == complete_draft.agreed_at
    event = AuditEvent.objects.for_object(complete_draft).get(action="application.submitted")
    assert (event.actor, event.from_status, event.to_status) == (alice, "draft", "submitted")


def test_submit_without_agreement_is_refused_and_changes_nothing(alice, complete_draft):
    with pytest.raises(RuleError, match="menyetujui ketentuan sertifikasi"):
        services.submit(alice, complete_draft, agreed=False)
    assert status_of(complete_draft) == Status.DRAFT
    assert "application.submitted" not in actions(complete_draft)


def test_submit_needs_every_document(alice, draft, scheme):
    application = fill_application(alice, draft, documents=False, answers=False)
    with pytest.raises(RuleError) as error:
        services.submit(alice, application, agreed=True)
    assert "Pasfoto 3 x 4" in error.value.message
    assert status_of(application) == Status.DRAFT


def test_submit_needs_an_answer_for_every_element(alice, draft, scheme):
    application = fill_application(alice, draft, answers=False)
    keys = apl02.answer_keys(application)
    services.save_self_assessment(
        alice, application, {key: SelfAssessmentInput(answer="BK") for key in keys[:-1]}
    )
    with pytest.raises(RuleError, match=f"1 dari {len(keys)} elemen belum dijawab"):
        services.submit(alice, application, agreed=True)
    assert status_of(application) == Status.DRAFT


def test_k_answer_without_evidence_blocks_submission(alice, draft, scheme):
    application = fill_application(alice, draft, answers=False)
    services.save_self_assessment(
        alice,
        application,
        {key: SelfAssessmentInput(answer="K") for key in apl02.answer_keys(application)},
    )
    with pytest.raises(RuleError, match="M.702093.001.01"):
        services.submit(alice, application, agreed=True)


def test_second_submission_is_refused(alice, submitted):
    with pytest.raises(RuleError):
        services.submit(alice, submitted, agreed=True)
    assert actions(submitted).count("application.submitted") == 1


def test_submitted_application_cannot_be_edited(alice, submitted, scheme):
    with pytest.raises(RuleError, match="tidak dapat diubah"):
        services.add_experience(
            alice,
            submitted,
            ExperienceInput(
                organisation="X",
                field=None,
                role="Y",
                start_date=datetime.date(2024, 1, 1),
                end_date=datetime.date(2024, 1, 2),
                hours=8,
            ),
        )
    assert submitted.experiences.count() == 1


def test_another_applicant_cannot_touch_the_application(bob, complete_draft):
    with pytest.raises(PermissionDenied):
        services.submit(bob, complete_draft, agreed=True)
    with pytest.raises(PermissionDenied):
        services.withdraw(bob, complete_draft)
    assert status_of(complete_draft) == Status.DRAFT


def test_staff_cannot_review_a_draft(staff, complete_draft):
    for decide in (
        lambda: services.confirm_eligible(staff, complete_draft),
        lambda: services.request_revision(staff, complete_draft, note="Perbaiki"),
        lambda: services.reject(staff, complete_draft, reason="Tidak"),
    ):
        with pytest.raises(RuleError, match="Draf"):
            decide()
    assert status_of(complete_draft) == Status.DRAFT
    assert not [a for a in actions(complete_draft) if a.startswith("application.re")]
    assert "application.eligible" not in actions(complete_draft)


def test_applicant_cannot_review(alice, submitted):
    with pytest.raises(PermissionDenied):
        services.confirm_eligible(alice, submitted)
    assert status_of(submitted) == Status.SUBMITTED


def test_confirm_eligible_refused_while_a_requirement_fails(alice, staff, draft):
    application = fill_application(alice, draft, hours=399)
    services.submit(alice, application, agreed=True)
    with pytest.raises(RuleError, match="Jam magang 399 < 400"):
        services.confirm_eligible(staff, application)
    assert status_of(application) == Status.SUBMITTED


def test_revision_round_trip(alice, staff, submitted):
    services.request_revision(staff, submitted, note="Unggah ulang transkrip.")
    submitted.refresh_from_db()
    assert submitted.status == Status.REVISION_REQUESTED
    assert submitted.review_note == "Unggah ulang transkrip."
    assert submitted.reviewed_by == staff
    # the applicant may edit again, then resubmit
    transcript = submitted.documents.get(requirement__code="transkrip")
    services.remove_document(alice, submitted, transcript.pk)
    with pytest.raises(RuleError, match="transkrip"):
        services.submit(alice, submitted, agreed=True)
    assert status_of(submitted) == Status.REVISION_REQUESTED
    services.upload_document(
        alice, submitted, transcript.requirement, check_upload(pdf_upload("transkrip-baru.pdf"))
    )
    services.submit(alice, submitted, agreed=True)
    submitted.refresh_from_db()
    assert submitted.status == Status.SUBMITTED
    assert submitted.submission_count == 2


def test_revision_and_rejection_need_a_note(staff, submitted):
    with pytest.raises(RuleError):
        services.request_revision(staff, submitted, note="  ")
    with pytest.raises(RuleError):
        services.reject(staff, submitted, reason="")
    assert status_of(submitted) == Status.SUBMITTED


def test_each_decision_is_audited_with_reason(staff, submitted):
    services.reject(staff, submitted, reason="Dokumen palsu.")
    event = AuditEvent.objects.for_object(submitted).get(action="application.rejected")
    assert (event.actor, event.from_status, event.to_status, event.reason) == (
        staff,
        "submitted",
        "rejected",
        "Dokumen palsu.",
    )


def test_decided_application_cannot_be_decided_again(staff, submitted):
    services.confirm_eligible(staff, submitted)
    with pytest.raises(RuleError):
        services.reject(staff, submitted, reason="Berubah pikiran")
    assert status_of(submitted) == Status.ELIGIBLE


def test_withdraw_from_submitted_but_not_after_decision(alice, staff, submitted):
    services.withdraw(alice, submitted, reason="Pindah jadwal")
    assert status_of(submitted) == Status.WITHDRAWN
    assert actions(submitted)[-1] == "application.withdrawn"


def test_one_open_application_per_scheme(alice, draft, scheme):
    again = services.start_application(alice, scheme)
    assert again.pk == draft.pk
    assert Application.objects.filter(applicant=alice).count() == 1


def test_a_new_application_after_rejection(alice, staff, submitted, scheme):
    services.reject(staff, submitted, reason="Tidak lengkap")
    fresh = services.start_application(alice, scheme)
    assert fresh.pk != submitted.pk
    assert fresh.status == Status.DRAFT


def test_closed_scheme_takes_no_applications(alice, scheme):
    scheme.is_open = False
    scheme.save()
    with pytest.raises(RuleError):
        services.start_application(alice, scheme)
    assert not Application.objects.filter(applicant=alice).exists()
