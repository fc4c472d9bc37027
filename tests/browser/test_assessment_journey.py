"""The whole assessment journey on a tablet-wide screen (768 px): the applicant answers FR-APL-02
per element and submits; staff assign an assessor; the assessor declares impartiality, sets the
plan (FR.MAPA.01/02) and both agree (FR.AK.01); the assessor reviews the evidence, records
FR.IA.01, FR.IA.07 and FR.IA.08 of unit 1 and FR.IA.02 and FR.IA.10 of unit 2, sees the KUK
coverage, is refused K for the units not covered (9.3.3), records all 15 units and submits with
FR.AK.02; the applicant sees FR.AK.02 (page and PDF), signs and leaves feedback (FR-AK-03).
Screenshots go to test-artifacts/."""

import datetime

import pytest
from django.utils import timezone

from assessment.instruments.models import InstrumentItem
from assessment.models import TUK, Assessment, Assessor
from lsp_portal.accounts.roles import Role
from registration import apl02
from registration import services as registration
from registration.models import KUK
from tests.browser.conftest import ARTIFACTS
from tests.browser.test_layout import OVERFLOW
from tests.browser.test_registration_journey import login
from tests.browser.test_registration_journey import logout as logout_wide
from tests.conftest import PASSWORD, fill_application, make_user
from tests.fixtures_assessment import observe_all

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NOT_COVERED = "belum tercakup oleh instrumen yang dinilai memuaskan"


@pytest.fixture
def case():
    """A filled draft application (not yet submitted), a registered assessor and a verified TUK.
    FR-APL-01 (personal data, experience, uploads) is filled through the services: the
    registration journey drives those pages in the browser already; FR-APL-02 is answered again
    in the browser here."""
    applicant = make_user("eka@example.org", "Eka Wijaya", Role.APPLICANT)
    staff = make_user("staf2@example.org", "Staf LSP", Role.STAFF)
    assessor_user = make_user("asesor@example.org", "Agus Asesor", Role.ASSESSOR)
    from registration.models import Scheme

    scheme = Scheme.objects.get(code="mhp")
    application = registration.start_application(applicant, scheme)
    fill_application(applicant, application)
    today = timezone.localdate()
    assessor = Assessor.objects.create(
        user=assessor_user,
        registration_number="MET.000.001234 2024",
        registration_valid_until=today + datetime.timedelta(days=365),
    )
    assessor.schemes.add(scheme)
    TUK.objects.create(
        name="TUK Sewaktu Kampus",
        address="Bintaro, Tangerang Selatan",
        kind=TUK.Kind.SEWAKTU,
        verified_by=staff,
        verified_on=today - datetime.timedelta(days=10),
        verified_until=today + datetime.timedelta(days=200),
    )
    return {"application": application, "staff": staff, "assessor": assessor_user}


def logout(page):
    """Below 1200 px the menu is folded behind the toggler: open it first."""
    toggler = page.locator(".navbar-toggler")
    if toggler.is_visible():
        toggler.click()
        page.wait_for_selector("#nav.show")
    logout_wide(page)


def part(page, name, selector):
    """A screenshot of one element, readable where the full page is thousands of pixels tall."""
    page.locator(selector).first.screenshot(path=str(ARTIFACTS / f"{name}.png"))


def unit_kuks(application, unit):
    return list(
        KUK.objects.filter(
            element__unit=unit, element__version_id=application.standard_id
        ).order_by("position")
    )


def test_assessment_from_application_to_feedback_at_768px(
    page, shot, live_server, case, celery_eager
):
    page.set_viewport_size({"width": 768, "height": 1000})
    base = live_server.url
    application = case["application"]
    units = list(application.scheme.units.all())
    first, second, third = units[0], units[1], units[2]

    # -- the applicant answers FR-APL-02 of the first unit again, per element, and submits -------
    login(page, base, application.applicant.email, PASSWORD)
    page.goto(f"{base}/applications/{application.pk}/self-assessment/")
    letter = application.documents.get(requirement__code="surat-magang")
    first_keys = [
        k for k in apl02.answer_keys(application) if getattr(k, "unit_id", None) == first.pk
    ]
    assert len(first_keys) > 1  # the first unit is answered per element
    for key in first_keys:
        prefix = apl02.form_prefix(key)
        page.check(f"input[name={prefix}-answer][value=K]")
        page.select_option(f"select[name={prefix}-evidence]", value=str(letter.pk))
        page.fill(f"input[name={prefix}-note]", "Saat magang di bagian CRM")
    shot("19a-applicant-apl02")
    page.click("button[name=continue]")
    page.wait_for_selector("[data-testid=completeness]")
    page.check("#id_agree")
    page.click("[data-testid=submit-application]")
    page.wait_for_selector(".alert-success")
    application.refresh_from_db()
    assert application.status == "submitted"
    assert set(
        application.self_assessments.filter(note="Saat magang di bagian CRM").values_list(
            "unit_id", flat=True
        )
    ) == {first.pk}
    logout(page)
    # Staff's eligibility review is driven in the browser by the registration journey.
    registration.confirm_eligible(case["staff"], application)

    # -- staff assign the assessor, seeing the workload ------------------------------------------
    login(page, base, case["staff"].email, PASSWORD)
    page.goto(base + "/assessment/")
    page.click(f"[data-testid=waiting] a[href='/assessment/assign/{application.pk}/']")
    assert "Agus Asesor" in page.inner_text("[data-testid=workload]")
    page.select_option("select[name=assessor]", index=1)
    shot("20-staff-assign")
    page.click("[data-testid=assign]")
    page.wait_for_selector("[data-testid=assessment-status]")
    assessment = Assessment.objects.get(application=application)
    logout(page)

    # -- the assessor: impartiality, plan, agreement -----------------------------------------------
    login(page, base, case["assessor"].email, PASSWORD)
    assert page.url.endswith("/assessment/cases/")
    page.click(f"[data-testid=cases] a[href='/assessment/{assessment.pk}/']")
    assert page.locator("[data-testid=impartiality]").is_visible()
    assert "surat-magang" not in page.content()  # no evidence before the declaration
    shot("21-assessor-impartiality")
    page.click("[data-testid=impartiality] button[type=submit]")
    page.wait_for_url(f"**/assessment/{assessment.pk}/plan/")
    # FR.MAPA.01: the header (purpose and who assesses come ticked: the LSP's own certification)
    page.check("input[name=mapa-approach][value=hasil_pelatihan]")
    page.check("input[name=mapa-environment][value=simulasi]")
    page.check("input[name=mapa-evidence_opportunity][value=tersedia]")
    page.check("input[name=mapa-confirm_with][value=manajer_sertifikasi]")
    page.fill("input[name=mapa-start_time]", "09:00")
    page.fill("input[name=all-date]", timezone.localdate().isoformat())
    page.select_option("select[name=all-tuk]", value=str(TUK.objects.get().pk))
    for unit in units:
        page.check(f"input[name=unit-{unit.pk}-evidence_kinds][value=L]")
        page.check(f"input[name=unit-{unit.pk}-evidence_kinds][value=T]")
        page.check(f"input[name=unit-{unit.pk}-methods][value=observasi]")
        page.check(f"input[name=unit-{unit.pk}-methods][value=lisan]")
    # FR.MAPA.02: choosing a method ticked its usual instrument; the first unit adds the portfolio
    # (FR.IA.08), the second the practical task FR.IA.02 and a third party's statement (FR.IA.10).
    page.check(f"input[name=unit-{first.pk}-methods][value=portofolio]")
    for unit in units:
        assert page.is_checked(f"input[name=unit-{unit.pk}-instruments][value='IA.01']")
        assert page.is_checked(f"input[name=unit-{unit.pk}-instruments][value='IA.07']")
    assert page.is_checked(f"input[name=unit-{first.pk}-instruments][value='IA.08']")
    page.check(f"input[name=unit-{second.pk}-instruments][value='IA.02']")
    page.check(f"input[name=unit-{second.pk}-methods][value=portofolio]")
    page.check(f"input[name=unit-{second.pk}-instruments][value='IA.10']")
    page.fill(f"input[name=unit-{first.pk}-duration_minutes]", "45")
    shot("22-assessor-plan")
    page.click("[data-testid=save-plan]")
    page.wait_for_selector("[data-testid=plan-table]")
    assert "09:00" in page.inner_text("[data-testid=ak01-table]")
    assert page.locator("[data-testid=mapa02-table] tbody tr").count() == 15
    head = page.inner_text("[data-testid=mapa02-table] thead")
    assert "FR.IA.02" in head and "FR.IA.08" in head
    assessment.refresh_from_db()
    assert assessment.instrument_bank_id is not None  # the bank is pinned with the plan
    page.check("#agree-plan")
    page.check("#agree-conf")
    page.click("[data-testid=agree]")
    page.wait_for_selector(".alert-success")
    shot("23-assessor-agreed")
    logout(page)

    # -- the applicant reads and agrees (FR.AK.01) ---------------------------------------------
    login(page, base, application.applicant.email, PASSWORD)
    page.goto(base + "/dashboard/")
    assert page.get_attribute("[data-step=assessment]", "data-state") == "attention"
    page.click("[data-step=assessment] a")
    assert page.locator("[data-testid=plan-table] tbody tr").count() == 15
    assert page.locator("[data-testid=ak01-table] tbody tr").count() == 15
    page.check("#agree-plan")
    page.check("#agree-conf")
    page.click("[data-testid=agree]")
    page.wait_for_selector(".alert-success")
    assert page.inner_text("[data-testid=assessment-status]") != ""
    shot("24-applicant-agreed")
    logout(page)
    assessment.refresh_from_db()
    assert assessment.status == "plan_agreed"

    # -- the assessor reviews the evidence -----------------------------------------------------
    login(page, base, case["assessor"].email, PASSWORD)
    page.goto(f"{base}/assessment/{assessment.pk}/")
    page.click("[data-testid=review-evidence]")
    # VATM per element of FR-APL-02 (9.2.5), grouped by unit.
    for key in apl02.answer_keys(assessment.application):
        for rule in ("valid", "authentic", "current", "sufficient"):
            page.check(f"input[name={apl02.form_prefix(key)}-{rule}]")
    page.check("input[name=proceed][value=yes]")
    shot("25-assessor-evidence")
    page.click("[data-testid=save-review]")
    page.wait_for_selector("[data-testid=record-results]")
    page.click("[data-testid=record-results]")
    results_url = page.url

    # -- FR.IA.01 of the first unit: every KUK seen achieved -------------------------------------
    first_kuks = unit_kuks(application, first)
    page.click(f"[data-testid=ia01-coverage][data-unit='{first.code}'] a")
    kuks = page.locator("tr[data-kuk]")
    assert kuks.count() == len(first_kuks) > 2
    for index in range(len(first_kuks)):
        kuks.nth(index).locator("input[type=radio][value=yes]").check()
    page.fill("textarea[name=ia01-comment]", "Mengerjakan tugas dengan rapi.")
    shot("30-ia01")
    page.click("[data-testid=save-ia01]")
    page.wait_for_selector(".alert-success")
    page.click("text=" + "Kembali ke hasil")
    coverage = page.inner_text(f"[data-testid=ia01-coverage][data-unit='{first.code}']")
    assert f"{len(first_kuks)} dari {len(first_kuks)}" in coverage

    # -- the first unit's instruments page: FR.IA.07 oral questions and FR.IA.08 portfolio ------
    page.click(
        f"[data-testid=kuk-coverage][data-unit='{first.code}'] [data-testid=instruments-link]"
    )
    page.wait_for_selector("[data-testid=coverage]")
    oral = list(
        InstrumentItem.objects.filter(
            bank_id=assessment.instrument_bank_id, unit=first, kind="IA.07"
        ).order_by("number")
    )
    assert len(oral) == 2
    for item, verdict in zip(oral, ("yes", "no"), strict=True):
        page.check(
            f"[data-testid='items-IA.07'] input[name=item-{item.pk}-satisfactory][value={verdict}]"
        )
        page.fill(
            f"[data-testid='items-IA.07'] textarea[name=item-{item.pk}-response]",
            "Menjelaskan langkah kerja." if verdict == "yes" else "Belum dapat menjelaskan.",
        )
    shot("31-instruments")
    page.click("[data-testid='save-IA.07']")
    page.wait_for_selector(".alert-success")
    page.select_option("select[name=ia08-document]", value=str(letter.pk))
    for rule in ("valid", "authentic", "current", "sufficient"):
        page.check(f"input[name=ia08-{rule}]")
    page.check(f"input[name=ia08-kuks][value='{first_kuks[0].pk}']")
    page.check(f"input[name=ia08-kuks][value='{first_kuks[1].pk}']")
    page.fill("input[name=ia08-note]", "Surat keterangan magang asli.")
    shot("31b-ia08")
    page.click("[data-testid='save-IA.08']")
    page.wait_for_selector(".alert-success")
    assert page.locator("[data-testid=ia08-check]").count() == 1
    matrix = page.locator(f"[data-testid=coverage][data-unit='{first.code}']")
    assert f"{len(first_kuks)} dari {len(first_kuks)}" in matrix.inner_text()
    assert matrix.locator("[data-testid=missing]").count() == 0
    heads = matrix.locator("thead").inner_text()
    assert "IA.01" in heads and "IA.07" in heads and "IA.08" in heads
    shot("32-coverage")
    checks = assessment.portfolio_checks.get()
    assert checks.document_id == letter.pk and checks.kuks.count() == 2
    assert assessment.instrument_records.filter(satisfactory=True).count() == 1
    assert assessment.instrument_records.filter(satisfactory=False).count() == 1

    # -- the second unit: nothing judged yet, every KUK missing; then FR.IA.02 covers them all -----
    page.goto(results_url)
    page.click(
        f"[data-testid=kuk-coverage][data-unit='{second.code}'] [data-testid=instruments-link]"
    )
    second_kuks = unit_kuks(application, second)
    matrix = page.locator(f"[data-testid=coverage][data-unit='{second.code}']")
    assert matrix.locator("[data-testid=missing]").count() == len(second_kuks) > 0
    assert page.is_visible("[data-testid=coverage-missing]")
    shot("32b-coverage-missing")
    (task,) = InstrumentItem.objects.filter(
        bank_id=assessment.instrument_bank_id, unit=second, kind="IA.02"
    )
    page.check(f"input[name=item-{task.pk}-satisfactory][value=yes]")
    page.fill(f"textarea[name=item-{task.pk}-response]", "Tugas selesai sesuai instruksi.")
    page.click("[data-testid='save-IA.02']")
    page.wait_for_selector(".alert-success")
    matrix = page.locator(f"[data-testid=coverage][data-unit='{second.code}']")
    assert matrix.locator("[data-testid=missing]").count() == 0
    shot("32c-ia02")
    # FR.IA.10: the internship supervisor confirms two KUK.
    page.fill("input[name=ia10-person]", "Budi Santoso")
    page.fill("input[name=ia10-relation]", "Supervisor magang, PT Contoh")
    page.fill("input[name=ia10-contact]", "0812 1111 2222")
    # the date comes filled in with today, in the form the date picker reads
    assert page.input_value("input[name=ia10-clarified_on]") == timezone.localdate().isoformat()
    page.fill("textarea[name=ia10-statement]", "Menyusun strategi merek produk selama magang.")
    page.check("input[name=ia10-supports][value=yes]")
    page.check(f"input[name=ia10-kuks][value='{second_kuks[0].pk}']")
    page.check(f"input[name=ia10-kuks][value='{second_kuks[1].pk}']")
    page.click("[data-testid='save-IA.10']")
    page.wait_for_selector("[data-testid=ia10-statement]")
    assert "Budi Santoso" in page.inner_text("[data-testid=ia10-statement]")
    assert "IA.10" in matrix.locator("thead").inner_text()
    shot("32d-ia10")
    # The same page, every form open, on a phone: nothing wider than the window.
    page.set_viewport_size({"width": 390, "height": 900})
    assert page.evaluate(OVERFLOW)["wide"] == []
    shot("32e-instruments-390")
    part(page, "32f-coverage-390", "[data-testid=coverage]")
    part(page, "32g-ia10-390", "[data-testid=ia10]")
    page.set_viewport_size({"width": 768, "height": 1000})

    # -- K for every unit: the ones not covered yet are refused (9.3.3) -------------------------
    page.goto(results_url)

    def fill_results():
        for unit in units:
            page.fill(f"textarea[name=unit-{unit.pk}-evidence_observed]", "Demonstrasi sesuai KUK.")
            for rule in ("valid", "authentic", "current", "sufficient"):
                page.check(f"input[name=unit-{unit.pk}-{rule}]")
            page.check(f"input[name=unit-{unit.pk}-result][value=K]")

    fill_results()
    page.click("[data-testid=save-results]")
    page.wait_for_selector("[data-testid=refusal]")
    assert NOT_COVERED in page.inner_text("[data-testid=refusal] >> nth=0")
    assert third.code in page.inner_text("main")
    shot("34-results-refused")
    part(page, "34b-refused-row", "tr:has([data-testid=refusal])")
    assert set(assessment.results.values_list("unit_id", flat=True)) == {first.pk, second.pk}
    # The other 13 units are observed through the services (every KUK achieved, FR.IA.01): the
    # page for one unit is driven above, doing it 13 more times adds nothing but minutes.
    observe_all(case["assessor"], assessment, units[2:])
    page.goto(results_url)
    fill_results()
    shot("35-assessor-results")
    page.click("[data-testid=save-results]")
    page.wait_for_selector("[data-testid=submit-recommendation]")

    # -- submission with FR.AK.02 ----------------------------------------------------------------
    ak02 = page.locator("[data-testid=ak02-fields]")
    ak02.locator("textarea").nth(0).fill("Tidak ada tindak lanjut.")
    ak02.locator("textarea").nth(1).fill("Pertahankan ketelitian saat menjawab lisan.")
    shot("36-assessor-submit")
    part(page, "36b-ak02-fields", "form:has([data-testid=ak02-fields])")
    page.click("[data-testid=submit-recommendation]")
    page.wait_for_selector("[data-testid=recommendation]")
    assert page.locator("[data-testid=ak02-table] tbody tr").count() == 15
    shot("37-assessor-submitted")
    assessment.refresh_from_db()
    assert (assessment.status, assessment.recommendation) == ("recommended", "K")
    assert assessment.results.count() == 15
    logout(page)

    # -- the applicant sees FR.AK.02, signs it and gives feedback ----------------------------
    login(page, base, application.applicant.email, PASSWORD)
    page.goto(f"{base}/assessment/{assessment.pk}/")
    assert "Kompeten" in page.inner_text("[data-testid=recommendation]")
    assert page.locator("[data-testid=results-table] tbody tr").count() == 15
    assert page.locator("[data-testid=ak02-table] tbody tr").count() == 15
    assert "Tidak ada tindak lanjut." in page.inner_text("[data-testid=ak02-follow-up]")
    # K and BK, the last columns, are in sight on the tablet, not behind the table's scroll
    bk = page.locator("[data-testid=ak02-table] thead th").last.bounding_box()
    card = page.locator("[data-testid=ak02]").bounding_box()
    assert bk["x"] + bk["width"] <= card["x"] + card["width"]
    shot("33-ak02")
    part(page, "33b-ak02-card", "[data-testid=ak02]")
    page.click("[data-testid=sign]")
    page.wait_for_selector(".alert-success")
    assert "Eka Wijaya" in page.inner_text("[data-testid=ak02-signed]")
    # FR.AK.02 as a PDF (rendered again with the candidate's signature, the job run in-process)
    page.reload()
    assert page.get_attribute("[data-testid=ak02-pdf]", "href") == (
        f"/assessment/{assessment.pk}/ak02.pdf"
    )
    document = page.request.get(f"{base}/assessment/{assessment.pk}/ak02.pdf")
    assert document.ok and document.headers["content-type"] == "application/pdf"
    assert document.body().startswith(b"%PDF")
    page.click("[data-testid=give-feedback]")
    for index in range(10):
        page.check(f"input[name=q{index}][value=yes]")
    page.fill("textarea[name=comment]", "Proses asesmen jelas dan adil.")
    shot("38-applicant-feedback")
    page.click("[data-testid=send-feedback]")
    page.wait_for_selector(".alert-success")
    page.goto(base + "/dashboard/")
    assert page.get_attribute("[data-step=assessment]", "data-state") == "done"
    assert page.get_attribute("[data-step=decision]", "data-state") == "next"
    shot("39-applicant-dashboard")
    assessment.refresh_from_db()
    assert assessment.applicant_signed_at is not None
    assert assessment.feedback.comment == "Proses asesmen jelas dan adil."
