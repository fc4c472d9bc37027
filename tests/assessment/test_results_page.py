"""The K/BK results page saved in parts (9.3.1-9.3.5): the page is posted as a browser would post
it (every row, the methods pre-ticked from the plan); a unit is recorded only when K or BK is
chosen, a refused unit is marked on its own row and the valid ones are kept."""

import lxml.html
import pytest
from django.urls import reverse
from django.utils.html import escape
from django.utils.translation import gettext

from assessment.models import Assessment, UnitResult
from lsp_portal.audit.models import AuditEvent
from tests.fixtures_assessment import VATM, observe_all


@pytest.fixture
def reviewed(assessor, reviewed):
    """The case in the test phase with every KUK observed achieved (FR.IA.01), so that any unit
    may be recorded K (9.3.3); tests/assessment/test_instruments.py tests the rule itself."""
    return observe_all(assessor, reviewed)


pytestmark = pytest.mark.django_db


def page_form(response):
    """The results form as the browser would submit it untouched: (name, value) pairs."""
    document = lxml.html.fromstring(response.content.decode())
    (form,) = [f for f in document.forms if f.method.lower() == "post" and not f.action]
    return list(form.form_values())


def fill(values, unit, *, result="K", vatm=VATM, evidence="Demonstrasi sesuai KUK."):
    """Change one unit's row as the assessor would: evidence, the VATM ticks, K or BK."""
    prefix = f"unit-{unit.pk}"
    values = [(n, v) for n, v in values if n not in {f"{prefix}-{r}" for r in VATM}]
    values = [(n, v) for n, v in values if n != f"{prefix}-evidence_observed"]
    values += [(f"{prefix}-{rule}", "on") for rule in vatm]
    values.append((f"{prefix}-evidence_observed", evidence))
    if result:
        values.append((f"{prefix}-result", result))
    return values


def as_dict(pairs):
    data = {}
    for name, value in pairs:
        data.setdefault(name, []).append(value)
    return data


def row(response, unit):
    document = lxml.html.fromstring(response.content.decode())
    (tr,) = document.xpath(f'//tr[@data-unit="{unit.code}"]')
    return tr


@pytest.fixture
def page(login, assessor, reviewed):
    client = login(assessor)
    url = reverse("assessment:results", args=[reviewed.pk])
    return client, url, list(reviewed.application.scheme.units.all())


def test_saving_3_of_15_units_records_those_3_and_leaves_the_others(page, reviewed):
    client, url, units = page
    values = page_form(client.get(url))
    assert f"unit-{units[0].pk}-methods" in dict(values)  # pre-ticked from the plan
    for unit in units[:3]:
        values = fill(values, unit, result="K" if unit != units[2] else "BK")
    response = client.post(url, as_dict(values), follow=True)
    assert response.status_code == 200
    assert dict(reviewed.results.values_list("unit__code", "result")) == {
        units[0].code: "K",
        units[1].code: "K",
        units[2].code: "BK",
    }
    html = response.content.decode()
    assert escape(gettext("Results saved for %(count)s unit(s).") % {"count": 3}) in html
    events = AuditEvent.objects.for_object(reviewed).filter(action="assessment.results_recorded")
    assert events.get().data["units"] == {
        units[0].code: "K",
        units[1].code: "K",
        units[2].code: "BK",
    }
    reviewed.refresh_from_db()
    assert reviewed.status == Assessment.Status.EVIDENCE_REVIEWED


def test_a_unit_without_a_result_in_the_post_keeps_what_was_recorded(page, reviewed):
    client, url, units = page
    values = fill(page_form(client.get(url)), units[0], result="BK", vatm=())
    client.post(url, as_dict(values))
    # A later post with no result for that unit (the radio not sent) leaves it as it was.
    values = [(n, v) for n, v in page_form(client.get(url)) if n != f"unit-{units[0].pk}-result"]
    values = fill(values, units[0], result="", vatm=VATM, evidence="Lain")
    values = fill(values, units[1], result="K")
    client.post(url, as_dict(values))
    first = UnitResult.objects.get(assessment=reviewed, unit=units[0])
    assert (first.result, first.valid, first.evidence_observed) == (
        "BK",
        False,
        "Demonstrasi sesuai KUK.",
    )
    assert reviewed.results.count() == 2


def test_one_refused_unit_is_marked_with_its_reason_and_the_valid_two_are_saved(page, reviewed):
    client, url, units = page
    values = page_form(client.get(url))
    values = fill(values, units[0], result="K")
    values = fill(values, units[1], result="K", vatm=("valid", "authentic", "current"))
    values = fill(values, units[2], result="BK", vatm=())
    response = client.post(url, as_dict(values))
    assert response.status_code == 400
    assert dict(reviewed.results.values_list("unit__code", "result")) == {
        units[0].code: "K",
        units[2].code: "BK",
    }
    refused = row(response, units[1])
    assert "table-danger" in refused.get("class")
    reason = gettext(
        "Unit %(unit)s cannot be K: the evidence must be valid, authentic, "
        "current and sufficient (VATM, 9.3.3)."
    ) % {"unit": units[1].code}
    assert reason in refused.text_content()
    # The refused row keeps what was typed, to be corrected; the saved rows are not marked.
    assert refused.xpath(".//textarea")[0].text.strip() == "Demonstrasi sesuai KUK."
    assert refused.xpath(f'.//input[@name="unit-{units[1].pk}-result"][@value="K"]/@checked')
    assert "table-danger" not in (row(response, units[0]).get("class") or "")
    html = response.content.decode()
    assert escape(gettext("Results saved for %(count)s unit(s).") % {"count": 2}) in html
    event = AuditEvent.objects.for_object(reviewed).get(action="assessment.results_recorded")
    assert event.data["refused"] == [units[1].code]


def test_a_unit_without_evidence_observed_is_refused_on_its_own_row(page, reviewed):
    client, url, units = page
    values = fill(page_form(client.get(url)), units[4], result="BK", evidence="  ")
    values = fill(values, units[5], result="K")
    response = client.post(url, as_dict(values))
    assert response.status_code == 400
    assert list(reviewed.results.values_list("unit__code", flat=True)) == [units[5].code]
    reason = gettext("Describe the evidence observed for unit %(unit)s.") % {"unit": units[4].code}
    assert reason in row(response, units[4]).text_content()


def test_a_row_typed_in_without_k_or_bk_is_not_saved_and_stays_on_screen(page, reviewed):
    client, url, units = page
    values = fill(page_form(client.get(url)), units[0], result="K")
    values = fill(values, units[1], result="", evidence="Sebagian diamati")
    response = client.post(url, as_dict(values))
    assert response.status_code == 200
    assert list(reviewed.results.values_list("unit__code", flat=True)) == [units[0].code]
    pending = row(response, units[1])
    assert "table-warning" in pending.get("class")
    assert pending.xpath(".//textarea")[0].text.strip() == "Sebagian diamati"


def test_an_untouched_page_saves_nothing_and_is_no_error(page, reviewed):
    client, url, units = page
    response = client.post(url, as_dict(page_form(client.get(url))))
    assert response.status_code == 200
    assert not reviewed.results.exists()
    assert not AuditEvent.objects.for_object(reviewed).filter(action="assessment.results_recorded")
    assert "table-danger" not in response.content.decode()


def test_submission_still_needs_every_unit_after_a_partial_save(page, assessor, reviewed):
    client, url, units = page
    values = page_form(client.get(url))
    for unit in units[:3]:
        values = fill(values, unit)
    client.post(url, as_dict(values))
    response = client.post(reverse("assessment:submit", args=[reviewed.pk]), follow=True)
    reviewed.refresh_from_db()
    assert reviewed.status == Assessment.Status.EVIDENCE_REVIEWED
    assert not reviewed.submitted_at
    missing = gettext("Record a result for every unit before submitting; missing: %(units)s.")
    assert escape(missing % {"units": ", ".join(u.code for u in units[3:])}) in (
        response.content.decode()
    )
    # Once the other 12 are recorded, the same page submits.
    values = page_form(client.get(url))
    for unit in units[3:]:
        values = fill(values, unit)
    client.post(url, as_dict(values))
    client.post(reverse("assessment:submit", args=[reviewed.pk]))
    reviewed.refresh_from_db()
    assert (reviewed.status, reviewed.recommendation) == (Assessment.Status.RECOMMENDED, "K")


def test_without_javascript_each_unit_has_four_labelled_checkboxes_and_no_dead_buttons(page):
    client, url, units = page
    document = lxml.html.fromstring(client.get(url).content.decode())
    for unit in units:
        for rule in VATM:
            (box,) = document.xpath(f'//input[@name="unit-{unit.pk}-{rule}"]')
            assert box.get("type") == "checkbox"
            assert document.xpath(f'//label[@for="{box.get("id")}"]')
    # The shortcuts are buttons that do nothing without the script, so they start hidden.
    shortcuts = document.xpath("//*[@data-vatm-row or @data-vatm-column]")
    assert len(shortcuts) == len(units) + 4
    for button in shortcuts:
        assert button.tag == "button" and button.get("type") == "button"
        assert button.xpath("ancestor-or-self::*[@hidden]")
    assert document.xpath('//script[contains(@src, "js/vatm.js")]')
