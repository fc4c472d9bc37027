"""An applicant signs up, fills FR-APL-01 with real uploads and FR-APL-02, submits; staff confirm
eligibility; the applicant sees it. Screenshots go to test-artifacts/."""

import re

import pytest
from django.core import mail

from lsp_portal.accounts.roles import Role
from registration import apl02
from registration.demo_files import image_bytes, pdf_bytes
from registration.models import Application
from tests.conftest import PASSWORD, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def login(page, base, email, password):
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", password)
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{base}/**")


def logout(page):
    """Log out from the menu under the name (or the plain button before the second step)."""
    menu = page.locator("[data-testid=user-menu]")
    if menu.count():
        menu.click()
    page.click("[data-testid=logout]")


def test_applicant_applies_and_staff_confirm_eligibility(
    page, shot, live_server, tmp_path, celery_eager
):
    base = live_server.url
    staff = make_user("staf@example.org", "Staf LSP", Role.STAFF)

    # -- sign up ----------------------------------------------------------------------------
    page.goto(base + "/")
    shot("01-home")
    page.click("text=Persyaratan dan proses")
    assert "Rp 350.000" in page.inner_text("[data-testid=fee]")
    shot("02-scheme")
    page.goto(base + "/accounts/signup/")
    page.fill("input[name=email]", "dewi@example.org")
    page.fill("input[name=full_name]", "Dewi Kartika")
    page.fill("input[name=password1]", "Kuat-Sekali-2026")
    page.fill("input[name=password2]", "Kuat-Sekali-2026")
    page.click("main form button[type=submit]")
    page.wait_for_url(base + "/accounts/signup/sent/")
    assert "Periksa email Anda" in page.inner_text("h1")
    shot("02b-signup-sent")
    # -- the confirmation e-mail's link (sent by the outbox job, run in-process here) ----------
    (message,) = [m for m in mail.outbox if m.to == ["dewi@example.org"]]
    link = re.search(r"https?://[^/\s]+(/accounts/confirm/\S+/)", message.body).group(1)
    page.goto(base + link)
    page.click("[data-testid=confirm-email]")
    page.wait_for_url(base + "/dashboard/")
    assert "Dewi" in page.inner_text("h1")

    # -- FR-APL-01: personal data ------------------------------------------------------------
    page.click("form button:has-text('Ajukan')")
    page.wait_for_url("**/personal/")
    page.fill("input[name=nik]", "3174015201020001")
    page.fill("input[name=birth_place]", "Jakarta")
    page.fill("input[name=birth_date]", "2002-01-12")
    page.check("input[name=gender][value=P]")
    page.fill("textarea[name=address]", "Jl. Boulevard Bintaro Jaya, Tangerang Selatan")
    page.fill("input[name=phone]", "0812 3456 7890")
    page.fill("input[name=university]", "Universitas Pembangunan Jaya")
    page.fill("input[name=study_programme]", "Manajemen")
    page.fill("input[name=student_number]", "2019123")
    page.fill("input[name=semester]", "7")
    for box in page.locator("input[name=completed_courses]").all():
        box.check()
    shot("03-personal")
    page.click("button[name=continue]")
    page.wait_for_url("**/experience/")

    # -- experience ------------------------------------------------------------------------------
    page.fill("input[name=organisation]", "PT Pelanggan Setia")
    page.select_option("select[name=field]", label="Manajemen Pelanggan")
    page.fill("input[name=role]", "Magang Customer Service")
    page.fill("input[name=start_date]", "2024-02-01")
    page.fill("input[name=end_date]", "2024-05-31")
    page.fill("input[name=hours]", "420")
    page.click("form button:has-text('Tambah')")
    assert page.inner_text("[data-testid=relevant-hours]") == "420"
    shot("04-experience")

    # -- documents: real files through the file input ----------------------------------------
    page.click("text=Lanjut ke dokumen")
    files = {}
    for name, content in {
        "ktp.pdf": pdf_bytes("KTP"),
        "ktm.pdf": pdf_bytes("KTM"),
        "transkrip.pdf": pdf_bytes("Transkrip"),
        "surat-magang.pdf": pdf_bytes("Surat magang 420 jam"),
        "foto.jpg": image_bytes("JPEG"),
        "program.exe": b"MZ\x90\x00" + b"\x00" * 500,
    }.items():
        path = tmp_path / name
        path.write_bytes(content)
        files[name] = str(path)
    # a renamed executable is refused with a clear message
    page.select_option("select[name=requirement]", label="Fotokopi KTP")
    page.set_input_files("input[name=file]", files["program.exe"])
    page.click("[data-testid=upload]")
    assert "bukan dokumen PDF, JPEG, atau PNG" in page.inner_text("main")
    shot("05-upload-refused")
    uploads = [
        ("Fotokopi KTP", "ktp.pdf"),
        ("Fotokopi KTM (Kartu Tanda Mahasiswa)", "ktm.pdf"),
        ("Fotokopi transkrip nilai", "transkrip.pdf"),
        ("Pasfoto 3 x 4", "foto.jpg"),
        ("Pasfoto 3 x 4", "foto.jpg"),
        ("Pasfoto 3 x 4", "foto.jpg"),
        ("Surat keterangan pengalaman", "surat-magang.pdf"),
    ]
    for label, name in uploads:
        option = page.locator("select[name=requirement] option", has_text=label).first
        page.select_option("select[name=requirement]", value=option.get_attribute("value"))
        page.set_input_files("input[name=file]", files[name])
        page.click("[data-testid=upload]")
        page.wait_for_selector(".alert-success")
    shot("06-documents")
    application = Application.objects.get(applicant__email="dewi@example.org")
    assert application.documents.count() == 7

    # -- FR-APL-02 ---------------------------------------------------------------------------
    page.click("text=Lanjut ke asesmen mandiri")
    letter = application.documents.get(requirement__code="surat-magang")
    # "Dapatkah saya ...?" per element of every unit, the element's KUK beside it (9.1.3).
    keys = apl02.answer_keys(application)
    assert page.locator("[data-testid=element-kuk]").count() == len(keys)
    for key in keys:
        prefix = apl02.form_prefix(key)
        page.check(f"input[name={prefix}-answer][value=K]")
        page.select_option(f"select[name={prefix}-evidence]", value=str(letter.pk))
    page.fill(f"input[name={apl02.form_prefix(keys[0])}-note]", "Saat magang")
    shot("07-self-assessment")
    page.click("button[name=continue]")
    page.wait_for_selector("[data-testid=completeness]")
    assert page.locator("[data-testid=completeness] [data-passed='0']").count() == 0
    assert page.locator("[data-testid=eligibility] [data-passed='0']").count() == 0
    shot("08-ready-to-submit")

    # -- submit --------------------------------------------------------------------------------
    page.check("#id_agree")
    page.click("[data-testid=submit-application]")
    page.wait_for_selector(".alert-success")
    assert page.inner_text("[data-testid=status]") == "Diajukan"
    shot("09-submitted")
    application.refresh_from_db()
    assert application.status == "submitted" and application.agreed_at is not None

    # -- staff review --------------------------------------------------------------------------
    logout(page)
    login(page, base, staff.email, PASSWORD)
    page.goto(base + "/review/")
    page.click(f"text={application.reference}")
    page.wait_for_selector("[data-testid=eligibility]")
    assert page.locator("iframe.doc-preview").count() >= 1
    shot("10-staff-review")
    mail.outbox.clear()
    page.check("input[name=decision][value=eligible]")
    page.fill("textarea[name=note]", "Berkas lengkap.")
    page.click("[data-testid=decide]")
    page.wait_for_selector(".alert-success")
    shot("11-staff-decided")
    application.refresh_from_db()
    assert application.status == "eligible"
    assert [m.to for m in mail.outbox] == [["dewi@example.org"]]

    # -- the applicant sees the decision -------------------------------------------------------
    logout(page)
    login(page, base, "dewi@example.org", "Kuat-Sekali-2026")
    page.goto(base + "/dashboard/")
    assert page.inner_text("[data-testid=status]") == "Memenuhi syarat"
    assert page.get_attribute("[data-step=registration]", "data-state") == "done"
    assert page.get_attribute("[data-step=assessment]", "data-state") == "next"
    assert page.is_visible("[data-testid=eligible-note]")
    shot("12-applicant-eligible")
