"""The instrument records of a unit (FR.IA.02/03/07/09/11 item by item, FR.IA.08 portfolio checks,
FR.IA.10 third-party statements), the KUK x instrument coverage matrix, and the 9.3.3 rule that a
unit is K only when every KUK is covered by an instrument judged satisfactory - through the pages
users hit and the services they call."""

import dataclasses

import pytest
from django.urls import reverse

from assessment import services
from assessment.coverage import coverage
from assessment.inputs import ItemRecordInput, ObservationInput
from assessment.instruments.models import InstrumentItem
from assessment.models import InstrumentRecord, PortfolioCheck, ThirdPartyStatement, UnitResult
from lsp_portal.audit.models import AuditEvent
from lsp_portal.errors import RuleError
from registration.models import KUK
from tests.fixtures_assessment import (
    VATM,
    all_results,
    observe_all,
    plan_header,
    plan_items,
    result_values,
    reviews,
)


@pytest.fixture
def units(scheme):
    return list(scheme.units.all())


def kuks_of(assessment, unit):
    return list(
        KUK.objects.filter(
            element__unit=unit, element__version_id=assessment.application.standard_id
        ).order_by("position")
    )


def items_of(assessment, unit, kind):
    return list(
        InstrumentItem.objects.filter(
            bank_id=assessment.instrument_bank_id, unit=unit, kind=kind
        ).order_by("number")
    )


def page_url(assessment, unit):
    return reverse("assessment:instruments", args=[assessment.pk, unit.pk])


@pytest.fixture
def testing(alice, assessor, declared, tuk, units):
    """alice's case in the test phase: unit 1 planned with the practical task FR.IA.02, oral
    questions FR.IA.07, portfolio FR.IA.08 and a third party FR.IA.10 (no observation); the
    others with observation and oral questions."""
    items = plan_items(declared, tuk)
    items[units[0]] = dataclasses.replace(
        items[units[0]],
        methods=("observasi", "lisan", "portofolio"),
        instruments=("IA.02", "IA.07", "IA.08", "IA.10"),
    )
    services.set_plan(assessor, declared, items, header=plan_header())
    services.agree_plan(alice, declared, plan=True, confidentiality=True)
    services.agree_plan(assessor, declared, plan=True, confidentiality=True)
    reviewed = services.review_evidence(assessor, declared, reviews(declared), proceed=True)
    reviewed.refresh_from_db()
    return reviewed


def test_the_page_shows_the_bank_items_and_saves_one_instrument_with_its_coverage(
    login, assessor, testing, units
):
    unit = units[0]
    task = items_of(testing, unit, "IA.02")
    oral = items_of(testing, unit, "IA.07")
    assert task and len(oral) == 2
    client = login(assessor)
    page = client.get(page_url(testing, unit)).content.decode()
    assert 'data-testid="coverage"' in page and 'data-testid="items-IA.02"' in page
    assert 'data-testid="ia08"' in page and 'data-testid="ia10"' in page
    assert task[0].text[:40] in page
    kuks = kuks_of(testing, unit)
    assert page.count('data-testid="missing"') == len(kuks)
    # The oral questions: the first satisfactory, the second not.
    response = client.post(
        page_url(testing, unit),
        {
            "action": "items-IA.07",
            f"item-{oral[0].pk}-satisfactory": "yes",
            f"item-{oral[0].pk}-response": "Menjelaskan tujuan rencana pemasaran.",
            f"item-{oral[0].pk}-note": "",
            f"item-{oral[1].pk}-satisfactory": "no",
            f"item-{oral[1].pk}-response": "Belum tepat.",
            f"item-{oral[1].pk}-note": "Perlu ditanyakan lagi",
        },
    )
    assert response.status_code == 302
    records = {r.item_id: r for r in InstrumentRecord.objects.filter(assessment=testing)}
    assert records[oral[0].pk].satisfactory and not records[oral[1].pk].satisfactory
    assert records[oral[1].pk].note == "Perlu ditanyakan lagi"
    event = AuditEvent.objects.for_object(testing).get(action="assessment.instrument_recorded")
    assert event.data == {
        "unit": unit.code,
        "instrument": "IA.07",
        "items": {"1": True, "2": False},
    }
    # The matrix: the KUK of the first question are covered by FR.IA.07, the others still missing.
    covered = {kuk.pk for kuk in oral[0].kuks.all()}
    unit_coverage = coverage(testing, [unit])[unit.pk]
    assert {row.kuk.pk for row in unit_coverage.rows if row.covered} == covered
    page = client.get(page_url(testing, unit)).content.decode()
    assert page.count('data-testid="missing"') == len(kuks) - len(covered)
    assert "IA.07" in page


def test_a_unit_is_k_only_when_every_kuk_is_covered_by_a_satisfactory_instrument(
    login, assessor, testing, units
):
    unit = units[0]
    task = items_of(testing, unit, "IA.02")
    client = login(assessor)
    results_url = reverse("assessment:results", args=[testing.pk])
    form = {
        f"unit-{unit.pk}-methods": ["observasi", "lisan"],
        f"unit-{unit.pk}-evidence_observed": "Tugas praktik",
        **{f"unit-{unit.pk}-{name}": "on" for name in VATM},
        f"unit-{unit.pk}-result": "K",
    }
    response = client.post(results_url, form)
    assert response.status_code == 400
    assert (
        "belum tercakup oleh instrumen yang dinilai memuaskan (9.3.3)" in response.content.decode()
    )
    assert not UnitResult.objects.filter(assessment=testing).exists()
    # The practical task judged not satisfactory covers nothing.
    services.record_instrument_items(
        assessor, testing, unit, "IA.02", {task[0]: ItemRecordInput(satisfactory=False)}
    )
    with pytest.raises(RuleError, match="9.3.3"):
        services.record_results(assessor, testing, {unit: result_values("K")})
    # BK is always possible.
    services.record_results(assessor, testing, {unit: result_values("BK", sufficient=False)})
    # Judged satisfactory, the task covers every KUK of the unit: K is accepted.
    services.record_instrument_items(
        assessor, testing, unit, "IA.02", {task[0]: ItemRecordInput(satisfactory=True)}
    )
    assert "Hasil untuk 1 unit telah disimpan" in client.post(results_url, form).content.decode()
    assert UnitResult.objects.get(assessment=testing, unit=unit).result == "K"


def test_submission_is_refused_when_a_k_unit_lost_its_coverage(assessor, testing, units):
    task = items_of(testing, units[0], "IA.02")
    services.record_instrument_items(
        assessor, testing, units[0], "IA.02", {task[0]: ItemRecordInput(satisfactory=True)}
    )
    observe_all(assessor, testing, units[1:])
    services.record_results(assessor, testing, all_results(testing))
    # The task judged again as not satisfactory: unit 1 is K without its evidence.
    services.record_instrument_items(
        assessor, testing, units[0], "IA.02", {task[0]: ItemRecordInput(satisfactory=False)}
    )
    with pytest.raises(RuleError, match=units[0].code):
        services.submit_recommendation(assessor, testing)
    testing.refresh_from_db()
    assert testing.submitted_at is None


def test_a_portfolio_check_covers_its_kuk_only_when_it_meets_vatm(login, assessor, testing, units):
    unit = units[0]
    kuks = kuks_of(testing, unit)
    document = testing.application.documents.first()
    client = login(assessor)
    base = {
        "action": "ia08",
        "ia08-document": str(document.pk),
        "ia08-title": "",
        "ia08-kuks": [str(kuks[0].pk), str(kuks[1].pk)],
        "ia08-note": "Surat keterangan magang",
        "ia08-valid": "on",
        "ia08-authentic": "on",
        "ia08-current": "on",
    }
    assert client.post(page_url(testing, unit), base).status_code == 302
    check = PortfolioCheck.objects.get(assessment=testing)
    assert check.title == document.original_name and not check.vatm_ok
    assert not coverage(testing, [unit])[unit.pk].covered_count
    response = client.post(page_url(testing, unit), {**base, "ia08-sufficient": "on"})
    assert response.status_code == 302
    assert coverage(testing, [unit])[unit.pk].covered_count == 2
    # Removing the check takes its coverage away, audited.
    second = PortfolioCheck.objects.filter(assessment=testing).latest("pk")
    response = client.post(page_url(testing, unit), {"action": f"remove-ia08-{second.pk}"})
    assert response.status_code == 302
    assert coverage(testing, [unit])[unit.pk].covered_count == 0
    assert (
        AuditEvent.objects.for_object(testing)
        .filter(action="assessment.instrument_entry_removed")
        .exists()
    )


@pytest.mark.parametrize(
    "change, message",
    [
        ({"ia08-kuks": []}, "Centang sedikitnya satu KUK"),
        ({"ia08-document": "", "ia08-title": ""}, "Sebutkan bukti yang diperiksa"),
        ({"ia08-document": "999999"}, "bukan salah satu dari pilihan"),
    ],
)
def test_a_bad_portfolio_check_is_refused_and_nothing_is_saved(
    login, assessor, testing, units, change, message
):
    unit = units[0]
    kuks = kuks_of(testing, unit)
    data = {
        "action": "ia08",
        "ia08-document": str(testing.application.documents.first().pk),
        "ia08-title": "",
        "ia08-kuks": [str(kuks[0].pk)],
        "ia08-valid": "on",
        **change,
    }
    response = login(assessor).post(page_url(testing, unit), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not PortfolioCheck.objects.exists()


def test_kuk_of_another_unit_cannot_be_ticked(assessor, testing, units):
    other = kuks_of(testing, units[1])[0]
    from assessment.inputs import PortfolioCheckInput

    with pytest.raises(RuleError, match="Hanya KUK unit"):
        services.add_portfolio_check(
            assessor,
            testing,
            units[0],
            PortfolioCheckInput(
                title="Laporan magang",
                kuk_ids=(other.pk,),
                valid=True,
                authentic=True,
                current=True,
                sufficient=True,
            ),
        )
    assert not PortfolioCheck.objects.exists()


def test_a_third_party_statement_is_recorded_and_covers_what_it_supports(
    login, assessor, testing, units
):
    unit = units[0]
    kuks = kuks_of(testing, unit)
    client = login(assessor)
    data = {
        "action": "ia10",
        "ia10-person": "Budi Santoso",
        "ia10-relation": "Supervisor magang, PT Maju",
        "ia10-contact": "0812-3456-7890",
        "ia10-clarified_on": testing.plan.first().date.isoformat(),
        "ia10-statement": "Asesi menyusun rencana pemasaran selama magang.",
        "ia10-supports": "yes",
        "ia10-kuks": [str(k.pk) for k in kuks],
    }
    missing = client.post(page_url(testing, unit), {**data, "ia10-contact": ""})
    assert missing.status_code == 400 and not ThirdPartyStatement.objects.exists()
    assert client.post(page_url(testing, unit), data).status_code == 302
    statement = ThirdPartyStatement.objects.get(assessment=testing)
    assert statement.person == "Budi Santoso" and statement.supports
    assert coverage(testing, [unit])[unit.pk].missing == []
    page = client.get(page_url(testing, unit)).content.decode()
    assert "Budi Santoso" in page and 'data-testid="missing"' not in page
    event = AuditEvent.objects.for_object(testing).get(action="assessment.third_party_recorded")
    assert event.data["supports"] is True and len(event.data["kuks"]) == len(kuks)


def test_instruments_not_in_the_plan_and_items_of_other_units_are_refused(
    login, assessor, testing, units
):
    oral_other = items_of(testing, units[1], "IA.07")
    with pytest.raises(RuleError, match="bukan butir"):
        services.record_instrument_items(
            assessor, testing, units[0], "IA.07", {oral_other[0]: ItemRecordInput(True)}
        )
    task = items_of(testing, units[1], "IA.02")
    with pytest.raises(RuleError, match="tidak menggunakan"):
        services.record_instrument_items(
            assessor, testing, units[1], "IA.02", {task[0]: ItemRecordInput(True)}
        )
    response = login(assessor).post(page_url(testing, units[1]), {"action": "ia08"})
    assert response.status_code == 400
    assert not InstrumentRecord.objects.exists() and not PortfolioCheck.objects.exists()


def test_after_submission_the_page_is_read_only_and_the_services_refuse(
    login, assessor, testing, units
):
    task = items_of(testing, units[0], "IA.02")
    services.record_instrument_items(
        assessor, testing, units[0], "IA.02", {task[0]: ItemRecordInput(satisfactory=True)}
    )
    observe_all(assessor, testing, units[1:])
    services.record_results(assessor, testing, all_results(testing))
    services.submit_recommendation(assessor, testing)
    client = login(assessor)
    page = client.get(page_url(testing, units[0])).content.decode()
    assert 'data-testid="read-only"' in page
    assert 'data-testid="save-IA.02"' not in page and 'name="action" value="ia08"' not in page
    response = client.post(
        page_url(testing, units[0]),
        {"action": "items-IA.02", f"item-{task[0].pk}-satisfactory": "no"},
    )
    assert response.status_code == 400
    assert InstrumentRecord.objects.get(item=task[0]).satisfactory


def test_other_people_cannot_open_or_post_the_page(login, testing, units, alice, staff, assessor2):
    url = page_url(testing, units[0])
    for user in (alice, staff, assessor2):
        client = login(user)
        assert client.get(url).status_code in (403, 404)
        assert client.post(url, {"action": "ia08"}).status_code in (403, 404)
    assert not PortfolioCheck.objects.exists()


def test_an_observation_not_achieved_leaves_its_kuk_missing(assessor, testing, units):
    unit = units[1]
    kuks = kuks_of(testing, unit)
    services.record_observations(
        assessor,
        testing,
        unit,
        {kuk: ObservationInput(achieved=kuk != kuks[-1]) for kuk in kuks},
    )
    unit_coverage = coverage(testing, [unit])[unit.pk]
    assert [kuk.pk for kuk in unit_coverage.missing] == [kuks[-1].pk]
    assert unit_coverage.instruments[0] == "IA.01"
    with pytest.raises(RuleError, match=kuks[-1].number):
        services.record_results(assessor, testing, {unit: result_values("K")})
