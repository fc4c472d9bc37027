"""Staff assign an assessor; the assessor declares impartiality and sets the plan; both agree; the
assessor reviews the evidence, records all 15 units and submits; the applicant sees the result,
signs it and leaves feedback (FR-AK-03). Screenshots go to test-artifacts/."""

import datetime

import pytest
from django.utils import timezone

from assessment.models import TUK, Assessment, Assessor
from lsp_portal.accounts.roles import Role
from registration import apl02
from registration import services as registration
from tests.browser.test_registration_journey import login, logout
from tests.conftest import PASSWORD, fill_application, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def case():
    """An eligible application, a registered assessor and a verified TUK."""
    applicant = make_user("eka@example.org", "Eka Wijaya", Role.APPLICANT)
    staff = make_user("staf2@example.org", "Staf LSP", Role.STAFF)
    assessor_user = make_user("asesor@example.org", "Agus Asesor", Role.ASSESSOR)
    from registration.models import Scheme

    scheme = Scheme.objects.get(code="mhp")
    application = registration.start_application(applicant, scheme)
    fill_application(applicant, application)
    registration.submit(applicant, application, agreed=True)
    registration.confirm_eligible(staff, application)
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


def test_assessment_from_assignment_to_feedback(page, shot, live_server, case):
    base = live_server.url
    application = case["application"]
    units = list(application.scheme.units.all())

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
    # FR.MAPA.02: choosing a method ticked its usual instrument; the first unit adds FR.IA.03.
    for unit in units:
        assert page.is_checked(f"input[name=unit-{unit.pk}-instruments][value='IA.01']")
        assert page.is_checked(f"input[name=unit-{unit.pk}-instruments][value='IA.07']")
    page.check(f"input[name=unit-{units[0].pk}-instruments][value='IA.03']")
    page.fill(f"input[name=unit-{units[0].pk}-duration_minutes]", "45")
    shot("22-assessor-plan")
    page.click("[data-testid=save-plan]")
    page.wait_for_selector("[data-testid=plan-table]")
    assert "09:00" in page.inner_text("[data-testid=ak01-table]")
    assert page.locator("[data-testid=mapa02-table] tbody tr").count() == 15
    assert "FR.IA.03" in page.inner_text("[data-testid=mapa02-table] thead")
    page.check("#agree-plan")
    page.check("#agree-conf")
    page.click("[data-testid=agree]")
    page.wait_for_selector(".alert-success")
    shot("23-assessor-agreed")
    logout(page)

    # -- the applicant reads and agrees ---------------------------------------------------------
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

    # -- the assessor reviews the evidence and records all 15 units --------------------------------
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
    # FR.IA.01 of the first unit: every KUK seen achieved, then the coverage line says so.
    page.click(f"[data-testid=ia01-coverage][data-unit='{units[0].code}'] a")
    kuks = page.locator("tr[data-kuk]")
    kuk_count = kuks.count()
    for index in range(kuk_count):
        kuks.nth(index).locator("input[type=radio][value=yes]").check()
    page.fill("textarea[name=ia01-comment]", "Mengerjakan tugas dengan rapi.")
    shot("26a-assessor-ia01")
    page.click("[data-testid=save-ia01]")
    page.wait_for_selector(".alert-success")
    page.click("text=" + "Kembali ke hasil")
    coverage = page.inner_text(f"[data-testid=ia01-coverage][data-unit='{units[0].code}']")
    assert f"{kuk_count} dari {kuk_count}" in coverage
    for unit in units:
        page.fill(f"textarea[name=unit-{unit.pk}-evidence_observed]", "Demonstrasi sesuai KUK.")
        for rule in ("valid", "authentic", "current", "sufficient"):
            page.check(f"input[name=unit-{unit.pk}-{rule}]")
        page.check(f"input[name=unit-{unit.pk}-result][value=K]")
    shot("26-assessor-results")
    page.click("[data-testid=save-results]")
    page.wait_for_selector("[data-testid=submit-recommendation]")
    page.click("[data-testid=submit-recommendation]")
    page.wait_for_selector("[data-testid=recommendation]")
    shot("27-assessor-submitted")
    assessment.refresh_from_db()
    assert (assessment.status, assessment.recommendation) == ("recommended", "K")
    assert assessment.results.count() == 15
    assert assessment.observations.filter(achieved=True).count() == kuk_count > 0
    logout(page)

    # -- the applicant sees the result, signs it and gives feedback -----------------------------
    login(page, base, application.applicant.email, PASSWORD)
    page.goto(f"{base}/assessment/{assessment.pk}/")
    assert "Kompeten" in page.inner_text("[data-testid=recommendation]")
    assert page.locator("[data-testid=results-table] tbody tr").count() == 15
    page.click("[data-testid=sign]")
    page.wait_for_selector(".alert-success")
    page.click("[data-testid=give-feedback]")
    for index in range(10):
        page.check(f"input[name=q{index}][value=yes]")
    page.fill("textarea[name=comment]", "Proses asesmen jelas dan adil.")
    shot("28-applicant-feedback")
    page.click("[data-testid=send-feedback]")
    page.wait_for_selector(".alert-success")
    page.goto(base + "/dashboard/")
    assert page.get_attribute("[data-step=assessment]", "data-state") == "done"
    assert page.get_attribute("[data-step=decision]", "data-state") == "next"
    shot("29-applicant-dashboard")
    assessment.refresh_from_db()
    assert assessment.applicant_signed_at is not None
    assert assessment.feedback.comment == "Proses asesmen jelas dan adil."
