# ruff: noqa: E501 - the table of bad inputs is easier read one case a line
"""One unit of the competency standard edited in the browser (registration:scheme_standard_unit):
a save is the next version, the other units copied unchanged, all or nothing, audited."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils.html import escape

from lsp_portal.audit import labels
from lsp_portal.audit.models import AuditEvent
from registration import services
from registration.inputs import ElementInput, KUKInput, UnitStandardInput
from registration.models import KUK, Element, StandardVersion
from tests.registration.test_standard import good_rows, page, standard_of, xlsx

pytestmark = pytest.mark.django_db


def edit_url(scheme, unit):
    return reverse("registration:scheme_standard_unit", args=[scheme.code, unit.pk])


def shown(form):
    """What the browser sends back for the form as shown: management forms, every row (blank
    spare rows too), the ticked removals."""
    data = {"based_on": form.based_on}
    for formset in [form.elements, *(kuks for _element, kuks in form.rows)]:
        management = formset.management_form
        for name in management.fields:
            data[management.add_prefix(name)] = management[name].value()
        for row in formset.forms:
            for name in row.fields:
                value = row[name].value()
                if name == "DELETE":
                    if value:
                        data[row.add_prefix(name)] = "on"
                else:
                    data[row.add_prefix(name)] = "" if value is None else value
    return data


def opened(client, scheme, unit):
    response = client.get(edit_url(scheme, unit))
    assert response.status_code == 200
    return shown(response.context["form"])


def totals():
    return StandardVersion.objects.count(), Element.objects.count(), KUK.objects.count()


@pytest.fixture
def unit(scheme):
    return scheme.units.order_by("number")[1]


def test_the_page_shows_the_units_elements_and_kuk_with_spare_rows(client, staff, scheme, unit):
    client.force_login(staff)
    response = client.get(edit_url(scheme, unit))
    text = response.content.decode()
    current = scheme.current_standard()
    elements = list(current.elements.filter(unit=unit).prefetch_related("kuks"))
    assert f"Edit unit {unit.code}" in text
    assert unit.title in text
    for element in elements:
        assert escape(element.title) in text
        for kuk in element.kuks.all():
            assert escape(kuk.text) in text
    # One spare element row, three spare KUK rows under each element.
    assert text.count('data-testid="element-row"') == len(elements) + 1
    kuk_count = sum(e.kuks.count() for e in elements)
    assert text.count('data-testid="kuk-row"') == kuk_count + 3 * (len(elements) + 1)
    assert "<script" not in text.split('data-testid="unit-form"')[1].split("</form>")[0]


def test_the_standard_page_links_each_units_editor(client, staff, scheme):
    client.force_login(staff)
    text = client.get(page(scheme)).content.decode()
    for unit in scheme.units.all():
        assert edit_url(scheme, unit) in text


def test_a_save_writes_the_next_version_with_the_other_units_copied(client, staff, scheme, unit):
    old = scheme.current_standard()
    before = standard_of(old)
    client.force_login(staff)
    data = opened(client, scheme, unit)
    data["e-0-k-0-text"] = "KUK yang diperbaiki"
    data["e-0-k-1-DELETE"] = "on"  # remove the element's second KUK
    # A new element in the spare row, with two KUK in its spare KUK rows (in reverse order).
    spare = data["e-TOTAL_FORMS"] - 1
    data[f"e-{spare}-number"] = "9"
    data[f"e-{spare}-title"] = "Elemen baru"
    data[f"e-{spare}-k-0-number"] = "9.2"
    data[f"e-{spare}-k-0-text"] = "KUK kedua"
    data[f"e-{spare}-k-1-number"] = "9.1"
    data[f"e-{spare}-k-1-text"] = "KUK pertama"
    response = client.post(edit_url(scheme, unit), data, follow=True)
    assert response.redirect_chain[-1][0] == page(scheme)
    assert f"Unit {unit.code} disimpan sebagai versi 2" in response.content.decode()

    new = scheme.current_standard()
    assert new.number == old.number + 1
    assert new.note == f"Diedit di portal: unit {unit.code}" and new.source_name == ""
    assert new.created_by == staff
    assert new.is_sample  # the other units still hold the sample texts
    assert standard_of(old) == before  # the old version is never changed
    after = standard_of(new)
    assert [e for e in after if e[0] != unit.code] == [e for e in before if e[0] != unit.code]
    edited = [e for e in after if e[0] == unit.code]
    first = next(e for e in before if e[0] == unit.code)
    assert edited[0][:3] == first[:3]
    assert edited[0][3][0] == (first[3][0][0], "KUK yang diperbaiki")
    assert [n for n, _text in edited[0][3]] == [first[3][0][0], *[n for n, _ in first[3][2:]]]
    assert edited[-1] == (
        unit.code,
        9,
        "Elemen baru",
        [("9.1", "KUK pertama"), ("9.2", "KUK kedua")],
    )
    positions = list(KUK.objects.filter(element__version=new).values_list("position", flat=True))
    assert sorted(positions) == list(range(1, len(positions) + 1))

    event = AuditEvent.objects.get(action="scheme.standard_edited")
    assert event.actor == staff
    assert event.data["unit"] == unit.code and event.data["version"] == new.number
    assert event.data["based_on"] == old.number
    assert (
        str(labels.action_label(event.action)) == "Standar kompetensi diedit di portal (satu unit)"
    )


def test_removing_an_element_keeps_the_others_of_the_unit(client, staff, scheme, unit):
    client.force_login(staff)
    old = scheme.current_standard()
    numbers = list(old.elements.filter(unit=unit).values_list("number", flat=True))
    assert len(numbers) >= 2
    data = opened(client, scheme, unit)
    data["e-0-DELETE"] = "on"
    response = client.post(edit_url(scheme, unit), data)
    assert response.status_code == 302
    new = scheme.current_standard()
    assert list(new.elements.filter(unit=unit).values_list("number", flat=True)) == numbers[1:]


def test_an_edit_of_an_imported_version_is_not_a_sample(client, staff, scheme, unit):
    services.import_units(staff, scheme, xlsx(good_rows(scheme)))
    client.force_login(staff)
    data = opened(client, scheme, unit)
    data["e-0-title"] = "Judul baru"
    assert client.post(edit_url(scheme, unit), data).status_code == 302
    new = scheme.current_standard()
    assert (new.number, new.is_sample) == (3, False)
    assert new.elements.get(unit=unit, number=1).title == "Judul baru"


def blank_element(data, index):
    data[f"e-{index}-number"] = ""
    data[f"e-{index}-title"] = ""
    for j in range(data[f"e-{index}-k-TOTAL_FORMS"]):
        data[f"e-{index}-k-{j}-number"] = ""
        data[f"e-{index}-k-{j}-text"] = ""


def every_kuk_removed(data):
    for j in range(data["e-0-k-TOTAL_FORMS"]):
        data[f"e-0-k-{j}-DELETE"] = "on"


def every_element_removed(data):
    for i in range(data["e-TOTAL_FORMS"]):
        data[f"e-{i}-DELETE"] = "on"


BAD = {
    "empty KUK text": (lambda d: d.update({"e-0-k-0-text": "  "}), "baris KUK 1: teksnya kosong"),
    "empty KUK number": (lambda d: d.update({"e-0-k-0-number": ""}), "baris KUK 1: nomornya kosong"),
    "empty element title": (lambda d: d.update({"e-0-title": ""}), "Judul elemen 1 kosong"),
    "empty element number": (lambda d: d.update({"e-0-number": ""}), "Baris elemen 1: nomornya kosong"),
    "element number not a number": (
        lambda d: d.update({"e-0-number": "satu"}),
        "Baris elemen 1: nomor satu bukan bilangan bulat dari 1 sampai 999",
    ),
    "element number twice": (lambda d: d.update({"e-1-number": "1", "e-1-k-0-number": "1.9"}), "Elemen 1 muncul dua kali"),
    "KUK number twice": (lambda d: d.update({"e-0-k-1-number": d["e-0-k-0-number"]}), "KUK 1.1 muncul dua kali"),
    "KUK of another element": (lambda d: d.update({"e-0-k-0-number": "2.1"}), "nomor KUK 2.1 tidak berbentuk 1.n"),
    "element without KUK": (every_kuk_removed, "Elemen 1 tidak memiliki KUK"),
    "unit without element": (every_element_removed, "memerlukan sedikitnya satu elemen"),
    "KUK row under a blank element": (
        lambda d: d.update({"e-0-number": "", "e-0-title": ""}),
        "Baris elemen 1: nomornya kosong",
    ),
}  # fmt: skip


@pytest.mark.parametrize("case", BAD, ids=list(BAD))
def test_bad_input_is_refused_with_a_message_and_writes_nothing(client, staff, scheme, unit, case):
    change, message = BAD[case]
    client.force_login(staff)
    data = opened(client, scheme, unit)
    change(data)
    before = totals()
    response = client.post(edit_url(scheme, unit), data)
    assert response.status_code == 400
    text = response.content.decode()
    assert 'data-testid="edit-problems"' in text
    assert escape(message) in text, text.split('data-testid="edit-problems"')[1][:800]
    assert "Tidak ada yang disimpan" in text
    assert totals() == before
    assert not AuditEvent.objects.filter(action="scheme.standard_edited").exists()
    # The form comes back as typed, to be corrected.
    again = shown(response.context["form"])
    assert {k: str(v) for k, v in again.items() if not k.endswith("DELETE")} == {
        k: str(v) for k, v in data.items() if not k.endswith("DELETE")
    }


def test_a_blank_spare_row_is_ignored(client, staff, scheme, unit):
    client.force_login(staff)
    data = opened(client, scheme, unit)
    blank_element(data, data["e-TOTAL_FORMS"] - 1)
    assert client.post(edit_url(scheme, unit), data).status_code == 302
    old = StandardVersion.objects.get(scheme=scheme, number=1)
    assert standard_of(scheme.current_standard()) == standard_of(old)


def test_a_save_over_a_newer_version_is_refused(client, staff, scheme, unit):
    client.force_login(staff)
    data = opened(client, scheme, unit)
    services.import_units(staff, scheme, xlsx(good_rows(scheme)))  # meanwhile
    before = totals()
    data["e-0-title"] = "Judul baru"
    response = client.post(edit_url(scheme, unit), data)
    assert response.status_code == 400
    assert "Sementara itu versi 2 standar kompetensi telah disimpan" in response.content.decode()
    assert totals() == before


def test_a_tampered_form_is_refused(client, staff, scheme, unit):
    client.force_login(staff)
    data = opened(client, scheme, unit)
    del data["e-0-k-TOTAL_FORMS"]
    before = totals()
    assert client.post(edit_url(scheme, unit), data).status_code == 400
    data = opened(client, scheme, unit)
    data["e-TOTAL_FORMS"] = 5000
    assert client.post(edit_url(scheme, unit), data).status_code == 400
    assert totals() == before


def test_applicants_assessors_and_anonymous_are_refused(client, alice, assessor, scheme, unit):
    url = edit_url(scheme, unit)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    before = totals()
    for user in (alice, assessor):
        client.force_login(user)
        assert client.get(url).status_code == 403
        assert client.post(url, {"based_on": 1}).status_code == 403
    assert totals() == before
    with pytest.raises(PermissionDenied):
        services.edit_unit(
            assessor,
            scheme,
            unit,
            UnitStandardInput(
                based_on=1, elements=(ElementInput("1", "E", (KUKInput("1.1", "K", 1),), 1),)
            ),
        )


def test_a_unit_of_another_scheme_is_not_found(client, staff, scheme, second_scheme):
    client.force_login(staff)
    other = second_scheme.units.first()
    assert client.get(edit_url(scheme, other)).status_code == 404


def test_a_scheme_without_a_standard_sends_staff_to_the_import(client, staff, second_scheme):
    client.force_login(staff)
    unit = second_scheme.units.first()
    response = client.get(edit_url(second_scheme, unit))
    assert response.status_code == 302 and response["Location"] == page(second_scheme)
    assert not second_scheme.standard_versions.exists()


def test_a_message_names_the_rows_as_the_page_numbers_them(client, staff, scheme, unit):
    """Rows ticked for removal are left out of the save, not out of the numbering."""
    client.force_login(staff)
    data = opened(client, scheme, unit)
    data["e-0-DELETE"] = "on"
    data["e-1-k-0-DELETE"] = "on"
    data["e-1-k-1-text"] = ""
    response = client.post(edit_url(scheme, unit), data)
    assert response.status_code == 400
    assert "Elemen 2, baris KUK 2: teksnya kosong." in response.content.decode()
