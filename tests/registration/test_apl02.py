"""FR-APL-02 per element (9.1.3): the applicant answers every element of every unit in the
version of the standard pinned to the application; a unit is K only when all its elements are."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from lxml import html as lxml_html

from lsp_portal.errors import RuleError
from registration import apl02, services
from registration.demo_files import pdf_bytes
from registration.inputs import SelfAssessmentInput
from registration.models import Document, Element, SelfAssessment
from tests.conftest import fill_application

from .test_standard import good_rows, xlsx


def page_url(application):
    return reverse("registration:application_self_assessment", args=[application.pk])


def all_k(application, letter, **changes):
    data = {}
    for key in apl02.answer_keys(application):
        prefix = apl02.form_prefix(key)
        data[f"{prefix}-answer"] = "K"
        data[f"{prefix}-evidence"] = letter.pk
    data.update(changes)
    return data


@pytest.fixture
def filled(alice, draft):
    """alice's draft with every document and her personal data, FR-APL-02 not yet answered."""
    return fill_application(alice, draft, answers=False)


def test_every_element_answered_through_the_page_completes_the_self_assessment(
    login, alice, filled
):
    letter = filled.documents.get(requirement__code="surat-magang")
    response = login(alice).post(page_url(filled), all_k(filled, letter, **{"continue": "1"}))
    assert response.status_code == 302
    answers = SelfAssessment.objects.filter(application=filled)
    assert answers.count() == 45
    assert not answers.filter(element__isnull=True).exists()
    assert set(answers.values_list("element__version", flat=True)) == {filled.standard_id}
    page = login(alice).get(reverse("registration:application_detail", args=[filled.pk]))
    assert "Semua 45 elemen dari 15 unit sudah dijawab" in page.content.decode()


def test_a_half_answered_unit_is_named_and_blocks_submission(login, alice, filled):
    letter = filled.documents.get(requirement__code="surat-magang")
    keys = apl02.answer_keys(filled)
    data = all_k(filled, letter)
    for suffix in ("answer", "evidence"):
        del data[f"{apl02.form_prefix(keys[1])}-{suffix}"]
    assert login(alice).post(page_url(filled), data).status_code == 302
    with pytest.raises(RuleError, match=f"1 dari {len(keys)} elemen belum dijawab"):
        services.submit(alice, filled, agreed=True)


def test_a_unit_is_k_for_staff_only_when_every_element_is_k(login, alice, staff, filled):
    letter = filled.documents.get(requirement__code="surat-magang")
    keys = apl02.answer_keys(filled)
    bk = keys[1]  # the second element of the first unit
    data = all_k(filled, letter, **{f"{apl02.form_prefix(bk)}-answer": "BK"})
    assert login(alice).post(page_url(filled), data).status_code == 302
    services.submit(alice, filled, agreed=True)
    page = login(staff).get(reverse("registration:review_detail", args=[filled.pk]))
    tree = lxml_html.fromstring(page.content)
    first, second = (
        tree.xpath(f'//table[@data-testid="apl02-answers"]/tbody[@data-unit="{u.code}"]')[0]
        for u in filled.scheme.units.all()[:2]
    )
    assert first.xpath("./tr[1]//span[contains(@class,'badge')]/text()") == ["BK"]
    assert second.xpath("./tr[1]//span[contains(@class,'badge')]/text()") == ["K"]
    assert first.xpath(f'./tr[@data-element="{bk.number}"]//span/text()')[-1] == "BK"
    units = {u.unit.pk: u for u in apl02.unit_answers(filled)}
    assert units[bk.unit_id].result == "BK"
    assert all(u.result == "K" for pk, u in units.items() if pk != bk.unit_id)


def test_a_unit_answered_as_a_whole_is_refused_where_its_elements_are_asked(alice, filled):
    unit = filled.scheme.units.first()
    element = apl02.answer_keys(filled)[0]
    with pytest.raises(RuleError, match="dijawab per elemen"):
        services.save_self_assessment(
            alice,
            filled,
            {element: SelfAssessmentInput(answer="K"), unit: SelfAssessmentInput(answer="K")},
        )
    assert not filled.self_assessments.exists()


def test_an_element_of_a_later_version_is_refused(alice, staff, filled, scheme):
    services.import_units(staff, scheme, xlsx(good_rows(scheme)))
    later = Element.objects.filter(version=scheme.current_standard()).first()
    assert later.version_id != filled.standard_id
    with pytest.raises(RuleError, match="bukan elemen standar kompetensi permohonan ini"):
        services.save_self_assessment(
            alice,
            filled,
            {
                apl02.answer_keys(filled)[0]: SelfAssessmentInput(answer="K"),
                later: SelfAssessmentInput(answer="K"),
            },
        )
    assert not filled.self_assessments.exists()


def test_an_application_without_a_pinned_standard_is_answered_per_unit(login, alice, filled):
    """Applications opened before the standard was kept keep one answer per unit."""
    type(filled).objects.filter(pk=filled.pk).update(standard=None)
    filled.refresh_from_db()
    keys = apl02.answer_keys(filled)
    assert keys == list(filled.scheme.units.all())
    html = login(alice).get(page_url(filled)).content.decode()
    assert 'data-testid="element-kuk"' not in html
    letter = filled.documents.get(requirement__code="surat-magang")
    assert login(alice).post(page_url(filled), all_k(filled, letter)).status_code == 302
    assert filled.self_assessments.filter(element__isnull=True).count() == 15
    services.submit(alice, filled, agreed=True)


def test_evidence_uploaded_for_an_element_is_deleted_once_no_answer_uses_it(
    login, alice, filled, django_capture_on_commit_callbacks
):
    letter = filled.documents.get(requirement__code="surat-magang")
    first, second = (apl02.form_prefix(k) for k in apl02.answer_keys(filled)[:2])
    client = login(alice)
    data = all_k(filled, letter)
    data[f"{first}-evidence"] = ""
    data[f"{first}-upload"] = SimpleUploadedFile("sertifikat.pdf", pdf_bytes("Sertifikat"))
    assert client.post(page_url(filled), data).status_code == 302
    uploaded = Document.objects.get(application=filled, original_name="sertifikat.pdf")
    # The second element now uses the uploaded certificate too; the first goes back to the letter.
    data = all_k(filled, letter)
    data[f"{second}-evidence"] = uploaded.pk
    assert client.post(page_url(filled), data).status_code == 302
    assert Document.objects.filter(pk=uploaded.pk).exists()
    # No answer uses it any more: the file and its row go.
    name = uploaded.file.name
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(page_url(filled), all_k(filled, letter)).status_code == 302
    assert not Document.objects.filter(pk=uploaded.pk).exists()
    assert not uploaded.file.storage.exists(name)
