"""The retention rule for uploads (issue 12, UU 27/2022): the files of withdrawn, rejected and
abandoned applications are deleted after UPLOAD_RETENTION_DAYS by a daily Celery beat task,
each deletion recorded; what reached assessment (9.4.1.b) is never deleted."""

import datetime
import io
import os
import zoneinfo

import pytest
import time_machine
from celery.schedules import crontab
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse

from lsp_portal.audit.models import AuditEvent
from lsp_portal.celery import app as celery_app
from lsp_portal.files import check_upload
from registration import services, tasks
from registration.models import Application, Document
from tests.conftest import fill_application, pdf_upload

JAKARTA = zoneinfo.ZoneInfo("Asia/Jakarta")
START = datetime.datetime(2026, 1, 5, 9, 0, tzinfo=JAKARTA)


def days_after(days, start=START):
    return start + datetime.timedelta(days=days)


def stored_files():
    root = settings.MEDIA_ROOT
    return {os.path.join(d, f) for d, _dirs, files in os.walk(root) for f in files}


def run_task_at(moment, capture):
    """The beat task at `moment`, with what it deletes after commit deleted for real."""
    with time_machine.travel(moment, tick=False), capture(execute=True):
        return tasks.delete_expired_files()


def deletions(application):
    return AuditEvent.objects.for_object(application).filter(action="application.files_deleted")


@pytest.fixture
def capture(django_capture_on_commit_callbacks):
    return django_capture_on_commit_callbacks


@pytest.fixture
def withdrawn(alice, scheme):
    """alice's complete application (7 files, FR-APL-02 evidence), withdrawn on START."""
    with time_machine.travel(START, tick=False):
        application = services.start_application(alice, scheme)
        fill_application(alice, application)
        return services.withdraw(alice, application, reason="Pindah kampus")


def test_the_files_of_a_withdrawn_application_go_after_the_retention_period_and_the_audit_says_so(
    login, alice, staff, withdrawn, capture
):
    documents = list(withdrawn.documents.order_by("uploaded_at", "pk"))
    names = [d.original_name for d in documents]
    size = sum(d.size for d in documents)
    assert len(documents) == 7 and len(stored_files()) == 7

    links = [reverse("registration:document_file", args=[d.pk]) for d in documents]
    review_url = reverse("registration:review_detail", args=[withdrawn.pk])
    assert all(link in login(staff).get(review_url).content.decode() for link in links)

    before = days_after(settings.UPLOAD_RETENTION_DAYS - 1)
    assert run_task_at(before, capture) == {"applications": 0, "files": 0}
    assert withdrawn.documents.count() == 7

    after = days_after(settings.UPLOAD_RETENTION_DAYS, START + datetime.timedelta(minutes=1))
    assert run_task_at(after, capture) == {"applications": 1, "files": 7}
    assert not Document.objects.exists()
    assert stored_files() == set()
    assert all(answer.evidence is None for answer in withdrawn.self_assessments.all())
    event = deletions(withdrawn).get()
    assert event.actor is None
    assert event.data["count"] == 7
    assert event.data["bytes"] == size
    assert event.data["names"] == names
    assert event.data["status"] == "withdrawn"
    # Pages list no file (nothing links to a missing one); staff read what was deleted.
    for page in ("application_detail", "application_documents"):
        response = login(alice).get(reverse(f"registration:{page}", args=[withdrawn.pk]))
        assert response.status_code == 200
        assert not any(link in response.content.decode() for link in links)
    html = login(staff).get(review_url).content.decode()
    assert not any(link in html for link in links)
    assert "Berkas dihapus setelah masa retensi" in html
    assert names[0] in html


def test_the_task_run_twice_deletes_once(withdrawn, capture):
    later = days_after(settings.UPLOAD_RETENTION_DAYS + 1)
    assert run_task_at(later, capture) == {"applications": 1, "files": 7}
    assert run_task_at(later, capture) == {"applications": 0, "files": 0}
    assert run_task_at(days_after(1, later), capture) == {"applications": 0, "files": 0}
    assert deletions(withdrawn).count() == 1


def test_the_files_of_a_rejected_application_go_after_the_retention_period(
    alice, staff, scheme, capture
):
    with time_machine.travel(START, tick=False):
        application = fill_application(alice, services.start_application(alice, scheme))
        services.submit(alice, application, agreed=True)
    with time_machine.travel(days_after(3), tick=False):
        services.reject(staff, application, reason="Jam magang kurang dari 400.")
    assert run_task_at(days_after(settings.UPLOAD_RETENTION_DAYS + 2), capture)["files"] == 0
    assert run_task_at(days_after(settings.UPLOAD_RETENTION_DAYS + 3), capture)["files"] == 7
    assert deletions(application).get().data["status"] == "rejected"


def test_an_abandoned_draft_loses_its_files_only_after_both_periods(alice, scheme, capture):
    """A draft is abandoned DRAFT_ABANDONED_DAYS after its last change (an upload counts), and its
    files go UPLOAD_RETENTION_DAYS after that; the draft itself stays, to be filled again."""
    with time_machine.travel(START, tick=False):
        draft = services.start_application(alice, scheme)
        ktp = scheme.required_documents.get(code="ktp")
        services.upload_document(alice, draft, ktp, check_upload(pdf_upload()))
    last_upload = days_after(100)
    with time_machine.travel(last_upload, tick=False):
        ktm = scheme.required_documents.get(code="ktm")
        services.upload_document(alice, draft, ktm, check_upload(pdf_upload()))
    both = settings.DRAFT_ABANDONED_DAYS + settings.UPLOAD_RETENTION_DAYS
    assert run_task_at(days_after(both + 1), capture)["files"] == 0  # the upload on day 100
    assert run_task_at(days_after(both - 1, last_upload), capture)["files"] == 0
    assert run_task_at(days_after(both, last_upload), capture)["files"] == 2
    draft.refresh_from_db()
    assert draft.status == "draft" and not draft.documents.exists()
    assert deletions(draft).get().data["status"] == "draft"


def test_submitted_and_eligible_applications_keep_their_files(alice, bob, staff, scheme, capture):
    with time_machine.travel(START, tick=False):
        submitted = fill_application(alice, services.start_application(alice, scheme))
        services.submit(alice, submitted, agreed=True)
        eligible = fill_application(bob, services.start_application(bob, scheme))
        services.submit(bob, eligible, agreed=True)
        services.confirm_eligible(staff, eligible)
    assert run_task_at(days_after(3650), capture) == {"applications": 0, "files": 0}
    assert Document.objects.count() == 14


def test_an_application_that_reached_assessment_keeps_its_files_whatever_its_status(
    assigned, capture
):
    """Certification records 9.4.1.b keeps for appeals are never deleted: an application that an
    assessment (or an appeal) refers to keeps its files even were it marked withdrawn."""
    application = assigned.application
    files = application.documents.count()
    Application.objects.filter(pk=application.pk).update(status="withdrawn")
    far = datetime.datetime.now(tz=JAKARTA) + datetime.timedelta(days=3650)
    assert run_task_at(far, capture) == {"applications": 0, "files": 0}
    assert application.documents.count() == files > 0


def test_the_command_lists_with_dry_run_and_deletes_without(withdrawn, capture):
    later = days_after(settings.UPLOAD_RETENTION_DAYS + 1)
    out = io.StringIO()
    with time_machine.travel(later, tick=False):
        call_command("delete_expired_files", "--dry-run", "-v", "2", stdout=out)
    assert f"{withdrawn.reference} (withdrawn): would delete 7 file(s)" in out.getvalue()
    assert "    dokumen.pdf\n" in out.getvalue() and "    foto.jpg\n" in out.getvalue()
    assert withdrawn.documents.count() == 7 and not deletions(withdrawn).exists()
    out = io.StringIO()
    with time_machine.travel(later, tick=False), capture(execute=True):
        call_command("delete_expired_files", stdout=out)
    assert "1 application(s), 7 file(s)" in out.getvalue() and "deleted" in out.getvalue()
    assert not withdrawn.documents.exists() and stored_files() == set()


def test_celery_beat_runs_the_retention_task_daily():
    entry = settings.CELERY_BEAT_SCHEDULE["upload-retention-daily"]
    assert entry["task"] == "registration.tasks.delete_expired_files"
    assert entry["task"] in celery_app.tasks
    assert isinstance(entry["schedule"], crontab)
    assert entry["schedule"].hour == {2} and entry["schedule"].day_of_month == set(range(1, 32))
