"""FR.MAPA.01 (the assessment plan: approach, purpose, context, people to confirm with, start time,
and per unit the kinds of evidence L/TL/T and the minutes) and FR.AK.01 (consent and
confidentiality, signed by the applicant and the assessor), through the pages users hit."""

import dataclasses
import datetime
import importlib
import subprocess

import pytest
from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils.html import escape

from assessment import services
from assessment.models import AssessmentPlan, PlanDocument, PlanItem
from lsp_portal.audit.models import AuditEvent
from lsp_portal.errors import RuleError
from tests.conftest import run_outbox_jobs
from tests.fixtures_assessment import plan_form, plan_header, plan_items, today

IN_THREE_DAYS = datetime.timedelta(days=3)


def post_plan(client, assessment, data):
    return client.post(reverse("assessment:plan", args=[assessment.pk]), data)


def nothing_saved(assessment):
    assessment.refresh_from_db()
    return (
        assessment.plan_set_at is None
        and not assessment.plan.exists()
        and not AssessmentPlan.objects.filter(assessment=assessment).exists()
    )


def test_the_plan_page_saves_the_mapa01_header_and_each_units_evidence(
    login, assessor, declared, tuk
):
    data = plan_form(declared, tuk, today() + IN_THREE_DAYS, kinds=("TL", "L"))
    data |= {
        "mapa-approach": "rpl",
        "mapa-purpose": "lainnya",
        "mapa-purpose_other": "Penyetaraan jabatan",
        "mapa-environment": "nyata",
        "mapa-evidence_opportunity": "terbatas",
        "mapa-assessed_by": "asesor_perusahaan",
        "mapa-confirm_with": ["master_asesor", "lainnya"],
        "mapa-confirm_with_other": "Bu Sari, HR PT Maju",
        "mapa-start_time": "13:30",
    }
    units = list(declared.application.scheme.units.all())
    data[f"unit-{units[0].pk}-duration_minutes"] = ""
    response = post_plan(login(assessor), declared, data)
    assert response.status_code == 302
    header = AssessmentPlan.objects.get(assessment=declared)
    assert (header.approach, header.purpose, header.purpose_other) == (
        "rpl",
        "lainnya",
        "Penyetaraan jabatan",
    )
    assert (header.environment, header.evidence_opportunity, header.assessed_by) == (
        "nyata",
        "terbatas",
        "asesor_perusahaan",
    )
    assert header.confirm_with == ["master_asesor", "lainnya"]
    assert header.confirm_with_other == "Bu Sari, HR PT Maju"
    assert header.start_time == datetime.time(13, 30)
    items = {item.unit_id: item for item in declared.plan.all()}
    assert len(items) == 15
    assert {tuple(item.evidence_kinds) for item in items.values()} == {("L", "TL")}
    assert items[units[0].pk].duration_minutes is None
    assert items[units[1].pk].duration_minutes == 45
    event = AuditEvent.objects.for_object(declared).get(action="assessment.plan_set")
    assert event.data["approach"] == "rpl"
    assert event.data["start_time"] == "13:30"
    assert event.data["evidence_kinds"][units[0].code] == ["L", "TL"]


def test_a_unit_without_a_kind_of_evidence_refuses_the_whole_plan(login, assessor, declared, tuk):
    data = plan_form(declared, tuk, today())
    unit = declared.application.scheme.units.last()
    del data[f"unit-{unit.pk}-evidence_kinds"]
    response = post_plan(login(assessor), declared, data)
    assert response.status_code == 400
    page = response.content.decode()
    assert (
        escape(f"Pilih sekurang-kurangnya satu jenis bukti (L, TL atau T) untuk unit {unit.code}.")
        in page
    )
    assert nothing_saved(declared)


@pytest.mark.parametrize("minutes", ["0", "481", "satu jam", "-5"])
def test_a_bad_duration_refuses_the_whole_plan(login, assessor, declared, tuk, minutes):
    data = plan_form(declared, tuk, today())
    unit = declared.application.scheme.units.first()
    data[f"unit-{unit.pk}-duration_minutes"] = minutes
    response = post_plan(login(assessor), declared, data)
    assert response.status_code == 400
    assert 'data-testid="row-error"' in response.content.decode()
    assert "Rencana tidak disimpan" in response.content.decode()
    assert nothing_saved(declared)


@pytest.mark.parametrize(
    "field, value",
    [
        ("mapa-approach", "ujian_nasional"),
        ("mapa-environment", "rumah"),
        ("mapa-confirm_with", ["kepala_desa"]),
        ("evidence_kinds", ["X"]),
    ],
)
def test_an_unknown_choice_refuses_the_whole_plan(login, assessor, declared, tuk, field, value):
    data = plan_form(declared, tuk, today())
    if field == "evidence_kinds":
        field = f"unit-{declared.application.scheme.units.first().pk}-evidence_kinds"
    data[field] = value
    response = post_plan(login(assessor), declared, data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "Masukkan pilihan yang valid." in page
    assert escape(value if isinstance(value, str) else value[0]) in page
    assert nothing_saved(declared)


@pytest.mark.parametrize(
    "values, message",
    [
        ({"approach": "lainnya"}, "Jelaskan pendekatan asesmen lainnya."),
        ({"confirm_with": ()}, "Pilih sekurang-kurangnya satu orang"),
        ({"confirm_with": ("lainnya",)}, "Sebutkan orang lain"),
        ({"purpose": "ujian"}, "Pilihan tidak dikenal untuk tujuan asesmen: ujian."),
    ],
)
def test_the_service_refuses_an_incomplete_header(assessor, declared, tuk, values, message):
    with pytest.raises(RuleError, match=message):
        services.set_plan(
            assessor, declared, plan_items(declared, tuk), header=plan_header(**values)
        )
    assert nothing_saved(declared)


@pytest.mark.parametrize("minutes", [0, 481, True])
def test_the_service_refuses_a_duration_outside_a_working_day(assessor, declared, tuk, minutes):
    items = plan_items(declared, tuk)
    unit = next(iter(items))
    items[unit] = dataclasses.replace(items[unit], duration_minutes=minutes)
    with pytest.raises(RuleError, match=unit.code):
        services.set_plan(assessor, declared, items, header=plan_header())
    assert nothing_saved(declared)


@pytest.mark.parametrize("first", ["applicant", "assessor"])
def test_changing_the_plan_on_the_page_withdraws_the_agreement_given(
    login, alice, assessor, planned, tuk, first
):
    signer = alice if first == "applicant" else assessor
    agreed = login(signer).post(
        reverse("assessment:agree", args=[planned.pk]), {"plan": "on", "confidentiality": "on"}
    )
    assert agreed.status_code == 302
    planned.refresh_from_db()
    assert planned.applicant_agreed_at or planned.assessor_agreed_at
    data = plan_form(planned, tuk, today() + IN_THREE_DAYS, kinds=("T",))
    response = post_plan(login(assessor), planned, data)
    assert response.status_code == 302
    planned.refresh_from_db()
    assert planned.applicant_agreed_at is None
    assert planned.assessor_agreed_at is None
    assert {tuple(k) for k in planned.plan.values_list("evidence_kinds", flat=True)} == {("T",)}
    event = AuditEvent.objects.for_object(planned).filter(action="assessment.plan_set").first()
    assert event.data["agreements_reset"] is True


def test_the_ak01_section_shows_the_evidence_tuk_time_and_both_signers(
    login, alice, assessor, agreed, tuk
):
    page = login(alice).get(reverse("assessment:detail", args=[agreed.pk])).content.decode()
    assert "FR.AK.01" in page and "FR.MAPA.01" in page
    assert "FR-AK-01" not in page
    unit = agreed.application.scheme.units.first()
    section = page[page.index('data-testid="ak01"') :]
    row = section[section.index(f'data-unit="{unit.code}"') :]
    row = row[: row.index("</tr>")]
    # plan_items plans L and T for every unit, not TL.
    assert '<td class="text-center" data-kind="L">&#10003;</td>' in row
    assert '<td class="text-center" data-kind="T">&#10003;</td>' in row
    assert '<td class="text-center" data-kind="TL"></td>' in row
    assert tuk.name in row and "09:00" in row
    agreed.refresh_from_db()
    signatures = section[section.index('data-testid="ak01-signatures"') :]
    assert alice.full_name in signatures
    assert agreed.assessor.user.full_name in signatures
    assert signatures.count("Ditandatangani") == 2
    assert "kerahasiaan" in signatures.lower() or "rahasia" in signatures.lower()


def test_each_party_signs_their_own_statements(login, alice, assessor, planned):
    url = reverse("assessment:detail", args=[planned.pk])
    applicant_page = login(alice).get(url).content.decode()
    assessor_page = login(assessor).get(url).content.decode()
    form_of = lambda page: page[page.index('data-testid="agreement"') :].split("</form>")[0]  # noqa: E731
    assert "ikut serta dalam asesmen" in form_of(applicant_page)
    assert "ikut serta dalam asesmen" not in form_of(assessor_page)
    assert "menjaga kerahasiaan bukti dan hasil asesi" in form_of(assessor_page)


def test_the_applicant_cannot_open_or_post_the_plan(login, alice, planned, tuk):
    client = login(alice)
    url = reverse("assessment:plan", args=[planned.pk])
    assert client.get(url).status_code == 403
    before = list(planned.plan.values_list("date", "evidence_kinds"))
    response = client.post(url, plan_form(planned, tuk, today() + IN_THREE_DAYS, kinds=("TL",)))
    assert response.status_code == 403
    assert list(planned.plan.values_list("date", "evidence_kinds")) == before
    with pytest.raises(PermissionDenied):
        services.set_plan(alice, planned, plan_items(planned, tuk), header=plan_header())


def test_plans_set_before_mapa01_get_evidence_from_their_methods_and_a_header(planned):
    migration = importlib.import_module("assessment.migrations.0011_mapa01_plan")
    AssessmentPlan.objects.filter(assessment=planned).delete()
    units = list(planned.plan.values_list("unit_id", flat=True))
    PlanItem.objects.filter(unit_id=units[0], assessment=planned).update(
        methods=["portofolio", "observasi"], evidence_kinds=[]
    )
    PlanItem.objects.filter(unit_id=units[1], assessment=planned).update(
        methods=["wawancara"], evidence_kinds=[]
    )
    migration.existing_plans_get_defaults(apps, None)
    kinds = dict(planned.plan.values_list("unit_id", "evidence_kinds"))
    assert kinds[units[0]] == ["L", "TL"]
    assert kinds[units[1]] == ["T"]
    header = AssessmentPlan.objects.get(assessment=planned)
    assert (header.purpose, header.assessed_by, header.environment) == (
        "sertifikasi",
        "lsp",
        "simulasi",  # the fixture's TUK is a temporary (sewaktu) one, not a workplace
    )
    assert header.start_time == datetime.time(8, 0)


# ---------------------------------------------------------------------------------------------
# The PDFs (lsp_portal.pdf, rendered by Celery from the outbox)
# ---------------------------------------------------------------------------------------------


def pdf_text(document):
    document.refresh_from_db()
    completed = subprocess.run(
        ["pdftotext", "-layout", document.pdf.path, "-"], capture_output=True, check=True, text=True
    )
    return " ".join(completed.stdout.split())


def test_the_mapa01_and_ak01_pdfs_show_the_plan_and_who_signed(agreed, alice, tuk):
    run_outbox_jobs()
    documents = {d.kind: d for d in PlanDocument.objects.filter(assessment=agreed)}
    assert set(documents) == {"mapa01", "ak01"}
    assert {d.pdf_status for d in documents.values()} == {PlanDocument.PDFStatus.READY}
    unit = agreed.application.scheme.units.first()
    mapa = pdf_text(documents["mapa01"])
    assert "FR.MAPA.01 MERENCANAKAN AKTIVITAS DAN PROSES ASESMEN" in mapa.upper()
    assert "Asesmen kandidat / hasil pelatihan" in mapa
    assert "Manajer sertifikasi LSP" in mapa
    assert "09.00 WIB" in mapa
    assert unit.code in mapa and "L, T" in mapa
    # FR.MAPA.02: the instruments planned for each unit, by form code.
    planned = agreed.plan.get(unit=unit).instruments
    assert "PETA INSTRUMEN ASESMEN (FR.MAPA.02)" in mapa.upper()
    assert ", ".join(f"FR.{code}" for code in planned) in " ".join(mapa.split())
    ak01 = pdf_text(documents["ak01"])
    assert "FR.AK.01 PERSETUJUAN ASESMEN DAN KERAHASIAAN" in ak01.upper()
    assert alice.full_name in ak01 and agreed.assessor.user.full_name in ak01
    assert ak01.count("Ditandatangani secara elektronik") == 2
    assert "dijaga kerahasiaannya" in ak01
    assert tuk.name in ak01


def test_the_assessor_the_applicant_and_staff_download_the_pdfs(
    login, agreed, alice, assessor, assessor2, staff
):
    run_outbox_jobs()
    url = reverse("assessment:plan_document", args=[agreed.pk, "ak01"])
    for user in (alice, assessor, staff):
        response = login(user).get(url)
        assert response.status_code == 200, user
        assert response["Content-Type"] == "application/pdf"
        assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert login(assessor2).get(url).status_code == 404
    bad_kind = reverse("assessment:plan_document", args=[agreed.pk, "ia01"])
    assert login(alice).get(bad_kind).status_code == 404
    page = login(alice).get(reverse("assessment:detail", args=[agreed.pk])).content.decode()
    assert url in page
    assert reverse("assessment:plan_document", args=[agreed.pk, "mapa01"]) in page


def test_a_signature_renders_the_ak01_pdf_again(alice, planned):
    run_outbox_jobs()
    ak01 = PlanDocument.objects.get(assessment=planned, kind="ak01")
    assert "Belum ditandatangani" in pdf_text(ak01)
    services.agree_plan(alice, planned, plan=True, confidentiality=True)
    run_outbox_jobs()
    ak01.refresh_from_db()
    assert ak01.pdf_version == 2
    assert pdf_text(ak01).count("Ditandatangani secara elektronik") == 1
