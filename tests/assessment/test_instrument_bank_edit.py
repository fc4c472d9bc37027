# ruff: noqa: E501 - the table of bad inputs is easier read one case a line
"""One unit's items of the instrument bank edited in the browser (assessment:instrument_bank_unit):
a save is the bank's next version against the same standard, the other units' items copied
unchanged, all or nothing, audited; refused while the scheme's standard is newer than the bank's."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils.html import escape

from assessment.inputs import InstrumentItemInput, UnitItemsInput
from assessment.instruments import services
from assessment.instruments.models import current_instrument_bank
from assessment.models import InstrumentBank
from lsp_portal.audit import labels
from lsp_portal.audit.models import AuditEvent
from registration import services as registration_services
from registration.models import KUK
from tests.assessment.test_instrument_bank import content, page, totals
from tests.registration.test_standard import good_rows as good_standard_rows
from tests.registration.test_standard import xlsx as standard_xlsx

pytestmark = pytest.mark.django_db


def edit_url(scheme, unit):
    return reverse("assessment:instrument_bank_unit", args=[scheme.code, unit.pk])


def shown(form):
    """What the browser sends back for the form as shown: the management form, every row
    (blank spare rows too), the ticked boxes."""
    data = {"based_on": form.based_on}
    management = form.items.management_form
    for name in management.fields:
        data[management.add_prefix(name)] = management[name].value()
    for row in form.items.forms:
        for name in row.fields:
            value = row[name].value()
            if name == "DELETE":
                if value:
                    data[row.add_prefix(name)] = "on"
            elif name == "kuks":
                data[row.add_prefix(name)] = [str(v) for v in value or []]
            else:
                data[row.add_prefix(name)] = "" if value is None else value
    return data


def opened(client, scheme, unit):
    response = client.get(edit_url(scheme, unit))
    assert response.status_code == 200
    return shown(response.context["form"])


def kuks_of(scheme, unit):
    return list(
        KUK.objects.filter(element__version=scheme.current_standard(), element__unit=unit)
        .order_by("position")
        .values_list("pk", flat=True)
    )


def row_of(data, kind, number):
    """The index of the form row showing item `kind` `number`."""
    for i in range(data["i-TOTAL_FORMS"]):
        if data[f"i-{i}-kind"] == kind and str(data[f"i-{i}-number"]) == str(number):
            return i
    raise AssertionError((kind, number))


@pytest.fixture
def unit(scheme):
    return scheme.units.order_by("number")[2]


def test_the_page_shows_the_units_items_with_kuk_boxes_and_spare_rows(client, staff, scheme, unit):
    client.force_login(staff)
    response = client.get(edit_url(scheme, unit))
    text = response.content.decode()
    bank = current_instrument_bank(scheme)
    items = list(bank.items.filter(unit=unit))
    assert f"Edit butir unit {unit.code}" in text and unit.title in text
    for item in items:
        assert escape(item.text) in text
    assert text.count('data-testid="item-row"') == len(items) + 3
    boxes = len(kuks_of(scheme, unit))
    assert text.count('type="checkbox" name="i-0-kuks"') == boxes
    other = scheme.units.order_by("number")[0]
    assert escape(KUK.objects.filter(element__unit=other).first().text) not in text
    assert "<script" not in text.split('data-testid="items-form"')[1].split("</form>")[0]


def test_the_bank_page_links_each_units_editor(client, staff, scheme):
    client.force_login(staff)
    text = client.get(page(scheme)).content.decode()
    for unit in scheme.units.all():
        assert edit_url(scheme, unit) in text


def test_a_save_writes_the_next_version_with_the_other_units_copied(client, staff, scheme, unit):
    old = current_instrument_bank(scheme)
    before = content(old)
    kuks = kuks_of(scheme, unit)
    client.force_login(staff)
    data = opened(client, scheme, unit)
    oral = row_of(data, "IA.07", 1)
    data[f"i-{oral}-text"] = "Pertanyaan yang diperbaiki"
    data[f"i-{oral}-kuks"] = [str(kuks[0])]
    data[f"i-{row_of(data, 'IA.11', 1)}-DELETE"] = "on"
    spare = data["i-TOTAL_FORMS"] - 1
    data.update(
        {
            f"i-{spare}-kind": "IA.09",
            f"i-{spare}-number": "2",
            f"i-{spare}-text": "Wawancara baru",
            f"i-{spare}-guide": "",
            f"i-{spare}-minutes": "15",
            f"i-{spare}-kuks": [str(kuks[-1]), str(kuks[0])],
        }
    )
    response = client.post(edit_url(scheme, unit), data, follow=True)
    assert response.redirect_chain[-1][0] == page(scheme)
    assert f"Butir unit {unit.code} disimpan sebagai bank instrumen versi 2" in (
        response.content.decode()
    )

    new = current_instrument_bank(scheme)
    assert (new.number, new.standard_id) == (old.number + 1, old.standard_id)
    assert new.note == f"Diedit di portal: unit {unit.code}" and new.source_name == ""
    assert new.is_sample and new.created_by == staff
    assert content(old) == before  # the old version is never changed
    after = content(new)
    assert [i for i in after if i[0] != unit.code] == [i for i in before if i[0] != unit.code]
    edited = {(i[1], i[2]): i for i in after if i[0] == unit.code}
    was = {(i[1], i[2]): i for i in before if i[0] == unit.code}
    numbers = dict(KUK.objects.filter(pk__in=kuks).values_list("pk", "number"))
    assert set(edited) == (set(was) - {("IA.11", 1)}) | {("IA.09", 2)}
    assert edited[("IA.07", 1)][3] == "Pertanyaan yang diperbaiki"
    assert edited[("IA.07", 1)][6] == [numbers[kuks[0]]]
    assert edited[("IA.09", 2)] == (
        unit.code, "IA.09", 2, "Wawancara baru", "", 15, [numbers[kuks[0]], numbers[kuks[-1]]],
    )  # fmt: skip
    assert edited[("IA.02", 1)] == was[("IA.02", 1)]

    event = AuditEvent.objects.get(action="instruments.edited")
    assert event.actor == staff and event.data["unit"] == unit.code
    assert (event.data["bank"], event.data["based_on"]) == (new.number, old.number)
    assert str(labels.action_label(event.action)) == "Bank instrumen diedit di portal (satu unit)"


def test_an_unchanged_save_copies_the_bank_as_it_is(client, staff, scheme, unit):
    client.force_login(staff)
    old = current_instrument_bank(scheme)
    assert client.post(edit_url(scheme, unit), opened(client, scheme, unit)).status_code == 302
    assert content(current_instrument_bank(scheme)) == content(old)


def test_a_units_items_may_all_be_removed(client, staff, scheme, unit):
    client.force_login(staff)
    data = opened(client, scheme, unit)
    for i in range(data["i-TOTAL_FORMS"]):
        data[f"i-{i}-DELETE"] = "on"
    assert client.post(edit_url(scheme, unit), data).status_code == 302
    bank = current_instrument_bank(scheme)
    assert not bank.items.filter(unit=unit).exists() and bank.items.exists()


def forged_kuk(data, scheme, unit):
    other = scheme.units.order_by("number")[0]
    data["i-0-kuks"] = [str(kuks_of(scheme, other)[0])]


def no_kuk(data, scheme, unit):
    data["i-0-kuks"] = []


def twice(data, scheme, unit):
    second = row_of(data, "IA.07", 2)
    data[f"i-{second}-number"] = "1"


def edit(**values):
    def change(data, scheme, unit):
        row = row_of(data, "IA.07", 1)
        data.update({f"i-{row}-{name}": value for name, value in values.items()})

    return change


BAD = {
    "empty text": (edit(text=" "), "Baris butir 4: tugas atau pertanyaannya kosong."),
    "no guide for FR.IA.07": (
        edit(guide=""),
        "panduan jawabannya kosong: FR.IA.07 memerlukan jawaban yang diharapkan",
    ),
    "empty number": (edit(number=""), "Baris butir 4: nomornya kosong."),
    "number not a number": (edit(number="x1"), "nomor x1 bukan bilangan bulat dari 1 sampai 999"),
    "minutes not a number": (
        edit(minutes="0"),
        "waktu 0 bukan bilangan bulat menit dari 1 sampai 1440",
    ),
    "no instrument": (edit(kind=""), "Baris butir 4: pilih instrumennya."),
    "an instrument the bank does not keep": (
        edit(kind="IA.05"),
        "FR.IA.05 disertakan bersama ujian tertulis",
    ),
    "not an instrument code": (edit(kind="IA.99"), "IA.99 bukan kode instrumen"),
    "no KUK": (no_kuk, "Baris butir 1: centang sedikitnya satu KUK"),
    "a KUK of another unit": (forged_kuk, "KUK yang dicentang bukan KUK unit"),
    "an item number twice": (twice, "Butir FR.IA.07 nomor 1 sudah ada di baris butir 4"),
}


@pytest.mark.parametrize("case", BAD, ids=list(BAD))
def test_bad_input_is_refused_with_a_message_and_writes_nothing(client, staff, scheme, unit, case):
    change, message = BAD[case]
    client.force_login(staff)
    data = opened(client, scheme, unit)
    change(data, scheme, unit)
    before = totals()
    response = client.post(edit_url(scheme, unit), data)
    assert response.status_code == 400
    text = response.content.decode()
    assert 'data-testid="edit-problems"' in text
    assert escape(message) in text, text.split('data-testid="edit-problems"')[1][:800]
    assert "Tidak ada yang disimpan" in text
    assert totals() == before
    assert not AuditEvent.objects.filter(action="instruments.edited").exists()


def test_a_newer_standard_refuses_editing_until_a_bank_is_imported_for_it(
    client, staff, scheme, unit
):
    client.force_login(staff)
    data = opened(client, scheme, unit)
    registration_services.import_units(staff, scheme, standard_xlsx(good_standard_rows(scheme)))
    before = totals()
    for response in (client.get(edit_url(scheme, unit)), client.post(edit_url(scheme, unit), data)):
        assert response.status_code == 302 and response["Location"] == page(scheme)
    assert totals() == before
    text = client.get(page(scheme)).content.decode()
    assert edit_url(scheme, unit) not in text
    assert "Sampai saat itu unitnya tidak dapat diedit di sini." in text
    response = client.get(edit_url(scheme, unit), follow=True)
    assert "impor dahulu bank instrumen untuk versi 2" in response.content.decode()
    with pytest.raises(Exception, match="versi 2"):
        services.edit_unit_items(staff, scheme, unit, UnitItemsInput(based_on=1, items=()))
    assert totals() == before


def test_a_save_over_a_newer_bank_is_refused(client, staff, scheme, unit):
    client.force_login(staff)
    data = opened(client, scheme, unit)
    other = scheme.units.order_by("number")[0]
    services.edit_unit_items(
        staff,
        scheme,
        other,
        UnitItemsInput(
            based_on=1,
            items=(
                InstrumentItemInput("IA.09", "1", "Tanya", "", "", (kuks_of(scheme, other)[0],), 1),
            ),
        ),
    )  # meanwhile
    before = totals()
    response = client.post(edit_url(scheme, unit), data)
    assert response.status_code == 400
    assert "Sementara itu versi 2 bank instrumen telah disimpan" in response.content.decode()
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
        services.edit_unit_items(assessor, scheme, unit, UnitItemsInput(based_on=1, items=()))


def test_a_unit_of_another_scheme_is_not_found(client, staff, scheme, second_scheme):
    client.force_login(staff)
    assert client.get(edit_url(scheme, second_scheme.units.first())).status_code == 404


def test_a_scheme_without_a_bank_sends_staff_to_the_import(client, staff, second_scheme):
    client.force_login(staff)
    response = client.get(edit_url(second_scheme, second_scheme.units.first()))
    assert response.status_code == 302 and response["Location"] == page(second_scheme)
    assert not InstrumentBank.objects.filter(scheme=second_scheme).exists()


def test_a_message_names_the_row_as_the_page_numbers_it(client, staff, scheme, unit):
    """Rows ticked for removal are left out of the save, not out of the numbering."""
    client.force_login(staff)
    data = opened(client, scheme, unit)
    data["i-0-DELETE"] = "on"
    edit(text="")(data, scheme, unit)
    response = client.post(edit_url(scheme, unit), data)
    assert response.status_code == 400
    assert "Baris butir 4: tugas atau pertanyaannya kosong." in response.content.decode()
