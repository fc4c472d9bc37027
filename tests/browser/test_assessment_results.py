"""The K/BK results page in the browser: the VATM shortcuts by keyboard (static/js/vatm.js), a
partial save with a refused row, and the read-only page after submission (9.3.3-9.3.5), each
photographed at 1280 and 768 px (test-artifacts/). The page fixture fails on any CSP report."""

import pytest

from assessment.models import UnitResult
from tests.browser.test_registration_journey import login
from tests.conftest import PASSWORD
from tests.fixtures_assessment import observe_all

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RULES = ("valid", "authentic", "current", "sufficient")


@pytest.fixture
def reviewed(assessor, reviewed):
    """The case in the test phase with every KUK observed achieved (FR.IA.01), so that a unit
    may be recorded K (9.3.3): these tests are about the results page itself."""
    return observe_all(assessor, reviewed)


def box(page, unit, rule):
    return page.locator(f"input[name=unit-{unit.pk}-{rule}]")


def row_button(page, unit):
    return page.locator(f"tr[data-unit='{unit.code}'] [data-vatm-row]")


def focused(page, selector):
    return page.evaluate(f"document.activeElement === document.querySelector({selector!r})")


def both_widths(page, shot, name):
    shot(f"{name}-1280")
    page.set_viewport_size({"width": 768, "height": 1024})
    shot(f"{name}-768")
    page.set_viewport_size({"width": 1280, "height": 900})


def test_the_vatm_shortcuts_work_by_keyboard_and_the_values_are_stored(
    page, shot, live_server, assessor, reviewed
):
    units = list(reviewed.application.scheme.units.all())
    login(page, live_server.url, assessor.email, PASSWORD)
    page.goto(f"{live_server.url}/assessment/{reviewed.pk}/results/")
    column = page.locator("[data-vatm-column=sufficient]")
    assert column.is_visible() and row_button(page, units[0]).is_visible()
    both_widths(page, shot, "40-results-editable")

    # One rule for every unit: Enter on the column's button.
    column.focus()
    page.keyboard.press("Enter")
    assert all(box(page, u, "sufficient").is_checked() for u in units)
    assert column.get_attribute("aria-pressed") == "true"

    # All four for one unit: Space on the row's button.
    row_button(page, units[0]).focus()
    page.keyboard.press("Space")
    assert all(box(page, units[0], rule).is_checked() for rule in RULES)
    assert row_button(page, units[0]).get_attribute("aria-pressed") == "true"

    # Tab from the unit's first box reaches its button after the four boxes; Enter toggles.
    box(page, units[1], "valid").focus()
    for _ in RULES:
        page.keyboard.press("Tab")
    assert focused(page, f"tr[data-unit='{units[1].code}'] [data-vatm-row]")
    page.keyboard.press("Enter")
    assert all(box(page, units[1], rule).is_checked() for rule in RULES)
    page.keyboard.press("Enter")  # pressed again: cleared
    assert not any(box(page, units[1], rule).is_checked() for rule in RULES)
    page.keyboard.press("Enter")
    # Unticking one box by keyboard releases the row button.
    box(page, units[1], "current").focus()
    page.keyboard.press("Space")
    assert row_button(page, units[1]).get_attribute("aria-pressed") == "false"
    page.keyboard.press("Space")
    assert row_button(page, units[1]).get_attribute("aria-pressed") == "true"

    for unit, result in ((units[0], "K"), (units[1], "K"), (units[2], "BK")):
        page.fill(f"textarea[name=unit-{unit.pk}-evidence_observed]", "Demonstrasi sesuai KUK.")
        page.locator(f"input[name=unit-{unit.pk}-result][value={result}]").focus()
        page.keyboard.press("Space")
    page.locator("[data-testid=save-results]").focus()
    page.keyboard.press("Enter")
    page.wait_for_selector(".alert-success")

    stored = {
        r.unit_id: (r.result, r.valid, r.authentic, r.current, r.sufficient)
        for r in UnitResult.objects.filter(assessment=reviewed)
    }
    assert stored == {
        units[0].pk: ("K", True, True, True, True),
        units[1].pk: ("K", True, True, True, True),
        units[2].pk: ("BK", False, False, False, True),
    }
    # The other units' ticks were not saved (no K or BK): their rows say so.
    assert page.locator("tr.table-warning").count() == len(units) - 3


def test_a_partial_save_marks_the_refused_row_and_keeps_the_others(
    page, shot, live_server, assessor, reviewed
):
    units = list(reviewed.application.scheme.units.all())
    login(page, live_server.url, assessor.email, PASSWORD)
    page.goto(f"{live_server.url}/assessment/{reviewed.pk}/results/")
    for unit in units[:2]:
        page.fill(f"textarea[name=unit-{unit.pk}-evidence_observed]", "Demonstrasi sesuai KUK.")
        page.check(f"input[name=unit-{unit.pk}-result][value=K]")
    row_button(page, units[0]).click()
    for rule in RULES[:3]:  # the second unit lacks Memadai: K is refused (9.3.3)
        box(page, units[1], rule).check()
    page.click("[data-testid=save-results]")
    page.wait_for_selector("[data-testid=refusal]")
    refused = page.locator("tr[data-refused]")
    assert refused.count() == 1
    assert refused.get_attribute("data-unit") == units[1].code
    assert "VATM, 9.3.3" in refused.inner_text()
    assert list(
        UnitResult.objects.filter(assessment=reviewed).values_list("unit_id", flat=True)
    ) == [units[0].pk]
    both_widths(page, shot, "41-results-refused-row")


def test_the_submitted_results_page_is_a_document(page, shot, live_server, assessor, recommended):
    login(page, live_server.url, assessor.email, PASSWORD)
    page.goto(f"{live_server.url}/assessment/{recommended.pk}/results/")
    page.wait_for_selector("[data-testid=read-only]")
    assert page.locator("main input, main select, main textarea").count() == 0
    assert page.locator("[data-testid=save-results]").count() == 0
    both_widths(page, shot, "42-results-read-only")
