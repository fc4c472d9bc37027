"""Staff invite a person by e-mail; the person sets a password from the e-mailed link and logs in;
staff grant the Asesor role with the No. Reg. MET and its validity; the person then sees the
assessor's pages (issue 13.7 and 13.8). Screenshots of the people list and the person page at
1280 and 390 px go to test-artifacts/."""

import datetime
import re

import pytest
from django.core import mail
from django.utils import timezone

from assessment.models import Assessor
from lsp_portal.accounts.models import User
from lsp_portal.accounts.roles import Role
from tests.browser.test_registration_journey import logout as registration_logout
from tests.conftest import PASSWORD, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEW_PASSWORD = "Undangan-Kuat-2026"
MET = "MET.000.004512 2021"


def login(page, base, email, password):
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", password)
    page.press("input[name=password]", "Enter")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def logout(page):
    page.set_viewport_size({"width": 1280, "height": 900})
    registration_logout(page)
    page.wait_for_url(lambda url: "/accounts/" not in url or "/login/" in url)


def shots(page, shot, name):
    """The page at 1280 px and at 390 px (a phone): neither may scroll sideways."""
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{name} at {width} px is {overflow} px too wide"
        shot(f"{name}-{width}")
    page.set_viewport_size({"width": 1280, "height": 900})


def test_staff_invite_a_person_who_becomes_an_assessor(page, shot, live_server, celery_eager):
    base = live_server.url
    staff = make_user("staf@example.org", "Staf LSP", Role.STAFF)
    for i in range(3):
        make_user(f"asesi{i}@example.org", f"Asesi Contoh {i}", Role.APPLICANT)
    make_user("teknis@example.org", "Tia Teknis", Role.TECHNICAL_TEAM)

    # -- staff invite Rudi from the people list ----------------------------------------------
    login(page, base, staff.email, PASSWORD)
    page.click("[data-testid=nav-people]")
    page.wait_for_url(f"{base}/accounts/people/")
    assert page.locator("[data-testid=people] tbody tr").count() == 5
    page.click("[data-testid=invite]")
    page.fill("input[name=email]", "rudi@example.org")
    page.fill("input[name=full_name]", "Rudi Hartono")
    page.click("[data-testid=send-invitation]")
    page.wait_for_selector(".alert-success")
    assert page.inner_text("[data-testid=person-name]") == "Rudi Hartono"
    assert "Diundang" in page.inner_text("[data-testid=person-status]")
    page.goto(f"{base}/accounts/people/?status=invited")
    assert page.locator("[data-testid=people] tbody tr").count() == 1
    page.goto(f"{base}/accounts/people/")
    shots(page, shot, "people-01-list")
    logout(page)

    # -- Rudi opens the e-mailed link, chooses a password and logs in --------------------------
    (message,) = [m for m in mail.outbox if m.to == ["rudi@example.org"]]
    link = re.search(r"https?://[^/\s]+(/accounts/invitation/\S+/)", message.body).group(1)
    page.goto(base + link)
    page.fill("input[name=new_password1]", NEW_PASSWORD)
    page.fill("input[name=new_password2]", NEW_PASSWORD)
    page.click("[data-testid=set-password]")
    page.wait_for_url(f"{base}/accounts/login/")
    assert "Kata sandi Anda sudah dibuat" in page.inner_text(".alert-success")
    login(page, base, "rudi@example.org", NEW_PASSWORD)
    assert "Rudi" in page.inner_text("h1")
    assert page.locator("nav a:has-text('Asesmen saya')").count() == 0
    logout(page)

    # -- staff grant the Asesor role with the MET data ----------------------------------------
    login(page, base, staff.email, PASSWORD)
    page.goto(f"{base}/accounts/people/?q=rudi")
    page.click("text=Rudi Hartono")
    card = page.locator("[data-role=assessor]")
    # a number BNSP never writes is refused on the page, nothing granted
    card.locator("input[name=assessor-registration_number]").fill("12345")
    valid_until = timezone.localdate() + datetime.timedelta(days=700)
    card.locator("input[name=assessor-registration_valid_until]").fill(valid_until.isoformat())
    card.locator("input[name=assessor-schemes]").first.check()
    card.locator("[data-testid=grant-assessor]").click()
    page.wait_for_selector(".alert-danger")
    assert "MET.000.004512 2021" in page.inner_text("[data-role=assessor]")
    assert not Assessor.objects.filter(user__email="rudi@example.org").exists()
    shot("people-02a-met-refused-1280")
    card = page.locator("[data-role=assessor]")
    card.locator("input[name=assessor-registration_number]").fill(MET)
    card.locator("[data-testid=grant-assessor]").click()
    page.wait_for_selector(".alert-success")
    assert page.get_attribute("[data-role=assessor]", "data-held") == "1"
    assert MET in page.inner_text("[data-role=assessor] [data-testid=registry]")
    assert "Peran diberikan" in page.inner_text("[data-testid=history]")
    shots(page, shot, "people-02-person")
    rudi = User.objects.get(email="rudi@example.org")
    assert rudi.has_role(Role.ASSESSOR)
    assert [m.subject for m in mail.outbox if m.to == [rudi.email]][-1].startswith("Anda kini")
    logout(page)

    # -- Rudi sees the assessor's pages -----------------------------------------------------------
    login(page, base, rudi.email, NEW_PASSWORD)
    page.click("nav a:has-text('Asesmen saya')")
    page.wait_for_url(f"{base}/assessment/cases/")
    assert page.inner_text("h1") == "Asesmen saya"
    assert "Belum ada asesmen yang ditugaskan" in page.inner_text("[data-testid=cases]")
