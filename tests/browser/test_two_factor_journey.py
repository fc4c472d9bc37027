"""Two-factor sign-in as staff meet it (TWO_FACTOR_REQUIRED): the first log-in leads to the setup
page, whose QR code a phone can scan (decoded here with zbarimg from the screenshot) and whose
secret can be typed instead; a code confirms it and ten recovery codes are shown once; the next
log-in asks for a code, and a recovery code works in its place."""

import base64
import subprocess
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from django.core import mail

from lsp_portal.accounts.roles import Role
from tests.browser.conftest import ARTIFACTS
from tests.browser.test_registration_journey import login, logout
from tests.conftest import PASSWORD, make_user
from tests.twofactor.helpers import code_for_secret

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def scanned(screenshot):
    """What a phone reads from the QR code on the screenshot."""
    result = subprocess.run(
        ["zbarimg", "--quiet", "--raw", str(screenshot)], capture_output=True, text=True
    )
    assert result.returncode == 0, f"no QR code found on {screenshot}: {result.stderr}"
    return result.stdout.strip()


def test_staff_set_up_the_app_then_log_in_with_a_code_and_with_a_recovery_code(
    page, shot, live_server, settings, celery_eager
):
    settings.TWO_FACTOR_REQUIRED = True
    base = live_server.url
    staff = make_user("staf.2fa@example.org", "Sinta Staf", Role.STAFF)
    staff.is_staff = True  # the admin site too, once past the second step
    staff.save(update_fields=["is_staff"])

    # -- the first log-in: the app must be set up before anything else ----------------------------
    login(page, base, staff.email, PASSWORD)
    page.wait_for_url(f"{base}/accounts/two-factor/setup/**")
    assert "wajib" in page.inner_text("[data-testid=setup-required]")
    page.goto(f"{base}/review/")  # cannot be skipped
    page.wait_for_url(f"{base}/accounts/two-factor/setup/**")
    assert page.locator("[data-testid=qr-code]").is_visible()
    shot("60-two-factor-setup")

    uri = scanned(ARTIFACTS / "60-two-factor-setup.png")
    parts = urlsplit(uri)
    assert (parts.scheme, parts.netloc) == ("otpauth", "totp")
    assert unquote(parts.path) == f"/LSP Portal:{staff.email}"
    typed = page.inner_text("[data-testid=secret]").replace(" ", "")
    assert parse_qs(parts.query)["secret"] == [typed]  # the text and the QR code agree
    secret = base64.b32decode(typed).hex()

    page.fill("input[name=code]", code_for_secret(secret))
    page.click("[data-testid=confirm-setup]")
    page.wait_for_selector("[data-testid=recovery-codes]")
    codes = page.locator("[data-testid=recovery-codes] code").all_inner_texts()
    assert len(codes) == 10
    shot("61-two-factor-recovery-codes")
    page.click("[data-testid=codes-saved]")
    page.wait_for_url(f"{base}/review/")  # the staff's dashboard is the review queue
    page.goto(f"{base}/accounts/two-factor/")
    assert page.get_attribute("[data-testid=two-factor-status]", "data-status") == "on"
    shot("62-two-factor-security-page")
    logout(page)

    # -- the next log-in asks for a code of the app ------------------------------------------------
    login(page, base, staff.email, PASSWORD)
    page.wait_for_url(f"{base}/accounts/two-factor/verify/**")
    shot("63-two-factor-verify")
    # The code of the setup is used up: the phone's next one (accepted one step ahead).
    page.fill("input[name=code]", code_for_secret(secret, steps_ahead=1))
    page.click("[data-testid=verify]")
    page.wait_for_url(f"{base}/review/")
    page.goto(f"{base}/admin/")
    assert page.url == f"{base}/admin/"
    page.goto(f"{base}/review/")
    logout(page)

    # -- no phone at hand: a recovery code, once ---------------------------------------------------
    login(page, base, staff.email, PASSWORD)
    page.wait_for_url(f"{base}/accounts/two-factor/verify/**")
    page.fill("input[name=code]", codes[0])
    page.click("[data-testid=verify]")
    page.wait_for_url(f"{base}/review/")
    assert "kode pemulihan" in page.inner_text("main .alert-warning")
    shot("64-two-factor-recovery-code-used")
    logout(page)
    login(page, base, staff.email, PASSWORD)
    page.fill("input[name=code]", codes[0])
    page.click("[data-testid=verify]")
    assert "salah" in page.inner_text("[data-testid=verify-form]")

    subjects = sorted(message.subject for message in mail.outbox)
    assert subjects == ["Autentikasi dua langkah aktif", "Kode pemulihan dipakai untuk masuk"]
