"""Appeal attachments and the storage rules of issue 12: they count towards the applicant's
quota, and neither they nor the files of the appealed application are ever deleted by the
retention rule (records 9.4.1.b keeps for appeals)."""

import datetime

from django.utils import timezone

from appeals import services
from appeals.models import Attachment
from lsp_portal.files import check_upload
from registration import services as registration_services
from registration.models import Application, Document
from tests.appeals.conftest import appeal_form
from tests.conftest import pdf_upload


def file_with_attachments(bob, decision, count=2):
    attachments = [check_upload(pdf_upload(f"bukti-{i}.pdf", f"Bukti {i}")) for i in range(count)]
    return services.file_appeal(bob, decision, appeal_form(), attachments=attachments)


def test_appeal_attachments_count_towards_the_applicants_stored_bytes(bob, bk_decision):
    documents = sum(
        Document.objects.filter(application__applicant=bob).values_list("size", flat=True)
    )
    appeal = file_with_attachments(bob, bk_decision)
    attachments = sum(appeal.attachments.values_list("size", flat=True))
    assert attachments > 0
    assert registration_services.stored_bytes(bob) == documents + attachments


def test_the_retention_rule_never_deletes_an_appealed_case_or_its_attachments(
    bob, bk_decision, django_capture_on_commit_callbacks
):
    appeal = file_with_attachments(bob, bk_decision)
    application = appeal.application
    documents = application.documents.count()
    # Even were the application marked withdrawn, its assessment and appeal keep it.
    Application.objects.filter(pk=application.pk).update(status="withdrawn")
    years_later = timezone.now() + datetime.timedelta(days=3650)
    with django_capture_on_commit_callbacks(execute=True):
        assert registration_services.delete_expired_files(now=years_later) == []
    assert application.documents.count() == documents > 0
    assert Attachment.objects.filter(appeal=appeal).count() == 2
    assert all(a.file.storage.exists(a.file.name) for a in Attachment.objects.all())
