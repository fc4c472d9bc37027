"""The competency standard of a scheme (units -> elements -> KUK): versioned, imported whole or
not at all from a spreadsheet, exported in the same layout (registration/standard.py)."""

import io

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import load_workbook

from assessment.models import InstrumentBank
from lsp_portal.audit.models import AuditEvent
from registration import apl02, services
from registration.models import KUK, Element, StandardVersion
from registration.standard import HEADER, StandardImportError
from tests.conftest import xlsx_upload

pytestmark = pytest.mark.django_db


def good_rows(scheme):
    """Every unit of the scheme with two elements of two KUK each (60 rows for mhp)."""
    rows = []
    for unit in scheme.units.all():
        for element in (1, 2):
            for kuk in (1, 2):
                rows.append(
                    [
                        unit.code,
                        unit.title,
                        element,
                        f"Elemen {element} {unit.code}",
                        f"{element}.{kuk}",
                        f"KUK {element}.{kuk} dari {unit.code}",
                    ]
                )
    return rows


def xlsx(rows, header=HEADER, name="standar.xlsx"):
    return xlsx_upload(rows, header, name)


def standard_of(version):
    return [
        (e.unit.code, e.number, e.title, [(k.number, k.text) for k in e.kuks.all()])
        for e in version.elements.select_related("unit").prefetch_related("kuks")
    ]


def page(scheme):
    return reverse("registration:scheme_standard", args=[scheme.code])


def test_the_demo_scheme_starts_with_a_sample_version(scheme):
    version = scheme.current_standard()
    assert (version.number, version.is_sample) == (1, True)
    assert version.elements.exists()
    assert version.note.startswith("Contoh teks")


def test_a_good_file_imports_as_a_new_version_and_leaves_the_old_one(client, staff, scheme):
    sample = scheme.current_standard()
    before = standard_of(sample)
    client.force_login(staff)
    response = client.post(page(scheme), {"file": xlsx(good_rows(scheme))}, follow=True)
    assert response.status_code == 200
    version = scheme.current_standard()
    assert (version.number, version.is_sample) == (2, False)
    assert (version.source_name, version.created_by) == ("standar.xlsx", staff)
    assert version.elements.count() == 30
    assert KUK.objects.filter(element__version=version).count() == 60
    first = standard_of(version)[0]
    assert first == (
        "M.702093.001.01",
        1,
        "Elemen 1 M.702093.001.01",
        [("1.1", "KUK 1.1 dari M.702093.001.01"), ("1.2", "KUK 1.2 dari M.702093.001.01")],
    )
    assert "15 unit, 30 elemen, 60 KUK" in response.content.decode()
    sample.refresh_from_db()
    assert standard_of(sample) == before and sample.is_sample
    event = AuditEvent.objects.get(action="scheme.standard_imported")
    assert event.data["version"] == 2 and event.data["kuks"] == 60


BAD_ROWS = {
    # kind: (change to the good rows, sheet row reported, words of the message)
    "unknown unit": (lambda r: r[3].__setitem__(0, "X.999"), 5, "X.999"),
    "missing cell": (lambda r: r[0].__setitem__(5, None), 2, "kuk"),
    "element not a number": (lambda r: r[1].__setitem__(2, "satu"), 3, "satu"),
    "element zero": (lambda r: r[1].__setitem__(2, 0), 3, "no_elemen"),
    "kuk of another element": (lambda r: r[0].__setitem__(4, "2.1"), 2, "2.1"),
    "kuk not n.m": (lambda r: r[0].__setitem__(4, "1-1"), 2, "1-1"),
    "kuk twice": (lambda r: r[1].__setitem__(4, "1.1"), 3, "1.1"),
    "element with two titles": (lambda r: r[1].__setitem__(3, "Lain"), 3, "2"),
    "unit title differs": (lambda r: r[0].__setitem__(1, "Judul lain"), 2, "Judul lain"),
}


@pytest.mark.parametrize("kind", BAD_ROWS)
def test_each_kind_of_bad_row_refuses_the_whole_file_with_its_row(staff, scheme, kind):
    change, row, words = BAD_ROWS[kind]
    rows = good_rows(scheme)
    change(rows)
    with pytest.raises(StandardImportError) as refused:
        services.import_units(staff, scheme, xlsx(rows))
    assert [(e.row, words in e.message) for e in refused.value.errors] == [(row, True)]
    assert StandardVersion.objects.filter(scheme=scheme).count() == 1


def test_a_unit_left_out_is_refused(staff, scheme):
    rows = [r for r in good_rows(scheme) if r[0] != "M.702093.015.01"]
    with pytest.raises(StandardImportError) as refused:
        services.import_units(staff, scheme, xlsx(rows))
    [error] = refused.value.errors
    assert error.row is None and "M.702093.015.01" in error.message


def test_the_page_lists_every_problem_with_its_row_and_writes_nothing(client, staff, scheme):
    rows = good_rows(scheme)
    rows[3][0] = "X.999"  # row 5
    rows[10][2] = "dua"  # row 12
    rows[20][5] = ""  # row 22
    elements = Element.objects.count()
    client.force_login(staff)
    response = client.post(page(scheme), {"file": xlsx(rows)})
    assert response.status_code == 400
    assert [e.row for e in response.context["problems"]] == [5, 12, 22]
    text = response.content.decode()
    assert "baris 5:" in text and "baris 12:" in text and "baris 22:" in text
    assert "3 masalah" in text
    assert Element.objects.count() == elements
    assert scheme.current_standard().number == 1


@pytest.mark.parametrize(
    "upload",
    [
        SimpleUploadedFile("standar.xlsx", b"%PDF-1.4 not a workbook"),
        SimpleUploadedFile("standar.csv", b"kode_unit,judul_unit\n"),
        SimpleUploadedFile("kosong.xlsx", b""),
    ],
    ids=["pdf", "csv", "empty"],
)
def test_a_file_that_is_not_xlsx_is_refused_clearly(client, staff, scheme, upload):
    client.force_login(staff)
    response = client.post(page(scheme), {"file": upload})
    assert response.status_code == 400
    assert scheme.current_standard().number == 1


def test_a_wrong_header_or_a_too_large_file_is_refused(staff, scheme, settings):
    with pytest.raises(StandardImportError) as refused:
        services.import_units(staff, scheme, xlsx(good_rows(scheme), header=HEADER[::-1]))
    assert refused.value.errors[0].row == 1
    settings.STANDARD_IMPORT_MAX_BYTES = 1000
    with pytest.raises(StandardImportError) as refused:
        services.import_units(staff, scheme, xlsx(good_rows(scheme)))
    assert "1000" in refused.value.errors[0].message.replace("\xa0", " ").replace(" ", "")


def test_a_dry_run_writes_nothing(client, staff, scheme):
    client.force_login(staff)
    response = client.post(page(scheme), {"file": xlsx(good_rows(scheme)), "dry_run": "on"})
    assert response.status_code == 200
    assert "15 unit, 30 elemen, 60 KUK" in response.content.decode()
    assert scheme.standard_versions.count() == 1
    assert not AuditEvent.objects.filter(action="scheme.standard_imported").exists()


def test_export_then_import_gives_the_same_elements_and_kuk(client, staff, scheme):
    rows = good_rows(scheme)
    rows[0][5] = "=HYPERLINK(teks yang diawali sama dengan)"  # stays text both ways
    first = services.import_units(staff, scheme, xlsx(rows)).version
    client.force_login(staff)
    response = client.get(reverse("registration:scheme_standard_export", args=[scheme.code]))
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="standard-mhp-v2.xlsx"'
    sheet = load_workbook(io.BytesIO(response.content), read_only=True).worksheets[0]
    assert next(sheet.iter_rows(values_only=True)) == HEADER
    again = services.import_units(
        staff, scheme, SimpleUploadedFile("kembali.xlsx", response.content)
    ).version
    assert again.number == 3
    assert standard_of(again) == standard_of(first)


def test_the_sample_export_has_a_row_to_fill_in_for_each_unit_without_elements(scheme):
    sheet = load_workbook(io.BytesIO(services.export_units(scheme))).worksheets[0]
    codes = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert set(codes) == set(scheme.units.values_list("code", flat=True))


def test_the_staff_page_shows_the_standard_the_sample_warning_and_the_history(
    client, staff, scheme
):
    client.force_login(staff)
    response = client.get(page(scheme))
    assert response.status_code == 200
    text = response.content.decode()
    assert 'data-testid="sample-warning"' in text
    assert "bukan teks resmi SKKNI 170/2016" in text
    sample = scheme.current_standard().elements.first()
    assert sample.title in text and sample.kuks.first().text in text
    services.import_units(staff, scheme, xlsx(good_rows(scheme)))
    text = client.get(page(scheme)).content.decode()
    assert 'data-testid="sample-warning"' not in text
    assert "standar.xlsx" in text and staff.full_name in text


@pytest.mark.parametrize(
    "name", ["registration:scheme_standard", "registration:scheme_standard_export"]
)
def test_an_applicant_and_anonymous_are_refused(client, alice, scheme, name):
    url = reverse(name, args=[scheme.code])
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith(
        reverse("accounts:login")
    )
    client.force_login(alice)
    assert client.get(url).status_code == 403
    assert client.post(page(scheme), {"file": xlsx(good_rows(scheme))}).status_code == 403
    assert scheme.standard_versions.count() == 1


def test_only_staff_may_import(alice, scheme):
    with pytest.raises(PermissionDenied):
        services.import_units(alice, scheme, xlsx(good_rows(scheme)))


def test_the_scheme_page_links_the_standard_for_staff_only(client, staff, alice, scheme):
    url = reverse("registration:scheme_detail", args=[scheme.code])
    assert page(scheme) not in client.get(url).content.decode()
    client.force_login(alice)
    assert page(scheme) not in client.get(url).content.decode()
    client.force_login(staff)
    assert page(scheme) in client.get(url).content.decode()


def test_the_import_command_lists_the_rows_and_fails_or_prints_the_counts(
    staff, scheme, tmp_path, capsys
):
    rows = good_rows(scheme)
    rows[4][4] = "9.9"  # row 6
    bad = tmp_path / "salah.xlsx"
    bad.write_bytes(xlsx(rows).read())
    with pytest.raises(CommandError):
        call_command("import_units", "mhp", str(bad))
    out, err = capsys.readouterr()
    assert "staff@example.org" in out
    assert "baris 6: no_kuk 9.9" in err
    assert scheme.standard_versions.count() == 1

    good = tmp_path / "benar.xlsx"
    good.write_bytes(xlsx(good_rows(scheme)).read())
    call_command("import_units", "mhp", str(good), "--dry-run")
    assert "15 unit, 30 elemen, 60 KUK" in capsys.readouterr().out
    assert scheme.standard_versions.count() == 1
    call_command("import_units", "mhp", str(good), "--user", staff.email)
    assert "Versi 2" in capsys.readouterr().out
    assert scheme.current_standard().source_name == "benar.xlsx"

    exported = tmp_path / "ekspor.xlsx"
    call_command("export_units", "mhp", str(exported))
    assert "version 2" in capsys.readouterr().out
    assert load_workbook(exported).worksheets[0].max_row == 61


def test_the_sample_migration_fills_every_unit_the_samples_list(scheme, monkeypatch):
    """registration/standard_samples.py is a one-unit stub for now; the full one lists all 15."""
    import importlib

    from django.apps import apps

    migration = importlib.import_module("registration.migrations.0007_standard_mhp_sample")
    full = {
        unit.code: [
            (f"Elemen {n} {unit.code}", [f"KUK {n}.{m}" for m in (1, 2, 3)]) for n in (1, 2)
        ]
        for unit in scheme.units.all()
    }
    monkeypatch.setattr(migration, "MHP", {**full, "X.000": [("Tidak ada", ["-"])]})
    InstrumentBank.objects.filter(scheme=scheme).delete()  # it protects the standard it cites
    StandardVersion.objects.filter(scheme=scheme).delete()
    migration.load_sample(apps, None)
    migration.load_sample(apps, None)  # a version exists: nothing more
    version = scheme.current_standard()
    assert (version.number, version.is_sample, version.elements.count()) == (1, True, 30)
    assert [k.number for k in version.elements.get(unit__number=15, number=2).kuks.all()] == [
        "2.1",
        "2.2",
        "2.3",
    ]


def test_staff_read_the_standard_in_the_admin_and_cannot_change_it(login, staff):
    staff.is_staff = True
    staff.save()
    client = login(staff)
    response = client.get(reverse("admin:registration_standardversion_changelist"))
    assert response.status_code == 200
    assert "Pengelolaan Sistem Manajemen Hubungan Pelanggan" in response.content.decode()
    element = Element.objects.filter(version__scheme__code="mhp").order_by("pk").first()
    page = client.get(reverse("admin:registration_element_change", args=[element.pk]))
    assert page.status_code == 200
    assert element.kuks.first().text in page.content.decode()
    version = StandardVersion.objects.get(scheme__code="mhp", number=1)
    assert client.get(reverse("admin:registration_standardversion_add")).status_code == 403
    assert (
        client.post(
            reverse("admin:registration_standardversion_delete", args=[version.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    assert StandardVersion.objects.filter(pk=version.pk).exists()


def test_the_self_assessment_asks_each_element_with_its_kuk(login, alice):
    """FR-APL-02 (9.1.3): the applicant answers "Dapatkah saya ...?" for every element of every
    unit of the scheme's current standard, with the element's KUK beside the question."""
    from registration.models import Application, Scheme

    scheme = Scheme.objects.get(code="mhp")
    application = services.start_application(alice, scheme)
    assert isinstance(application, Application)
    page = login(alice).get(
        reverse("registration:application_self_assessment", args=[application.pk])
    )
    assert page.status_code == 200
    html = page.content.decode()
    version = scheme.current_standard()
    element = version.elements.get(unit__number=12, number=1)
    assert html.count('data-testid="element-kuk"') == version.elements.count() == 45
    assert f"Dapatkah saya {apl02.question_phrase(element)}?" in html
    assert apl02.question_phrase(element)[0].islower()
    assert all(kuk.text in html for kuk in element.kuks.all())
    assert f'name="element-{element.pk}-answer"' in html


def test_a_new_version_imported_later_does_not_change_an_applications_questions(
    login, alice, staff, scheme
):
    """9.1.3: the application is pinned to the standard current when it was opened; a version
    imported afterwards is what later applications answer, not this one."""
    application = services.start_application(alice, scheme)
    first = scheme.current_standard()
    assert application.standard == first
    rows = good_rows(scheme)
    services.import_units(staff, scheme, xlsx(rows))
    assert scheme.current_standard() != first
    application.refresh_from_db()
    assert application.standard == first
    html = (
        login(alice)
        .get(reverse("registration:application_self_assessment", args=[application.pk]))
        .content.decode()
    )
    assert rows[0][3] not in html
    element = first.elements.get(unit=first.elements.first().unit, number=1)
    assert f"Dapatkah saya {apl02.question_phrase(element)}?" in html
