"""Setting up the authenticator app: the QR code and the secret, the code that confirms it, the
recovery codes shown once; required for Admin LSP and the director when TWO_FACTOR_REQUIRED, a
choice for everyone else."""

import base64
import re
from binascii import unhexlify

import pytest
from django.core import mail
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from lsp_portal.audit.models import AuditEvent
from lsp_portal.errors import RuleError
from lsp_portal.twofactor import services
from tests.conftest import PASSWORD
from tests.twofactor.helpers import code_for_secret, code_of


@pytest.fixture
def required(settings):
    settings.TWO_FACTOR_REQUIRED = True


def log_in(client, user):
    response = client.post(
        reverse("accounts:login"), {"username": user.email, "password": PASSWORD}
    )
    assert response.status_code == 302
    return response


def setup_secret(client):
    """The secret of the setup in progress, read from the page as a person would type it."""
    page = client.get(reverse("twofactor:setup")).content.decode()
    text = re.search(r'data-testid="secret">([A-Z2-7 ]+)<', page).group(1).replace(" ", "")
    return base64.b32decode(text).hex()


def test_the_setup_page_shows_a_qr_code_and_the_secret_as_text(client, required, staff):
    log_in(client, staff)
    response = client.get(reverse("twofactor:setup"))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    page = response.content.decode()
    assert 'src="data:image/svg+xml' in page  # inline: the CSP allows data: images only
    secret = client.session[services.SETUP_KEY_SESSION_KEY]
    assert setup_secret(client) == secret
    # A reload shows the same secret: an app scanned a moment ago still works.
    assert setup_secret(client) == secret
    assert not TOTPDevice.objects.filter(user=staff).exists()  # nothing stored before the code


def test_a_right_code_turns_it_on_and_shows_ten_recovery_codes_once(
    client, required, staff, celery_eager, django_capture_on_commit_callbacks
):
    log_in(client, staff)
    secret = setup_secret(client)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("twofactor:setup"), {"code": code_for_secret(secret)})
    assert response["Location"] == reverse("twofactor:recovery_codes")
    device = TOTPDevice.objects.get(user=staff, confirmed=True)
    assert unhexlify(device.key) == unhexlify(secret)
    page = client.get(reverse("twofactor:recovery_codes")).content.decode()
    codes = re.findall(r"<li><code>([a-z2-7]+)</code></li>", page)
    assert len(codes) == 10
    assert set(codes) == set(
        StaticToken.objects.filter(device__user=staff).values_list("token", flat=True)
    )
    again = client.get(reverse("twofactor:recovery_codes")).content.decode()
    assert not set(codes) & set(re.findall(r"[a-z2-7]{8}", again))  # shown once
    # The session passed the second step; staff pages open.
    assert client.get(reverse("registration:review_queue")).status_code == 200
    event = AuditEvent.objects.for_object(staff).get(action="twofactor.enabled")
    assert event.actor == staff
    (message,) = mail.outbox
    assert message.to == [staff.email]
    assert "Autentikasi dua langkah" in message.subject


def test_a_wrong_code_is_refused_with_a_clear_message_and_stores_nothing(client, required, staff):
    log_in(client, staff)
    secret = setup_secret(client)
    wrong = f"{(int(code_for_secret(secret)) + 1) % 1_000_000:06d}"
    response = client.post(reverse("twofactor:setup"), {"code": wrong})
    assert response.status_code == 200
    assert "jam ponsel" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=staff).exists()
    assert not AuditEvent.objects.filter(action="twofactor.enabled").exists()
    assert client.get(reverse("registration:review_queue"))["Location"].startswith(
        reverse("twofactor:setup")
    )


def test_setup_cannot_be_skipped_while_required(client, required, director):
    log_in(client, director)
    for method, url in (
        ("get", reverse("dashboard")),
        ("get", reverse("twofactor:security")),
        ("get", reverse("twofactor:recovery_codes")),
        ("post", reverse("twofactor:regenerate")),
        ("get", reverse("certificates:registry")),
        ("post", reverse("decisions:decree_sign", args=[1])),
    ):
        response = getattr(client, method)(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("twofactor:setup")), url


def test_users_outside_the_two_factor_roles_are_not_asked(client, required, alice, assessor):
    for user, page in ((alice, "dashboard"), (assessor, "assessment:assessor_cases")):
        client.logout()
        log_in(client, user)
        assert client.get(reverse(page)).status_code == 200


def test_a_superuser_without_a_portal_role_is_asked_too(client, required, django_user_model):
    root = django_user_model.objects.create_superuser(
        email="root@example.org", password=PASSWORD, full_name="Root"
    )
    log_in(client, root)
    assert client.get(reverse("admin:index"))["Location"].startswith(reverse("twofactor:setup"))


def test_without_the_requirement_staff_log_in_with_the_password_only(client, staff):
    log_in(client, staff)
    assert client.get(reverse("registration:review_queue")).status_code == 200
    page = client.get(reverse("twofactor:security")).content.decode()
    assert 'data-status="off"' in page


def test_an_applicant_may_turn_it_on_and_is_then_asked_at_each_log_in(client, alice):
    log_in(client, alice)
    secret = setup_secret(client)
    client.post(reverse("twofactor:setup"), {"code": code_for_secret(secret)})
    assert 'data-status="on"' in client.get(reverse("twofactor:security")).content.decode()
    client.post(reverse("accounts:logout"))
    log_in(client, alice)
    assert client.get(reverse("dashboard"))["Location"].startswith(reverse("twofactor:verify"))
    device = TOTPDevice.objects.get(user=alice)
    client.post(reverse("twofactor:verify"), {"code": code_of(device, steps_ahead=1)})
    assert client.get(reverse("dashboard")).status_code == 200


def test_moving_to_a_new_phone_replaces_the_app_and_the_recovery_codes(client, alice):
    log_in(client, alice)
    client.post(reverse("twofactor:setup"), {"code": code_for_secret(setup_secret(client))})
    old_device = TOTPDevice.objects.get(user=alice)
    old_codes = set(StaticToken.objects.values_list("token", flat=True))
    new_secret = setup_secret(client)
    assert new_secret != old_device.key
    client.post(reverse("twofactor:setup"), {"code": code_for_secret(new_secret)})
    (device,) = TOTPDevice.objects.filter(user=alice)
    assert device.key == new_secret
    assert not old_codes & set(StaticToken.objects.values_list("token", flat=True))
    event = AuditEvent.objects.filter(action="twofactor.enabled").latest("pk")
    assert event.data == {"replaced": True}


def test_the_same_setup_sent_twice_keeps_the_first_recovery_codes(alice):
    secret = services.new_secret()
    code = code_for_secret(secret)
    device, codes = services.enable(alice, secret, code, verified=False)
    with pytest.raises(RuleError):
        services.enable(alice, secret, code, verified=True)
    assert list(TOTPDevice.objects.filter(user=alice)) == [device]
    assert set(StaticToken.objects.values_list("token", flat=True)) == set(codes)
    assert AuditEvent.objects.filter(action="twofactor.enabled").count() == 1
