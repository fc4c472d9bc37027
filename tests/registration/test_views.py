"""The applicant's and staff's pages do what users rely on, through the real views."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from lsp_portal.audit.models import AuditEvent
from lsp_portal.dates import format_date
from registration.models import Application, Experience

Status = Application.Status


def test_applicant_starts_an_application_from_the_scheme(login, alice, scheme):
    response = login(alice).post(reverse("registration:application_start", args=[scheme.code]))
    application = Application.objects.get(applicant=alice)
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "registration:application_personal", args=[application.pk]
    )
    assert application.status == Status.DRAFT
    assert application.email == alice.email


def test_personal_data_saved_as_draft(login, alice, draft, scheme):
    courses = list(scheme.required_courses.values_list("pk", flat=True))
    response = login(alice).post(
        reverse("registration:application_personal", args=[draft.pk]),
        {
            "full_name": "Alice A.",
            "nik": "3174015201020001",
            "study_programme": "Manajemen",
            "birth_date": "2002-01-12",
            "completed_courses": courses,
        },
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert (draft.full_name, draft.nik, draft.status) == ("Alice A.", "3174015201020001", "draft")
    assert sorted(draft.completed_courses.values_list("pk", flat=True)) == sorted(courses)


@pytest.mark.parametrize("days", [0, 1])
def test_a_date_of_birth_today_or_later_is_refused_on_the_page(login, alice, draft, days):
    """The date of birth lies in the past (the rule of registration.services.save_personal_data,
    shown on the form field)."""
    born = timezone.localdate() + datetime.timedelta(days=days)
    response = login(alice).post(
        reverse("registration:application_personal", args=[draft.pk]),
        {"full_name": "Alice A.", "birth_date": born.isoformat()},
    )
    assert response.status_code == 200
    yesterday = format_date(timezone.localdate() - datetime.timedelta(days=1))
    assert f"Masukkan tanggal lahir antara 1 Jan 1900 dan {yesterday}" in response.content.decode()
    draft.refresh_from_db()
    assert (draft.full_name, draft.birth_date) == (alice.full_name, None)  # nothing saved


@pytest.mark.parametrize("nik", ["12345", "31740152010200011", "3174O15201020001"])
def test_invalid_nik_is_refused_with_a_message(login, alice, draft, nik):
    response = login(alice).post(
        reverse("registration:application_personal", args=[draft.pk]),
        {"full_name": "Alice", "nik": nik},
    )
    assert response.status_code == 200
    assert "NIK harus terdiri atas tepat 16 digit" in response.content.decode()
    draft.refresh_from_db()
    assert draft.nik == ""


def test_end_date_before_start_is_refused(login, alice, draft, scheme):
    response = login(alice).post(
        reverse("registration:application_experience", args=[draft.pk]),
        {
            "organisation": "PT A",
            "field": scheme.experience_fields.first().pk,
            "role": "Magang",
            "start_date": "2024-05-01",
            "end_date": "2024-04-01",
            "hours": "100",
        },
    )
    assert response.status_code == 200
    assert "Tanggal selesai lebih awal daripada tanggal mulai" in response.content.decode()
    assert not Experience.objects.exists()


def test_negative_hours_are_refused(login, alice, draft, scheme):
    response = login(alice).post(
        reverse("registration:application_experience", args=[draft.pk]),
        {
            "organisation": "PT A",
            "field": scheme.experience_fields.first().pk,
            "role": "Magang",
            "start_date": "2024-01-01",
            "end_date": "2024-04-01",
            "hours": "-5",
        },
    )
    assert response.status_code == 200
    assert "lebih besar dari atau sama dengan 0" in response.content.decode()
    assert not Experience.objects.exists()


def test_overview_shows_failing_checks_before_submission(login, alice, draft):
    response = login(alice).get(reverse("registration:application_detail", args=[draft.pk]))
    html = response.content.decode()
    assert "Jam magang 0 &lt; 400" in html
    assert 'data-check="document_ktp" data-passed="0"' in html


def test_submit_through_the_page(login, alice, complete_draft):
    client = login(alice)
    response = client.post(
        reverse("registration:application_submit", args=[complete_draft.pk]), {"agree": "on"}
    )
    assert response.status_code == 302
    complete_draft.refresh_from_db()
    assert complete_draft.status == Status.SUBMITTED
    assert complete_draft.agreed_at is not None


def test_submit_without_ticking_agreement_changes_nothing(login, alice, complete_draft):
    response = login(alice).post(
        reverse("registration:application_submit", args=[complete_draft.pk]), {}, follow=True
    )
    assert "Anda harus menyetujui" in response.content.decode()
    assert Application.objects.get(pk=complete_draft.pk).status == Status.DRAFT


def test_edit_after_submission_is_refused_with_message(login, alice, submitted):
    response = login(alice).post(
        reverse("registration:application_personal", args=[submitted.pk]),
        {"full_name": "Changed", "nik": "3174015201020001"},
        follow=True,
    )
    assert "tidak dapat diubah" in response.content.decode()
    submitted.refresh_from_db()
    assert submitted.full_name == "Alice Applicant"


def test_review_queue_filters_by_status_and_scheme(login, staff, submitted, bobs_application):
    client = login(staff)
    response = client.get(reverse("registration:review_queue"))
    assert submitted.reference in response.content.decode()
    assert bobs_application.reference not in response.content.decode()
    response = client.get(reverse("registration:review_queue"), {"status": "draft"})
    assert bobs_application.reference in response.content.decode()
    assert submitted.reference not in response.content.decode()
    response = client.get(
        reverse("registration:review_queue"), {"status": "", "scheme": submitted.scheme_id}
    )
    html = response.content.decode()
    assert submitted.reference in html and bobs_application.reference in html


def test_review_detail_shows_checks_documents_and_history(login, staff, submitted):
    response = login(staff).get(reverse("registration:review_detail", args=[submitted.pk]))
    html = response.content.decode()
    assert 'data-check="experience_hours" data-passed="1"' in html
    assert reverse("registration:document_file", args=[submitted.documents.first().pk]) in html
    assert 'data-action="application.submitted"' in html


@pytest.mark.django_db(transaction=True)
def test_staff_decision_emails_the_applicant(
    login, staff, submitted, celery_eager, django_capture_on_commit_callbacks
):
    mail.outbox.clear()  # the submission's own notice to staff
    with django_capture_on_commit_callbacks(execute=True):
        response = login(staff).post(
            reverse("registration:review_decide", args=[submitted.pk]),
            {"decision": "revision", "note": "Foto buram, unggah ulang."},
        )
    assert response.status_code == 302
    assert Application.objects.get(pk=submitted.pk).status == Status.REVISION_REQUESTED
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [submitted.applicant.email]
    assert "Foto buram, unggah ulang." in message.body
    assert submitted.reference in message.subject


@pytest.mark.parametrize("decision", ["revision", "reject"])
def test_decision_without_note_is_refused(login, staff, submitted, decision):
    response = login(staff).post(
        reverse("registration:review_decide", args=[submitted.pk]),
        {"decision": decision, "note": ""},
        follow=True,
    )
    assert response.status_code == 200
    assert Application.objects.get(pk=submitted.pk).status == Status.SUBMITTED
    assert not AuditEvent.objects.filter(action__startswith="application.re").exists()


def test_staff_reviewing_a_draft_gets_a_message(login, staff, complete_draft):
    response = login(staff).post(
        reverse("registration:review_decide", args=[complete_draft.pk]),
        {"decision": "eligible", "note": ""},
        follow=True,
    )
    assert "Hanya permohonan yang telah diajukan" in response.content.decode()
    assert Application.objects.get(pk=complete_draft.pk).status == Status.DRAFT


def test_applicant_dashboard_shows_the_journey(login, alice, staff, submitted):
    from registration import services

    services.confirm_eligible(staff, submitted)
    html = login(alice).get(reverse("dashboard")).content.decode()
    assert 'data-step="registration" data-state="done"' in html
    assert 'data-step="assessment" data-state="next"' in html
    assert 'data-step="certificate" data-state="pending"' in html


def test_the_queue_counts_follow_a_review_at_once(
    login, staff, submitted, django_capture_on_commit_callbacks
):
    """The counts per status are cached (counting 100,000 rows is slow) and forgotten when an
    application changes."""
    from registration import services

    def counts():
        response = login(staff).get(reverse("registration:review_queue"))
        return {value: n for value, _, n in response.context["counts"]}

    assert counts()["submitted"] == 1
    with django_capture_on_commit_callbacks(execute=True):
        services.confirm_eligible(staff, submitted)
    after = counts()
    assert (after["submitted"], after["eligible"]) == (0, 1)
