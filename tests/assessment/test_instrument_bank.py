"""The MUK instrument bank of a scheme (issue 15): FR.IA tasks and questions per unit, versioned,
written against one version of the competency standard, imported whole or not at all from a
spreadsheet and exported in the same layout (assessment/instruments/sheet.py)."""

import importlib
import io

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from assessment.instruments import services
from assessment.instruments.models import current_instrument_bank
from assessment.instruments.sheet import HEADER, InstrumentImportError
from assessment.models import InstrumentBank, InstrumentItem
from lsp_portal.audit import labels
from lsp_portal.audit.models import AuditEvent
from registration.models import KUK, Scheme
from tests.conftest import run_concurrently, xlsx_upload

pytestmark = pytest.mark.django_db


def kuk_numbers(scheme):
    """unit code -> the KUK numbers of the unit in the scheme's current standard, in order."""
    numbers = {}
    kuks = KUK.objects.filter(element__version=scheme.current_standard()).order_by("position")
    for kuk in kuks.select_related("element__unit"):
        numbers.setdefault(kuk.element.unit.code, []).append(kuk.number)
    return numbers


def good_rows(scheme):
    """Per unit an FR.IA.02 task over every KUK (60 minutes) and two FR.IA.07 questions with the
    expected answer (45 rows for mhp)."""
    rows = []
    for code, numbers in kuk_numbers(scheme).items():
        rows.append([code, "IA.02", 1, f"Tugas {code}", None, ", ".join(numbers), 60])
        for n in (1, 2):
            rows.append(
                [code, "FR.IA.07", n, f"Pertanyaan {n} {code}", f"Jawaban {n}", numbers[n], None]
            )
    return rows


def xlsx(rows, header=HEADER, name="instrumen.xlsx"):
    return xlsx_upload(rows, header, name)


def content(bank):
    """What a version holds, comparable across versions."""
    return [
        (
            i.unit.code,
            i.kind,
            i.number,
            i.text,
            i.guide,
            i.minutes,
            [k.number for k in i.kuks.all()],
        )
        for i in bank.items.select_related("unit")
        .prefetch_related("kuks")
        .order_by("unit__number", "kind", "number")
    ]


def totals():
    return InstrumentBank.objects.count(), InstrumentItem.objects.count()


def page(scheme):
    return reverse("assessment:instrument_bank", args=[scheme.code])


def test_the_demo_scheme_has_a_sample_bank_that_covers_every_kuk(scheme):
    bank = current_instrument_bank(scheme)
    assert (bank.number, bank.is_sample, bank.standard) == (1, True, scheme.current_standard())
    assert bank.note.startswith("Contoh teks instrumen")
    numbers = kuk_numbers(scheme)
    assert len(numbers) == 15
    for unit in scheme.units.all():
        items = list(bank.items.filter(unit=unit).prefetch_related("kuks"))
        kinds = [i.kind for i in items]
        assert {k: kinds.count(k) for k in set(kinds)} == {
            "IA.02": 1,
            "IA.03": 2,
            "IA.07": 2,
            "IA.09": 1,
            "IA.11": 1,
        }
        covered = {k.number for i in items for k in i.kuks.all()}
        assert covered == set(numbers[unit.code])
        assert all(i.guide for i in items if i.kind in ("IA.03", "IA.07"))
        assert [i.minutes for i in items if i.kind == "IA.02"][0] > 0
    oral = bank.items.filter(kind="IA.07", number=1).order_by("unit__number").first()
    assert oral.text.startswith("Jelaskan bagaimana Anda memastikan bahwa ")
    assert oral.text.endswith("(KUK 1.1).")


def test_the_sample_migration_runs_once_and_only_where_there_is_a_standard(scheme):
    from django.apps import apps

    migration = importlib.import_module("assessment.migrations.0009_mhp_sample_instrument_bank")
    before = totals()
    migration.load_sample_bank(apps, None)  # mhp has its bank: nothing more
    assert totals() == before
    InstrumentBank.objects.filter(scheme=scheme).delete()
    scheme.standard_versions.all().delete()
    migration.load_sample_bank(apps, None)  # no standard: nothing to write against
    assert not InstrumentBank.objects.exists()
    one = migration.sample_items("Unit kecil", [("Melakukan tugas", [("1.1", "Tugas selesai.")])])
    assert [(kind, number, kuks) for kind, number, _t, _g, _m, kuks in one] == [
        ("IA.02", 1, ["1.1"]),
        ("IA.03", 1, ["1.1"]),
        ("IA.07", 1, ["1.1"]),
        ("IA.09", 1, ["1.1"]),
        ("IA.11", 1, ["1.1"]),
    ]
    assert migration.sample_items("Kosong", []) == []


def test_a_good_file_imports_as_the_next_version_with_its_kuk(client, staff, scheme):
    sample = current_instrument_bank(scheme)
    before = content(sample)
    client.force_login(staff)
    response = client.post(page(scheme), {"file": xlsx(good_rows(scheme))}, follow=True)
    assert response.status_code == 200
    bank = current_instrument_bank(scheme)
    assert (bank.number, bank.is_sample, bank.standard) == (2, False, scheme.current_standard())
    assert (bank.source_name, bank.created_by) == ("instrumen.xlsx", staff)
    assert bank.items.count() == 45
    task = bank.items.get(unit__code="M.702093.001.01", kind="IA.02")
    assert (task.number, task.text, task.minutes, task.guide) == (
        1,
        "Tugas M.702093.001.01",
        60,
        "",
    )
    assert [k.number for k in task.kuks.order_by("position")] == kuk_numbers(scheme)[
        "M.702093.001.01"
    ]
    assert set(task.kuks.values_list("element__version", flat=True)) == {bank.standard_id}
    oral = bank.items.get(unit__code="M.702093.001.01", kind="IA.07", number=2)
    assert [k.number for k in oral.kuks.all()] == ["1.3"]
    assert "Versi 2 bank instrumen diimpor: 45 butir untuk 15 unit." in response.content.decode()
    assert content(sample) == before
    event = AuditEvent.objects.get(action="instruments.imported")
    assert (event.actor, event.data["bank"], event.data["items"]) == (staff, 2, 45)
    assert str(labels.action_label(event.action)) == "Bank instrumen diimpor"


def change(row, column, value):
    def apply(rows):
        rows[row][HEADER.index(column)] = value

    return apply


BAD_ROWS = {
    # kind: (change to the good rows, sheet row reported, words of the message)
    "unknown unit": (change(3, "kode_unit", "X.999"), 5, "X.999"),
    "unknown instrument": (change(1, "instrumen", "IA.99"), 3, "IA.99"),
    "written multiple choice": (change(1, "instrumen", "IA.05"), 3, "ujian tertulis"),
    "written essay": (change(1, "instrumen", "FR.IA.06"), 3, "ujian tertulis"),
    "observation checklist": (change(1, "instrumen", "IA.01"), 3, "KUK unit itu sendiri"),
    "portfolio": (change(1, "instrumen", "IA.08"), 3, "setiap asesi"),
    "third party": (change(1, "instrumen", "IA.10"), 3, "setiap asesi"),
    "missing text": (change(0, "teks", None), 2, "teks"),
    "missing guide": (change(2, "panduan", ""), 4, "jawaban yang diharapkan"),
    "missing kuk": (change(2, "kuk", None), 4, "kuk"),
    "number not a number": (change(2, "no", "dua"), 4, "dua"),
    "duplicate number": (change(2, "no", 1), 4, "baris 3"),
    "unknown kuk": (change(0, "kuk", "1.1, 9.9"), 2, "9.9"),
    "kuk of no unit's": (change(1, "kuk", "1-1"), 3, "1-1"),
    "minutes not a number": (change(0, "waktu_menit", "sejam"), 2, "sejam"),
    "minutes zero": (change(0, "waktu_menit", 0), 2, "waktu_menit"),
}


@pytest.mark.parametrize("kind", BAD_ROWS)
def test_each_kind_of_bad_row_refuses_the_whole_file_with_its_row(staff, scheme, kind):
    change_rows, row, words = BAD_ROWS[kind]
    rows = good_rows(scheme)
    change_rows(rows)
    before = totals()
    with pytest.raises(InstrumentImportError) as refused:
        services.import_instruments(staff, scheme, xlsx(rows))
    assert [(e.row, words in str(e)) for e in refused.value.errors] == [(row, True)]
    assert totals() == before
    assert not AuditEvent.objects.filter(action="instruments.imported").exists()


def test_the_page_lists_every_problem_with_its_row_and_writes_nothing(client, staff, scheme):
    rows = good_rows(scheme)
    rows[3][0] = "X.999"  # row 5
    rows[10][1] = "IA.05"  # row 12
    rows[20][4] = None  # row 22, an FR.IA.07 question without its answer
    before = totals()
    client.force_login(staff)
    response = client.post(page(scheme), {"file": xlsx(rows)})
    assert response.status_code == 400
    assert [e.row for e in response.context["problems"]] == [5, 12, 22]
    text = response.content.decode()
    assert "baris 5:" in text and "baris 12:" in text and "baris 22:" in text
    assert "FR.IA.05 disertakan bersama ujian tertulis" in text
    assert "3 masalah" in text
    assert totals() == before
    assert current_instrument_bank(scheme).number == 1


@pytest.mark.parametrize(
    "upload",
    [
        SimpleUploadedFile("instrumen.xlsx", b"%PDF-1.4 not a workbook"),
        SimpleUploadedFile("kosong.xlsx", b""),
    ],
    ids=["pdf", "empty"],
)
def test_a_file_that_is_not_xlsx_or_has_no_items_is_refused_clearly(client, staff, scheme, upload):
    before = totals()
    client.force_login(staff)
    response = client.post(page(scheme), {"file": upload})
    assert response.status_code == 400
    assert totals() == before
    with pytest.raises(InstrumentImportError) as refused:
        services.import_instruments(staff, scheme, xlsx([]))
    assert "tidak memuat butir" in str(refused.value.errors[0])
    with pytest.raises(InstrumentImportError) as refused:
        services.import_instruments(staff, scheme, xlsx(good_rows(scheme), header=HEADER[::-1]))
    assert refused.value.errors[0].row == 1


def test_a_scheme_without_a_standard_is_refused_with_a_clear_message(staff):
    other = Scheme.objects.create(
        code="tanpa-standar", document_number="SKM-TANPA-1", name="Tanpa standar", fee=1
    )
    with pytest.raises(InstrumentImportError) as refused:
        services.import_instruments(staff, other, xlsx([["X", "IA.02", 1, "T", "", "1.1", 5]]))
    assert "belum memiliki standar kompetensi" in str(refused.value.errors[0])
    assert not other.instrument_banks.exists()


def test_a_dry_run_writes_nothing(client, staff, scheme):
    before = totals()
    client.force_login(staff)
    response = client.post(page(scheme), {"file": xlsx(good_rows(scheme)), "dry_run": "on"})
    assert response.status_code == 200
    assert "45 butir untuk 15 unit" in response.content.decode()
    assert totals() == before
    assert not AuditEvent.objects.filter(action="instruments.imported").exists()


def test_export_then_import_gives_the_same_items(client, staff, scheme):
    rows = good_rows(scheme)
    rows[0][3] = "=HYPERLINK(teks yang diawali sama dengan)"  # stays text both ways
    first = services.import_instruments(staff, scheme, xlsx(rows)).bank
    client.force_login(staff)
    response = client.get(reverse("assessment:instrument_bank_export", args=[scheme.code]))
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="instruments-mhp-v2.xlsx"'
    sheet = load_workbook(io.BytesIO(response.content), read_only=True).worksheets[0]
    assert next(sheet.iter_rows(values_only=True)) == HEADER
    again = services.import_instruments(
        staff, scheme, SimpleUploadedFile("kembali.xlsx", response.content)
    ).bank
    assert again.number == 3
    assert content(again) == content(first)
    sample = InstrumentBank.objects.get(scheme=scheme, number=1)
    from_sample = services.import_instruments(
        staff,
        scheme,
        SimpleUploadedFile("contoh.xlsx", services.export_instruments(staff, scheme, sample)),
    ).bank
    assert content(from_sample) == content(sample)
    event = AuditEvent.objects.filter(action="instruments.exported").order_by("pk").first()
    assert (event.actor, event.data["bank"]) == (staff, 2)


def test_the_page_shows_the_items_by_unit_and_instrument_and_the_sample_warning(
    client, staff, scheme
):
    bank = current_instrument_bank(scheme)
    task = bank.items.filter(kind="IA.02").order_by("unit__number").first()
    client.force_login(staff)
    response = client.get(page(scheme))
    assert response.status_code == 200
    text = response.content.decode()
    assert 'data-testid="sample-warning"' in text
    assert "FR.IA.02 Tugas Praktik Demonstrasi" in text and "FR.IA.07 Pertanyaan Lisan" in text
    assert task.text.replace('"', "&quot;") in text
    assert f"{task.minutes} menit" in text
    assert text.count('data-testid="item"') == bank.items.count()
    services.import_instruments(staff, scheme, xlsx(good_rows(scheme)))
    text = client.get(page(scheme)).content.decode()
    assert 'data-testid="sample-warning"' not in text
    assert "Tugas M.702093.001.01" in text and "Jawaban 2" in text
    assert text.count('data-testid="item"') == 45


@pytest.mark.parametrize(
    "name", ["assessment:instrument_bank", "assessment:instrument_bank_export"]
)
def test_applicants_assessors_and_anonymous_are_refused(client, alice, assessor, scheme, name):
    url = reverse(name, args=[scheme.code])
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith(
        reverse("accounts:login")
    )
    before = totals()
    for user in (alice, assessor):
        client.force_login(user)
        assert client.get(url).status_code == 403
        assert client.post(page(scheme), {"file": xlsx(good_rows(scheme))}).status_code == 403
    assert totals() == before
    with pytest.raises(PermissionDenied):
        services.import_instruments(assessor, scheme, xlsx(good_rows(scheme)))
    with pytest.raises(PermissionDenied):
        services.export_instruments(alice, scheme)


def test_the_standard_page_links_the_instrument_bank(client, staff, scheme):
    client.force_login(staff)
    response = client.get(reverse("registration:scheme_standard", args=[scheme.code]))
    assert page(scheme) in response.content.decode()
    assert "Bank instrumen" in response.content.decode()


def test_the_commands_import_check_and_export(staff, scheme, tmp_path, capsys):
    rows = good_rows(scheme)
    rows[4][5] = "9.9"  # row 6
    bad = tmp_path / "salah.xlsx"
    bad.write_bytes(xlsx(rows).read())
    before = totals()
    with pytest.raises(CommandError):
        call_command("import_instruments", "mhp", str(bad))
    out, err = capsys.readouterr()
    assert "staff@example.org" in out
    assert "baris 6: KUK 9.9" in err
    assert totals() == before

    good = tmp_path / "benar.xlsx"
    good.write_bytes(xlsx(good_rows(scheme)).read())
    call_command("import_instruments", "mhp", str(good), "--dry-run")
    assert "45 butir untuk 15 unit" in capsys.readouterr().out
    assert totals() == before
    call_command("import_instruments", "mhp", str(good), "--user", staff.email)
    assert "Versi 2 bank instrumen" in capsys.readouterr().out
    assert current_instrument_bank(scheme).source_name == "benar.xlsx"

    exported = tmp_path / "ekspor.xlsx"
    call_command("export_instruments", "mhp", "--output", str(exported))
    assert "versi 2" in capsys.readouterr().out
    assert load_workbook(exported).worksheets[0].max_row == 46
    event = AuditEvent.objects.get(action="instruments.exported")
    assert (event.actor, event.data["items"]) == (None, 45)
    with pytest.raises(CommandError):
        call_command("export_instruments", "tidak-ada", "--output", str(exported))


def test_staff_read_the_bank_in_the_admin_and_cannot_change_it(login, staff, scheme):
    staff.is_staff = True
    staff.save()
    client = login(staff)
    item = current_instrument_bank(scheme).items.order_by("pk").first()
    response = client.get(reverse("admin:assessment_instrumentitem_changelist"))
    assert response.status_code == 200
    page = client.get(reverse("admin:assessment_instrumentitem_change", args=[item.pk]))
    assert page.status_code == 200 and item.text[:40] in page.content.decode()
    assert client.get(reverse("admin:assessment_instrumentbank_add")).status_code == 403
    bank = item.bank
    delete = reverse("admin:assessment_instrumentbank_delete", args=[bank.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert InstrumentBank.objects.filter(pk=bank.pk).exists()


def test_the_page_shows_the_kuk_no_item_covers(client, staff, scheme):
    client.force_login(staff)
    text = client.get(page(scheme)).content.decode()
    assert 'data-testid="uncovered"' not in text  # the sample covers every KUK
    code = "M.702093.001.01"
    rows = [[code, "IA.07", 1, "Pertanyaan", "Jawaban", "1.1, 1.2", None]]
    services.import_instruments(staff, scheme, xlsx(rows))
    response = client.get(page(scheme))
    [first, *others] = [uncovered for _unit, _kinds, uncovered in response.context["units"]]
    assert [k.number for k in first] == kuk_numbers(scheme)[code][2:]
    assert len(others) == 14 and all(others)
    assert response.content.decode().count('data-testid="uncovered"') == 15


def test_a_workbook_of_two_sheets_is_refused_in_words_that_fit(staff, scheme):
    workbook = Workbook()
    workbook.active.append(list(HEADER))
    workbook.create_sheet("Kedua")
    buffer = io.BytesIO()
    workbook.save(buffer)
    before = totals()
    with pytest.raises(InstrumentImportError) as refused:
        services.import_instruments(
            staff, scheme, SimpleUploadedFile("dua.xlsx", buffer.getvalue())
        )
    assert str(refused.value.errors[0]) == (
        "Buku kerja memiliki 2 sheet; letakkan semuanya pada satu sheet."
    )
    assert totals() == before


@pytest.mark.django_db(transaction=True)
def test_two_imports_at_once_make_two_versions_one_after_the_other(staff, scheme):
    """Two real connections (threads): the scheme's row lock numbers them 2 and 3."""
    first, second = xlsx(good_rows(scheme), name="a.xlsx"), xlsx(good_rows(scheme), name="b.xlsx")
    outcomes = run_concurrently(
        lambda: services.import_instruments(staff, scheme, first),
        lambda: services.import_instruments(staff, scheme, second),
    )
    assert outcomes == ["ok", "ok"]
    banks = InstrumentBank.objects.filter(scheme=scheme).order_by("number")
    assert [b.number for b in banks] == [1, 2, 3]
    assert {b.source_name for b in banks[1:]} == {"a.xlsx", "b.xlsx"}
    assert [b.items.count() for b in banks[1:]] == [45, 45]
