"""Issue 12, items 10 and 11: a staff member's or the director's password alone no longer opens
the portal, and a signed-in staff screen left alone ends.

The attacks: log in with a stolen staff password and try staff pages, the admin site, a JSON/CSV
export and state changes (changing the password, a review decision); skip the setup of the app;
guess codes; reuse a verified session's state in a new log-in; replace the owner's app with one's
own; come back to a staff browser left signed in."""

import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone, translation

from lsp_portal.accounts.roles import Role
from tests.conftest import PASSWORD, make_user
from tests.twofactor.helpers import app_for, code_of

STAFF_PAGES = [
    ("get", "/review/"),
    ("get", "/admin/"),
    ("get", "/admin/accounts/user/"),
    ("get", "/certificates/registry/?format=csv"),
    ("get", "/dashboard/"),
    ("post", "/accounts/password-change/"),
]


@pytest.fixture
def required(settings):
    settings.TWO_FACTOR_REQUIRED = True


@pytest.fixture
def admin_staff(staff):
    staff.is_staff = True
    staff.save(update_fields=["is_staff"])
    return staff


def log_in(client, user, password=PASSWORD):
    response = client.post(
        reverse("accounts:login"), {"username": user.email, "password": password}
    )
    assert response.status_code == 302, "the password step must succeed"
    return response


def test_a_stolen_staff_password_alone_opens_no_staff_page(client, required, admin_staff):
    app_for(admin_staff)
    log_in(client, admin_staff)
    for method, url in STAFF_PAGES:
        response = getattr(client, method)(
            url, {"old_password": PASSWORD} if method == "post" else {}
        )
        assert response.status_code == 302, (url, response.status_code)
        assert response["Location"].startswith("/accounts/two-factor/verify/"), url
    admin_staff.refresh_from_db()
    assert admin_staff.check_password(PASSWORD)  # the password change never ran


def test_the_director_without_an_app_must_set_it_up_before_any_page(client, required, director):
    log_in(client, director)
    for url in ("/dashboard/", "/decisions/meetings/", "/appeals/", "/accounts/two-factor/verify/"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("twofactor:setup")), url
    assert client.get(reverse("twofactor:setup")).status_code == 200
    # Public pages and logging out stay open.
    assert client.get(reverse("certificates:verify")).status_code == 200
    assert client.post(reverse("accounts:logout")).status_code == 302
    assert "_auth_user_id" not in client.session


def test_the_admin_site_itself_refuses_an_unverified_staff_user(
    client, settings, required, admin_staff
):
    """Even without the middleware (a misconfiguration), the admin site lets in only a session
    that passed the second step."""
    app_for(admin_staff)
    settings.MIDDLEWARE = [
        m for m in settings.MIDDLEWARE if m != "lsp_portal.twofactor.middleware.TwoFactorMiddleware"
    ]
    log_in(client, admin_staff)
    response = client.get("/admin/accounts/user/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_guessed_codes_are_slowed_down_and_lock_nothing_else(client, required, staff):
    """Each wrong code doubles the wait before the next try (django-otp's throttle, counted over
    app and recovery codes together); the log-in lock (django-axes) does not count them, so an
    attacker cannot lock the owner out with codes either."""
    from axes.models import AccessAttempt

    device = app_for(staff)
    log_in(client, staff)
    url = reverse("twofactor:verify")
    start = timezone.now()
    for attempt in range(6):
        with time_machine.travel(start + datetime.timedelta(seconds=100 * attempt), tick=False):
            response = client.post(url, {"code": "000000" if attempt % 2 else "salah123"})
        assert response.status_code == 200
        assert "_auth_user_id" in client.session
    with translation.override("id"):
        from lsp_portal.twofactor.services import too_many_tries

        wait = too_many_tries(32)  # 2^5 seconds after the sixth failure
    with time_machine.travel(start + datetime.timedelta(seconds=500), tick=False):
        right = code_of(device)
        response = client.post(url, {"code": right})
    assert response.status_code == 200
    assert wait in response.content.decode()
    assert client.get("/review/").status_code == 302  # still not in
    with time_machine.travel(start + datetime.timedelta(seconds=533), tick=False):
        response = client.post(url, {"code": code_of(device)})
    assert response.status_code == 302
    assert client.get("/review/").status_code == 200
    assert AccessAttempt.objects.count() == 0


def test_a_new_log_in_needs_a_new_code(client, required, staff):
    device = app_for(staff)
    log_in(client, staff)
    assert client.post(reverse("twofactor:verify"), {"code": code_of(device)}).status_code == 302
    assert client.get("/review/").status_code == 200
    client.post(reverse("accounts:logout"))
    log_in(client, staff)
    assert client.get("/review/")["Location"].startswith(reverse("twofactor:verify"))
    # The code just used does not open the new session either (it is used up).
    response = client.post(reverse("twofactor:verify"), {"code": code_of(device)})
    assert response.status_code == 200


def test_the_password_alone_cannot_replace_the_owners_app(client, required, staff):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = app_for(staff)
    log_in(client, staff)
    response = client.get(reverse("twofactor:setup"))
    assert response["Location"].startswith(reverse("twofactor:verify"))
    response = client.post(reverse("twofactor:setup"), {"code": "123456"})
    assert response["Location"].startswith(reverse("twofactor:verify"))
    assert list(TOTPDevice.objects.filter(user=staff)) == [device]


def test_a_staff_browser_left_signed_in_is_logged_out_after_the_idle_time(client, settings, staff):
    settings.STAFF_IDLE_MINUTES = 30
    log_in(client, staff)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        assert client.get("/review/").status_code == 200
    idle = datetime.timedelta(minutes=30, seconds=1)
    with time_machine.travel(start + idle, tick=False):
        response = client.get("/review/", follow=True)
    assert response.redirect_chain, "the idle session still opened the page"
    assert response.redirect_chain[0][0].startswith(reverse("accounts:login"))
    assert "_auth_user_id" not in client.session
    with translation.override("id"):
        assert "tidak aktif" in response.content.decode()


def test_an_idle_assessor_session_ends_too_but_an_applicants_does_not(client, alice):
    assessor = make_user("asesor.idle@example.org", "Asesor Idle", Role.ASSESSOR)
    start = timezone.now()
    for user, url, ends in ((assessor, "/assessment/cases/", True), (alice, "/dashboard/", False)):
        client.logout()
        with time_machine.travel(start, tick=False):
            log_in(client, user)
            assert client.get(url).status_code == 200
        with time_machine.travel(start + datetime.timedelta(hours=3), tick=False):
            response = client.get(url)
        assert (response.status_code == 302) is ends, user
        assert ("_auth_user_id" not in client.session) is ends, user
