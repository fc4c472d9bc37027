"""FR.MAPA.02 (the instruments of each unit, the instrument bank pinned when the plan is set) and
FR.IA.01 (the observation checklist per KUK, with the coverage line on the results page), through
the pages users hit and the services they call."""

import dataclasses
import importlib
import re

import pytest
from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils.html import escape

from assessment import services
from assessment.inputs import ObservationInput
from assessment.instruments.models import current_instrument_bank
from assessment.models import ObservationComment, ObservationRecord, PlanItem
from lsp_portal.audit.models import AuditEvent
from lsp_portal.errors import RuleError
from registration.models import KUK, Element, StandardVersion
from tests.fixtures_assessment import (
    plan_form,
    plan_header,
    plan_items,
    reviews,
    today,
)


def kuks_of(assessment, unit):
    return list(
        KUK.objects.filter(
            element__unit=unit, element__version_id=assessment.application.standard_id
        ).order_by("position", "pk")
    )


def observation_url(assessment, unit):
    return reverse("assessment:observation", args=[assessment.pk, unit.pk])


def ia01_form(kuks, *answers, comment=""):
    data = {"ia01-comment": comment}
    for kuk, (achieved, note) in zip(kuks, answers, strict=False):
        data[f"kuk-{kuk.pk}-achieved"] = achieved
        data[f"kuk-{kuk.pk}-note"] = note
    return data


@pytest.fixture
def units(scheme):
    return list(scheme.units.all())


@pytest.fixture
def oral_first(alice, assessor, declared, tuk, units):
    """alice's case in the test phase, its first unit planned with oral questions only (no
    FR.IA.01), the others with observation and oral questions."""
    items = plan_items(declared, tuk)
    items[units[0]] = dataclasses.replace(
        items[units[0]], methods=("lisan",), instruments=("IA.07",)
    )
    services.set_plan(assessor, declared, items, header=plan_header())
    services.agree_plan(alice, declared, plan=True, confidentiality=True)
    services.agree_plan(assessor, declared, plan=True, confidentiality=True)
    return services.review_evidence(assessor, declared, reviews(declared), proceed=True)


# --- FR.MAPA.02 --------------------------------------------------------------------------------


def test_the_plan_page_saves_the_instruments_of_each_unit_and_pins_the_bank(
    login, assessor, declared, tuk, units
):
    data = plan_form(declared, tuk, today(), methods=("observasi", "lisan"))
    data[f"unit-{units[0].pk}-instruments"] = ["IA.01", "IA.03", "IA.07"]
    client = login(assessor)
    response = client.post(reverse("assessment:plan", args=[declared.pk]), data)
    assert response.status_code == 302
    items = {item.unit_id: item for item in declared.plan.all()}
    assert items[units[0].pk].instruments == ["IA.01", "IA.03", "IA.07"]
    assert items[units[1].pk].instruments == ["IA.01", "IA.07"]
    declared.refresh_from_db()
    bank = current_instrument_bank(declared.application.scheme)
    assert bank is not None and bank.standard_id == declared.application.standard_id
    assert declared.instrument_bank == bank
    event = AuditEvent.objects.for_object(declared).get(action="assessment.plan_set")
    assert event.data["instruments"][units[0].code] == ["IA.01", "IA.03", "IA.07"]
    assert event.data["instrument_bank"] == bank.number
    # The case page shows FR.MAPA.02 read-only: a column per instrument used, a tick per unit.
    page = client.get(reverse("assessment:detail", args=[declared.pk])).content.decode()
    assert 'data-testid="mapa02-table"' in page
    assert "FR.IA.03" in page
    assert page.count("✓") == 15 * 2 + 1
    # The plan page comes back with the instruments ticked.
    page = client.get(reverse("assessment:plan", args=[declared.pk])).content.decode()
    ticked = re.findall(rf'name="unit-{units[0].pk}-instruments" value="([^"]+)"[^>]*checked', page)
    assert ticked == ["IA.01", "IA.03", "IA.07"]


def test_an_instrument_whose_method_is_not_chosen_is_refused_and_nothing_is_saved(
    login, assessor, declared, tuk, units
):
    data = plan_form(declared, tuk, today(), methods=("observasi",))
    data[f"unit-{units[3].pk}-instruments"] = ["IA.01", "IA.07"]
    response = login(assessor).post(reverse("assessment:plan", args=[declared.pk]), data)
    assert response.status_code == 400
    assert escape("FR.IA.07") in response.content.decode()
    declared.refresh_from_db()
    assert declared.plan_set_at is None and declared.instrument_bank is None
    assert not PlanItem.objects.filter(assessment=declared).exists()


@pytest.mark.parametrize(
    "methods, instruments, message",
    [
        (("observasi",), (), "sedikitnya satu instrumen"),
        (("observasi",), ("IA.01", "IA.99"), "Instrumen tidak dikenal"),
        (("tertulis",), ("IA.05",), "tes tertulis daring menyusul"),
        (("observasi", "tertulis"), ("IA.01", "IA.06"), "tes tertulis daring menyusul"),
        (("observasi", "lisan"), ("IA.01",), "pilih instrumen untuk metode"),
        (("lisan",), ("IA.07", "IA.08"), "tidak dipilih untuk unit ini"),
    ],
)
def test_set_plan_refuses_instruments_that_do_not_fit_the_methods(
    assessor, declared, tuk, units, methods, instruments, message
):
    items = plan_items(declared, tuk)
    items[units[5]] = dataclasses.replace(items[units[5]], methods=methods, instruments=instruments)
    with pytest.raises(RuleError, match=message):
        services.set_plan(assessor, declared, items, header=plan_header())
    declared.refresh_from_db()
    assert declared.plan_set_at is None
    assert not declared.plan.exists()


def test_plans_set_before_mapa02_get_the_instruments_of_their_methods(planned, units):
    migration = importlib.import_module("assessment.migrations.0013_mapa02_ia01")
    PlanItem.objects.filter(assessment=planned, unit=units[0]).update(
        methods=["portofolio", "observasi"], instruments=[]
    )
    PlanItem.objects.filter(assessment=planned, unit=units[1]).update(
        methods=["wawancara", "tertulis"], instruments=[]
    )
    migration.existing_plans_get_instruments(apps, None)
    instruments = dict(planned.plan.values_list("unit_id", "instruments"))
    assert instruments[units[0].pk] == ["IA.01", "IA.08"]
    assert instruments[units[1].pk] == ["IA.04B", "IA.09"]
    assert instruments[units[2].pk] == ["IA.01", "IA.07"]  # set with the plan, left alone


def test_a_bank_written_for_another_standard_version_is_never_pinned(
    assessor, declared, tuk, staff
):
    """The application was answered against another version than the scheme's bank: its KUK
    are not the bank's, so the plan is refused until the LSP imports instruments for it."""
    scheme = declared.application.scheme
    newer = StandardVersion.objects.create(
        scheme=scheme, number=scheme.current_standard().number + 1, created_by=staff
    )
    type(declared.application).objects.filter(pk=declared.application_id).update(standard=newer)
    declared.refresh_from_db()
    with pytest.raises(RuleError, match="versi standar kompetensi yang lain"):
        services.set_plan(assessor, declared, plan_items(declared, tuk), header=plan_header())
    declared.refresh_from_db()
    assert declared.plan_set_at is None and declared.instrument_bank_id is None


# --- FR.IA.01 ----------------------------------------------------------------------------------


def test_the_assessor_records_the_observation_checklist_through_the_page(
    login, assessor, reviewed, units
):
    unit = units[0]
    kuks = kuks_of(reviewed, unit)
    assert len(kuks) >= 3
    client = login(assessor)
    page = client.get(observation_url(reviewed, unit))
    assert page.status_code == 200
    for kuk in kuks:
        assert escape(kuk.text) in page.content.decode()
    data = ia01_form(
        kuks, ("yes", ""), ("no", "Belum menyimpan data pelanggan"), comment="Rapi dan teliti."
    )
    response = client.post(observation_url(reviewed, unit), data)
    assert response.status_code == 302
    records = {r.kuk_id: r for r in ObservationRecord.objects.filter(assessment=reviewed)}
    assert set(records) == {kuks[0].pk, kuks[1].pk}
    assert records[kuks[0].pk].achieved is True
    assert records[kuks[1].pk].achieved is False
    assert records[kuks[1].pk].note == "Belum menyimpan data pelanggan"
    assert records[kuks[0].pk].recorded_by == assessor
    assert ObservationComment.objects.get(assessment=reviewed, unit=unit).comment == (
        "Rapi dan teliti."
    )
    event = AuditEvent.objects.for_object(reviewed).get(action="assessment.observation_recorded")
    assert event.data["unit"] == unit.code
    assert event.data["kuks"] == {kuks[0].number: True, kuks[1].number: False}
    # Saved as the assessor works: the second save changes one KUK, keeps the other.
    client.post(observation_url(reviewed, unit), ia01_form(kuks, ("", ""), ("yes", "")))
    assert ObservationRecord.objects.get(assessment=reviewed, kuk=kuks[1]).achieved is True
    assert ObservationRecord.objects.get(assessment=reviewed, kuk=kuks[0]).achieved is True
    # The results page shows the coverage of the unit and links the checklist.
    results = client.get(reverse("assessment:results", args=[reviewed.pk])).content.decode()
    assert f"KUK teramati tercapai: 2 dari {len(kuks)}" in results
    assert observation_url(reviewed, unit) in results


def test_another_assessor_cannot_record_observations(
    login, assessor2, assessor2_profile, reviewed, units
):
    kuks = kuks_of(reviewed, units[0])
    response = login(assessor2).post(
        observation_url(reviewed, units[0]), ia01_form(kuks, ("yes", ""))
    )
    assert response.status_code == 404
    with pytest.raises(PermissionDenied):
        services.record_observations(
            assessor2, reviewed, units[0], {kuks[0]: ObservationInput(achieved=True)}
        )
    assert not ObservationRecord.objects.exists()


def test_a_kuk_of_another_unit_or_standard_version_is_refused(assessor, reviewed, units, staff):
    own = kuks_of(reviewed, units[0])
    other_unit = kuks_of(reviewed, units[1])[0]
    with pytest.raises(RuleError, match=f"KUK {other_unit.number} bukan kriteria"):
        services.record_observations(
            assessor,
            reviewed,
            units[0],
            {own[0]: ObservationInput(achieved=True), other_unit: ObservationInput(True)},
        )
    scheme = reviewed.application.scheme
    newer = StandardVersion.objects.create(
        scheme=scheme, number=scheme.current_standard().number + 1, created_by=staff
    )
    element = Element.objects.create(version=newer, unit=units[0], number=1, title="Elemen baru")
    foreign = KUK.objects.create(element=element, number="1.1", text="KUK baru", position=1)
    with pytest.raises(RuleError, match="bukan kriteria unit"):
        services.record_observations(
            assessor, reviewed, units[0], {foreign: ObservationInput(achieved=True)}
        )
    assert not ObservationRecord.objects.exists()


def test_a_unit_without_ia01_in_the_plan_is_refused(login, assessor, oral_first, units):
    kuks = kuks_of(oral_first, units[0])
    client = login(assessor)
    page = client.get(observation_url(oral_first, units[0])).content.decode()
    assert 'data-testid="read-only"' in page and 'data-testid="save-ia01"' not in page
    response = client.post(observation_url(oral_first, units[0]), ia01_form(kuks, ("yes", "")))
    assert response.status_code == 400
    assert "tidak menggunakan FR.IA.01 Ceklis Observasi" in response.content.decode()
    assert not ObservationRecord.objects.exists()
    # The other units use it; the results page shows their coverage only.
    results = client.get(reverse("assessment:results", args=[oral_first.pk])).content.decode()
    assert results.count('data-testid="ia01-coverage"') == 14
    assert f'data-testid="ia01-coverage" data-unit="{units[0].code}"' not in results


def test_observations_are_refused_before_the_test(assessor, agreed, units):
    kuks = kuks_of(agreed, units[0])
    with pytest.raises(RuleError):
        services.record_observations(
            assessor, agreed, units[0], {kuks[0]: ObservationInput(achieved=True)}
        )
    assert not ObservationRecord.objects.exists()


def test_observations_are_refused_after_submission(login, assessor, recommended, units):
    kuks = kuks_of(recommended, units[0])
    client = login(assessor)
    response = client.post(observation_url(recommended, units[0]), ia01_form(kuks, ("yes", "")))
    assert response.status_code == 400
    assert "hanya dapat dibaca" in response.content.decode()
    before = list(ObservationRecord.objects.values_list("pk", "achieved", "recorded_at"))
    with pytest.raises(RuleError, match="hanya dapat dibaca"):
        services.record_observations(
            assessor, recommended, units[0], {kuks[0]: ObservationInput(achieved=False)}
        )
    assert list(ObservationRecord.objects.values_list("pk", "achieved", "recorded_at")) == before
    page = client.get(observation_url(recommended, units[0])).content.decode()
    assert 'data-testid="save-ia01"' not in page


def test_a_recorded_observation_keeps_the_assessor_on_the_case(
    staff, assessor, assessor2_profile, reviewed, units
):
    """An FR.IA.01 record is a test record: 9.2.2's reassignment ends with it, as with results."""
    kuk = kuks_of(reviewed, units[0])[0]
    services.record_observations(assessor, reviewed, units[0], {kuk: ObservationInput(True)})
    with pytest.raises(RuleError):
        services.reassign(staff, reviewed, assessor2_profile, reason="Asesor sakit")
    reviewed.refresh_from_db()
    assert reviewed.assessor.user == assessor
    assert reviewed.instrument_bank is not None


def test_a_reassignment_unpins_the_bank_with_the_plan(staff, assessor2_profile, planned):
    assert planned.instrument_bank is not None
    services.reassign(staff, planned, assessor2_profile, reason="Asesor sakit")
    planned.refresh_from_db()
    assert planned.instrument_bank is None and not planned.plan.exists()
