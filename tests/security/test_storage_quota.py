"""Issue 12, item 9: open sign-up plus apply-upload-withdraw cycles stored files without bound
(57 files, about 95 MB a cycle at the file size limit). Each account may now store
settings.UPLOAD_QUOTA_BYTES of files - FR-APL-01 documents, FR-APL-02 evidence and appeal
attachments together - checked by the services that store files, under a lock of the account's
row, so that two uploads at once cannot both pass. Over it: an Indonesian message with what is
used and the limit, and nothing stored.

The attacks go through the views applicants use; the race through the services, in two threads
on two PostgreSQL connections.
"""

import os

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext

from appeals.models import Appeal, Attachment
from decisions.models import Decision
from lsp_portal.accounts.roles import Role
from lsp_portal.files import check_upload
from registration import apl02, services
from registration.models import Application, Document
from tests.appeals.conftest import FORM, publish
from tests.conftest import make_user, run_concurrently
from tests.decisions.conftest import make_member, recommended_case
from tests.hostile.corpus import pdf_of_size

SIZE = 40_000  # bytes of each PDF uploaded here
QUOTA_MESSAGE = (
    "This upload (%(size)s) does not fit: your files already take %(used)s of the %(limit)s an "
    "account may store. Remove files you no longer need and upload again; the files of a "
    "withdrawn or rejected application are deleted %(days)s days after it closed."
)
PDF_DOCUMENTS = ("ktp", "ktm", "transkrip", "surat-magang")


def quota_message(size, used):
    with translation.override("id"):
        message = gettext(QUOTA_MESSAGE)
        assert message != QUOTA_MESSAGE, "no Indonesian translation"
        return message % {
            "size": filesizeformat(size),
            "used": filesizeformat(used),
            "limit": filesizeformat(settings.UPLOAD_QUOTA_BYTES),
            "days": settings.UPLOAD_RETENTION_DAYS,
        }


def stored_files():
    root = settings.MEDIA_ROOT
    return {os.path.join(d, f) for d, _dirs, files in os.walk(root) for f in files}


def upload(client, application, code, content, name="dokumen.pdf"):
    requirement = application.scheme.required_documents.get(code=code)
    return client.post(
        reverse("registration:application_documents", args=[application.pk]),
        {"requirement": requirement.pk, "file": SimpleUploadedFile(name, content)},
    )


def test_apply_upload_withdraw_cycles_stop_at_the_quota(login, alice, scheme, settings):
    """The attack of issue 12: apply, upload every document, withdraw, apply again. With a quota
    of five files, the sixth upload is refused and every one after it, in every cycle."""
    settings.UPLOAD_QUOTA_BYTES = 5 * SIZE
    client = login(alice)
    outcomes = []
    for cycle in range(3):
        client.post(reverse("registration:application_start", args=[scheme.code]))
        application = Application.objects.active().get(applicant=alice)
        for code in PDF_DOCUMENTS:
            content = pdf_of_size(SIZE)
            before = stored_files()
            response = upload(client, application, code, content, f"{code}-{cycle}.pdf")
            if response.status_code == 302:
                outcomes.append("stored")
                continue
            outcomes.append("refused")
            assert response.status_code == 400
            used = services.stored_bytes(alice)
            assert escape(quota_message(SIZE, used)) in response.content.decode()
            assert stored_files() == before
        client.post(reverse("registration:application_withdraw", args=[application.pk]))
        assert Application.objects.get(pk=application.pk).status == "withdrawn"
    assert outcomes == ["stored"] * 5 + ["refused"] * 7
    assert Document.objects.filter(application__applicant=alice).count() == 5
    assert services.stored_bytes(alice) == 5 * SIZE
    assert len(stored_files()) == 5


def test_a_file_that_fills_the_quota_exactly_is_stored(login, alice, draft, settings):
    settings.UPLOAD_QUOTA_BYTES = 2 * SIZE + 1000
    client = login(alice)
    assert upload(client, draft, "ktp", pdf_of_size(SIZE)).status_code == 302
    assert upload(client, draft, "ktm", pdf_of_size(SIZE + 1000)).status_code == 302
    assert services.stored_bytes(alice) == settings.UPLOAD_QUOTA_BYTES


def test_a_file_one_byte_over_the_quota_is_refused_and_nothing_stored(
    login, alice, draft, settings
):
    settings.UPLOAD_QUOTA_BYTES = 2 * SIZE + 1000
    client = login(alice)
    assert upload(client, draft, "ktp", pdf_of_size(SIZE)).status_code == 302
    before = stored_files()
    response = upload(client, draft, "ktm", pdf_of_size(SIZE + 1001))
    assert response.status_code == 400
    assert escape(quota_message(SIZE + 1001, SIZE)) in response.content.decode()
    assert draft.documents.count() == 1
    assert stored_files() == before


def test_evidence_uploaded_with_the_self_assessment_counts_and_is_refused_over_the_quota(
    login, alice, draft, scheme, settings
):
    settings.UPLOAD_QUOTA_BYTES = 2 * SIZE
    client = login(alice)
    assert upload(client, draft, "ktp", pdf_of_size(SIZE)).status_code == 302
    data = {}
    for key in apl02.answer_keys(draft)[:2]:
        prefix = apl02.form_prefix(key)
        data[f"{prefix}-answer"] = "K"
        data[f"{prefix}-upload"] = SimpleUploadedFile("bukti.pdf", pdf_of_size(SIZE))
    before = stored_files()
    url = reverse("registration:application_self_assessment", args=[draft.pk])
    response = client.post(url, data, follow=True)
    assert escape(quota_message(2 * SIZE, SIZE)) in response.content.decode()
    assert draft.documents.count() == 1
    assert not draft.self_assessments.exists()
    assert stored_files() == before


@pytest.fixture
def bk_decision(bob, staff, director, technical, assessor, assessor_profile, tuk):
    technical2 = make_user("technical2@example.org", "Tono Teknis", Role.TECHNICAL_TEAM)
    members = [make_member(technical), make_member(technical2, "Praktisi CRM.")]
    case = recommended_case(bob, staff, assessor, assessor_profile, tuk, result="BK")
    publish(staff, director, members, [case])
    return Decision.objects.get(assessment=case)


def test_appeal_attachments_count_towards_the_quota_and_an_appeal_over_it_is_not_filed(
    login, bob, bk_decision, settings
):
    """bob's application files (from recommended_case) and his appeal attachments share one
    quota: an appeal whose attachments do not fit is refused as a whole."""
    used = services.stored_bytes(bob)
    assert used > 0
    settings.UPLOAD_QUOTA_BYTES = used + SIZE
    files = [SimpleUploadedFile(f"bukti-{i}.pdf", pdf_of_size(SIZE // 2 + 1)) for i in range(2)]
    before = stored_files()
    response = login(bob).post(
        reverse("appeals:file", args=[bk_decision.pk]),
        {**FORM, "attachments": files},
        follow=True,
    )
    assert escape(quota_message(2 * (SIZE // 2 + 1), used)) in response.content.decode()
    assert not Appeal.objects.exists() and not Attachment.objects.exists()
    assert stored_files() == before


@pytest.mark.django_db(transaction=True)
def test_two_uploads_at_once_to_two_applications_cannot_both_pass_the_quota(
    alice, scheme, second_scheme, settings
):
    """Two tabs, two schemes: each upload locks its own application, so only the lock of the
    account serialises them; the second counts the first's file and is refused."""
    settings.UPLOAD_QUOTA_BYTES = SIZE + SIZE // 2
    first = services.start_application(alice, scheme)
    second = services.start_application(alice, second_scheme)

    def upload_to(application, requirement):
        checked = check_upload(SimpleUploadedFile("ktp.pdf", pdf_of_size(SIZE)))
        return lambda: services.upload_document(alice, application, requirement, checked)

    outcomes = run_concurrently(
        upload_to(first, scheme.required_documents.get(code="ktp")),
        upload_to(second, second_scheme.required_documents.get(code="ktp")),
    )
    assert outcomes == ["ok", "refused"]
    assert Document.objects.count() == 1
    assert services.stored_bytes(alice) == SIZE
    assert len(stored_files()) == 1
