"""The second step after the password: a code of the app or one recovery code; the session stays
verified, a new log-in asks again; recovery codes work once and can be made anew; the password
flows keep working."""

import datetime

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone, translation
from django_otp.plugins.otp_static.models import StaticToken

from lsp_portal.audit.models import AuditEvent
from lsp_portal.twofactor import services
from tests.conftest import PASSWORD
from tests.twofactor.helpers import RECOVERY, app_for, code_of


@pytest.fixture
def required(settings):
    settings.TWO_FACTOR_REQUIRED = True


@pytest.fixture
def device(staff):
    return app_for(staff)


def log_in(client, user, next_url=None):
    url = reverse("accounts:login") + (f"?next={next_url}" if next_url else "")
    data = {"username": user.email, "password": PASSWORD, "next": next_url or ""}
    response = client.post(url, data)
    assert response.status_code == 302
    return response


def test_after_the_password_staff_with_an_app_go_to_the_code_page_and_then_on(
    client, required, staff, device
):
    queue = reverse("registration:review_queue")
    log_in(client, staff, next_url=queue)
    response = client.get(queue)
    assert response["Location"] == reverse("twofactor:verify") + "?next=%2Freview%2F"
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "no-store" in page["Cache-Control"]
    response = client.post(reverse("twofactor:verify"), {"code": code_of(device), "next": queue})
    assert response["Location"] == queue
    # Verified for the rest of the session: every later request, without a code.
    for _ in range(3):
        assert client.get(queue).status_code == 200


def test_a_wrong_code_gets_an_indonesian_message(client, required, staff, device):
    log_in(client, staff)
    wrong = f"{(int(code_of(device)) + 5) % 1_000_000:06d}"
    response = client.post(reverse("twofactor:verify"), {"code": wrong})
    assert response.status_code == 200
    with translation.override("id"):
        message = "Kode itu salah"
    assert message in response.content.decode()


def test_the_wait_after_a_wrong_code_doubles_and_a_right_code_resets_it(
    client, required, staff, device
):
    log_in(client, staff)
    url = reverse("twofactor:verify")
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client.post(url, {"code": "999999x"})  # not 6 digits: tried as a recovery code
        client.post(url, {"code": "000001"})  # within the 1-second wait: not even tried
    device.refresh_from_db()
    assert device.throttling_failure_count == 1
    with time_machine.travel(start + datetime.timedelta(seconds=1), tick=False):
        response = client.post(url, {"code": "000002"})
    device.refresh_from_db()
    assert device.throttling_failure_count == 2
    with translation.override("id"):
        assert services.too_many_tries(2) not in response.content.decode()
    with time_machine.travel(start + datetime.timedelta(seconds=2), tick=False):
        response = client.post(url, {"code": code_of(device)})
        with translation.override("id"):
            assert services.too_many_tries(1) in response.content.decode()
    with time_machine.travel(start + datetime.timedelta(seconds=4), tick=False):
        response = client.post(url, {"code": code_of(device)})
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.throttling_failure_count == 0


def test_a_recovery_code_works_once_and_is_audited_and_mailed(
    client, required, staff, device, celery_eager, django_capture_on_commit_callbacks
):
    log_in(client, staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("twofactor:verify"), {"code": " KODE-0003 "}, follow=True)
    assert response.status_code == 200
    assert "9" in response.content.decode()  # codes left, in the message
    assert not StaticToken.objects.filter(token=RECOVERY[3]).exists()
    event = AuditEvent.objects.for_object(staff).get(action="twofactor.recovery_code_used")
    assert event.data == {"codes_left": 9}
    (message,) = mail.outbox
    assert message.to == [staff.email]
    assert "9" in message.body

    client.post(reverse("accounts:logout"))
    log_in(client, staff)
    response = client.post(reverse("twofactor:verify"), {"code": RECOVERY[3]})
    assert response.status_code == 200  # used up
    assert client.get(reverse("dashboard")).status_code == 302


def test_new_recovery_codes_void_the_old_ones(client, required, staff, device):
    log_in(client, staff)
    client.post(reverse("twofactor:verify"), {"code": code_of(device)})
    assert client.get(reverse("twofactor:regenerate")).status_code == 405
    response = client.post(reverse("twofactor:regenerate"))
    assert response["Location"] == reverse("twofactor:recovery_codes")
    new = set(StaticToken.objects.filter(device__user=staff).values_list("token", flat=True))
    assert len(new) == 10
    assert not new & set(RECOVERY)
    assert (
        AuditEvent.objects.for_object(staff)
        .filter(action="twofactor.recovery_codes_regenerated")
        .exists()
    )


def test_a_required_user_cannot_turn_it_off_an_optional_one_can(client, required, staff, alice):
    for user, stays_on in ((staff, True), (alice, False)):
        client.logout()
        device = app_for(user)
        log_in(client, user)
        client.post(reverse("twofactor:verify"), {"code": code_of(device)})
        client.post(reverse("twofactor:disable"))
        assert services.is_enabled(user) is stays_on
    assert AuditEvent.objects.filter(action="twofactor.disabled").count() == 1


@pytest.mark.usefixtures("device")
def test_changing_the_password_keeps_the_session_verified(client, required, staff):
    log_in(client, staff)
    client.post(reverse("twofactor:verify"), {"code": code_of(staff.totpdevice_set.get())})
    new_password = "Sandi-Baru-Sekali-2026"
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": new_password, "new_password2": new_password},
    )
    assert response["Location"] == reverse("accounts:password_change_done")
    assert client.get(reverse("registration:review_queue")).status_code == 200


def test_password_reset_stays_open_before_the_second_step(client, required, staff, device):
    log_in(client, staff)
    response = client.post(reverse("accounts:password_reset"), {"email": staff.email})
    assert response["Location"] == reverse("accounts:password_reset_done")
