"""Issue 12.8: certificate numbers run per year and scheme, so the public look-up by number could
be walked in order. Each client may look up VERIFY_NUMBER_LIMIT_PER_MINUTE numbers a minute; the
next one is refused (429, the form still shown, in the visitor's language); another address is
not affected, and the QR code's link (an unguessable token) is never limited."""

import datetime

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from certificates import services
from certificates.models import Signatory
from lsp_portal.accounts.roles import Role
from tests.certificates.conftest import POINTS, certificate_of, sign_decree_for
from tests.conftest import make_user
from tests.decisions.conftest import make_member

# Counted against fixed windows: the clock stands still (tests/security/conftest.py).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("one_rate_limit_window")]


def waiting_message(language):
    with translation.override(language):
        return gettext(
            "You have looked up many certificate numbers in a short time. Please wait a minute, "
            "then try again. The link in the QR code of a certificate always works."
        )


@pytest.fixture
def issued(alice, staff, director, technical, recommended):
    """alice's certificate, issued through the services (decree, agreement, fee)."""
    tono = make_user("technical2@example.org", "Tono Teknis", Role.TECHNICAL_TEAM)
    members = [make_member(technical), make_member(tono, "Praktisi CRM.")]
    sign_decree_for(staff, director, members, [recommended])
    certificate = certificate_of(recommended)
    Signatory.objects.create(name="Dr. Ratna Sari, M.M.", title="Direktur LSP UPJ")
    services.sign_agreement(alice, certificate, points=POINTS)
    services.record_fee(staff, certificate, amount=350_000)
    certificate.refresh_from_db()
    return certificate


def look_up(client, number):
    return client.get(reverse("certificates:verify"), {"number": number})


def test_the_lookup_after_the_limit_is_refused_with_the_form(client, issued):
    limit = settings.VERIFY_NUMBER_LIMIT_PER_MINUTE
    for i in range(limit - 1):
        assert look_up(client, f"{i:05d}/LSP-UPJ/MHP/I/2026").status_code == 404
    assert look_up(client, issued.number).status_code == 200  # the limit-th: still answered
    refused = look_up(client, issued.number)
    assert refused.status_code == 429
    page = refused.content.decode()
    assert waiting_message("id") in page
    assert 'name="number"' in page  # the form is still there
    assert issued.holder_name not in page


def test_the_refusal_is_in_english_when_chosen(client, db):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    for i in range(settings.VERIFY_NUMBER_LIMIT_PER_MINUTE):
        look_up(client, f"{i:05d}/LSP-UPJ/MHP/I/2026")
    refused = look_up(client, "00999/LSP-UPJ/MHP/I/2026")
    assert refused.status_code == 429
    assert waiting_message("en") in refused.content.decode()


def test_another_address_is_not_limited(client, issued):
    for i in range(settings.VERIFY_NUMBER_LIMIT_PER_MINUTE + 1):
        look_up(client, f"{i:05d}/LSP-UPJ/MHP/I/2026")
    assert look_up(client, issued.number).status_code == 429
    other = Client(REMOTE_ADDR="10.1.2.3")
    response = look_up(other, issued.number)
    assert response.status_code == 200
    assert issued.holder_name in response.content.decode()


def test_the_limit_ends_with_its_minute(client, issued):
    for i in range(settings.VERIFY_NUMBER_LIMIT_PER_MINUTE + 1):
        look_up(client, f"{i:05d}/LSP-UPJ/MHP/I/2026")
    assert look_up(client, issued.number).status_code == 429
    with time_machine.travel(timezone.now() + datetime.timedelta(seconds=61)):
        assert look_up(client, issued.number).status_code == 200


def test_the_qr_link_is_never_limited(client, issued):
    for i in range(settings.VERIFY_NUMBER_LIMIT_PER_MINUTE + 1):
        look_up(client, f"{i:05d}/LSP-UPJ/MHP/I/2026")
    assert look_up(client, issued.number).status_code == 429
    for _ in range(3 * settings.VERIFY_NUMBER_LIMIT_PER_MINUTE):
        page = client.get(reverse("certificates:verify_token", args=[issued.token]))
        assert page.status_code == 200
        data = client.get(reverse("certificates:verify_json", args=[issued.token]))
        assert data.status_code == 200
        assert data.json()["number"] == issued.number


def test_an_empty_form_is_not_counted(client, db):
    for _ in range(settings.VERIFY_NUMBER_LIMIT_PER_MINUTE + 5):
        assert client.get(reverse("certificates:verify")).status_code == 200
    assert look_up(client, "00001/LSP-UPJ/MHP/I/2026").status_code == 404
