"""Log-in throttling, password rules and the security headers: repeated failed log-ins lock the
account (and the address + browser) for a while with a clear message; weak passwords are refused;
every page sends a Content-Security-Policy without inline script, frame denial, nosniff and a
referrer policy; production settings pass `check --deploy` and send HSTS and secure cookies."""

import datetime
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.translation import ngettext

from lsp_portal.accounts.models import User
from lsp_portal.accounts.roles import Role
from tests.conftest import PASSWORD, make_user

ROOT = Path(__file__).resolve().parents[2]
BROWSER = "Mozilla/5.0 (X11; Linux x86_64) Chrome/156.0 Safari/537.36"


def attempt(client, email, password, *, agent=BROWSER):
    return client.post(
        reverse("accounts:login"),
        {"username": email, "password": password},
        HTTP_USER_AGENT=agent,
    )


def logged_in(client):
    return "_auth_user_id" in client.session


def address_lockout_message():
    with translation.override("id"):
        return ngettext(
            "Too many failed log-ins came from your network address. For your security, logging "
            "in from it is blocked for %(minutes)s minute.",
            "Too many failed log-ins came from your network address. For your security, logging "
            "in from it is blocked for %(minutes)s minutes.",
            15,
        ) % {"minutes": 15}


def lockout_message():
    with translation.override("id"):
        return ngettext(
            "There were %(failure_limit)s failed log-in attempts. For your security, logging in "
            "is blocked for %(minutes)s minute.",
            "There were %(failure_limit)s failed log-in attempts. For your security, logging in "
            "is blocked for %(minutes)s minutes.",
            15,
        ) % {"failure_limit": 5, "minutes": 15}


def test_five_failures_lock_the_account_even_for_the_right_password(client, alice):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = attempt(client, alice.email, "salah-sandi")
        assert response.status_code == 200  # the form again, with its error
    # The fifth failure, typed in another case, counts against the same account.
    locked = attempt(client, alice.email.upper(), "salah-sandi")
    assert locked.status_code == 429
    assert lockout_message() in locked.content.decode()

    response = attempt(client, alice.email, PASSWORD)
    assert response.status_code == 429
    assert not logged_in(client)


def test_the_lock_ends_after_the_cool_off(client, alice):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, alice.email, "salah-sandi")
    assert attempt(client, alice.email, PASSWORD).status_code == 429
    later = timezone.now() + settings.AXES_COOLOFF_TIME + datetime.timedelta(minutes=1)
    with time_machine.travel(later):
        response = attempt(client, alice.email, PASSWORD)
    assert response.status_code == 302
    assert logged_in(client)


def test_a_success_before_the_limit_resets_the_count(client, alice):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        attempt(client, alice.email, "salah-sandi")
    assert attempt(client, alice.email, PASSWORD).status_code == 302
    client.logout()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        attempt(client, alice.email, "salah-sandi")
    assert attempt(client, alice.email, PASSWORD).status_code == 302


def test_spraying_many_accounts_from_one_browser_locks_that_browser(client, alice, bob):
    """Five failures spread over accounts (none locked by itself) lock the address + browser;
    another student behind the same campus address, with another browser, is not locked."""
    others = [f"tebakan{i}@example.org" for i in range(settings.AXES_FAILURE_LIMIT)]
    for email in others:
        attempt(client, email, "salah-sandi")
    assert attempt(client, bob.email, PASSWORD).status_code == 429
    other_browser = "Mozilla/5.0 (Macintosh) Firefox/140.0"
    assert attempt(client, bob.email, PASSWORD, agent=other_browser).status_code == 302


def test_logging_in_to_ones_own_account_does_not_wipe_the_guesses_at_another(client, alice, bob):
    """Issue 12.1: the attacker (bob, from one browser) guesses alice's password 4 times, logs in
    to his own account, and repeats. Each of his successes may clear only his own failures: alice's
    account locks, and her real password is then refused, also from her own address and browser."""
    for _round in range(4):
        for _ in range(settings.AXES_FAILURE_LIMIT - 1):
            attempt(client, alice.email, "tebakan-sandi")
        attempt(client, bob.email, PASSWORD)
        client.logout()
    victim = Client(REMOTE_ADDR="10.20.30.40")
    response = attempt(victim, alice.email, PASSWORD, agent="Mozilla/5.0 (Android) Firefox/141.0")
    assert response.status_code == 429
    assert not logged_in(victim)


def test_a_success_clears_the_failures_of_that_account_only(client, alice, bob):
    """Failures against bob from this browser, then alice logs in from it: bob's count stays, so
    his next failure from anywhere locks his account."""
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        attempt(client, bob.email, "salah-sandi")
    assert attempt(client, alice.email, PASSWORD).status_code == 302
    client.logout()
    elsewhere = Client(REMOTE_ADDR="10.20.30.41")
    assert attempt(elsewhere, bob.email, "salah-lagi", agent="Other/1.0").status_code == 429
    assert attempt(elsewhere, bob.email, PASSWORD, agent="Other/1.0").status_code == 429


def test_spraying_with_a_new_browser_each_time_locks_the_address(client, alice, bob):
    """Issue 12.1: one guess per account, each with another User-Agent, escapes the address +
    browser lock; the address lock stops it at LOGIN_ADDRESS_FAILURE_LIMIT, for every account
    and browser from that address, and not for other addresses."""
    limit = settings.LOGIN_ADDRESS_FAILURE_LIMIT
    assert limit > settings.AXES_FAILURE_LIMIT
    for i in range(limit - 1):
        response = attempt(client, f"korban{i}@example.org", "Rahasia123", agent=f"Spray/{i}")
        assert response.status_code == 200, i
    assert attempt(client, "korban-akhir@example.org", "x", agent="Spray/last").status_code == 429
    assert attempt(client, bob.email, PASSWORD, agent="Fresh/1.0").status_code == 429
    assert not logged_in(client)
    page = attempt(client, bob.email, PASSWORD, agent="Fresh/2.0").content.decode()
    assert escape(address_lockout_message()) in page
    other = Client(REMOTE_ADDR="10.20.30.42")
    assert attempt(other, alice.email, PASSWORD).status_code == 302


def test_a_campus_behind_one_address_is_not_locked_by_mistyped_passwords(client, db):
    """40 students behind one NAT address, each with their own browser, each mistype their
    password once, then log in: nobody is locked out (40 failures < the address limit; each
    address + browser saw one)."""
    students = [
        make_user(f"mahasiswa{i}@example.org", f"Mahasiswa {i}", Role.APPLICANT) for i in range(40)
    ]
    assert len(students) < settings.LOGIN_ADDRESS_FAILURE_LIMIT
    browsers = {s.pk: (Client(REMOTE_ADDR="127.0.0.1"), f"Campus/{s.pk}") for s in students}
    for student in students:
        browser, agent = browsers[student.pk]
        assert attempt(browser, student.email, "salah-ketik", agent=agent).status_code == 200
    for student in students:
        browser, agent = browsers[student.pk]
        assert attempt(browser, student.email, PASSWORD, agent=agent).status_code == 302


def test_the_lockout_page_is_in_english_when_chosen(client, alice):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = attempt(client, alice.email, "wrong")
    assert response.status_code == 429
    assert "logging in is blocked for 15 minutes" in response.content.decode()


@pytest.mark.parametrize("password", ["pendek1", "password123", "8402917365", "budi.baru@example"])
def test_weak_passwords_are_refused_at_signup(client, db, password):
    """Too short, too common, all digits, too like the e-mail address: each refused with Django's
    validator's message, in Indonesian."""
    response = client.post(
        reverse("accounts:signup"),
        {
            "email": "budi.baru@example.org",
            "full_name": "Budi Baru",
            "password1": password,
            "password2": password,
        },
    )
    assert response.status_code == 200
    with translation.override("id"):
        with pytest.raises(ValidationError) as refused:
            validate_password(password, User(email="budi.baru@example.org", full_name="Budi Baru"))
        messages = refused.value.messages
    assert messages
    page = response.content.decode()
    for message in messages:
        assert escape(message) in page
    assert not User.objects.filter(email="budi.baru@example.org").exists()


def test_every_page_sends_the_security_headers(client, alice):
    client.force_login(alice)
    for url in (reverse("home"), reverse("dashboard"), reverse("certificates:verify")):
        response = client.get(url)
        policy = dict(
            part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";")
        )
        assert policy["script-src"] == "'self'"
        assert policy["style-src"] == "'self'"
        assert policy["object-src"] == "'none'"
        assert policy["frame-ancestors"] == "'none'"
        assert "unsafe" not in response["Content-Security-Policy"]
        assert response["X-Frame-Options"] == "DENY"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Referrer-Policy"] == "same-origin"


def test_no_template_has_inline_script_or_style():
    """The policy forbids them; a template that adds one breaks its page (PDF and e-mail
    templates are not served to browsers)."""
    offenders = []
    for path in (ROOT / "templates").rglob("*.html"):
        if {"pdf", "email"} & set(path.parts):
            continue
        text = path.read_text()
        if "style=" in text or "<style" in text or " on" in text and "onclick=" in text:
            offenders.append(str(path))
        for line in text.splitlines():
            if "<script" in line and "src=" not in line:
                offenders.append(f"{path}: {line.strip()}")
    assert offenders == []


def production(script, database, static_root):
    """Run `script` under the production settings (DEBUG=0) in a fresh interpreter."""
    env = {
        "STATIC_ROOT": str(static_root),
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": "x9!" * 20 + "production-like-secret-key-for-the-check",
        "ALLOWED_HOSTS": "lsp.example.org",
        "DATABASE_URL": database,
        "DJANGO_SETTINGS_MODULE": "lsp_portal.settings",
    }
    env.pop("REDIS_URL", None)
    # The browser tests set it for their own process; it must not reach a "production" one.
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    return subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True
    )


@pytest.fixture
def database_url(db):
    db_settings = connection.settings_dict
    return "postgres://{USER}@{HOST}:{PORT}/{NAME}".format(
        **{
            **db_settings,
            "HOST": db_settings["HOST"] or "127.0.0.1",
            "PORT": db_settings["PORT"] or 5432,
        }
    )


def test_check_deploy_with_production_settings_finds_nothing(database_url, tmp_path):
    result = production(
        "import django; django.setup(); from django.core.management import call_command; "
        "call_command('check', deploy=True, fail_level='WARNING')",
        database_url,
        tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert result.stdout.strip() == "System check identified no issues (0 silenced)."


def test_production_sends_hsts_and_secure_cookies(database_url, tmp_path):
    result = production(
        "import json, django; django.setup(); from django.test import Client; "
        "from django.core.management import call_command; "
        "call_command('collectstatic', interactive=False, verbosity=0); "
        "r = Client().get('/accounts/login/', secure=True, HTTP_HOST='lsp.example.org'); "
        "plain = Client().get('/', HTTP_HOST='lsp.example.org'); "
        "from django.conf import settings as s; "
        "print(json.dumps({'status': r.status_code, 'headers': dict(r.headers), "
        "'cookie': r.cookies['csrftoken'].OutputString(), 'plain': plain.status_code, "
        "'plain_location': plain.headers.get('Location'), "
        "'session_secure': s.SESSION_COOKIE_SECURE, "
        "'session_httponly': s.SESSION_COOKIE_HTTPONLY}))",
        database_url,
        tmp_path,
    )
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout.strip().splitlines()[-1])
    assert found["status"] == 200
    assert found["headers"]["Strict-Transport-Security"].startswith("max-age=31536000")
    assert "includeSubDomains" in found["headers"]["Strict-Transport-Security"]
    assert "script-src 'self'" in found["headers"]["Content-Security-Policy"]
    assert "Secure" in found["cookie"]
    assert found["session_secure"] is True
    assert found["session_httponly"] is True
    # Plain http is sent to https.
    assert found["plain"] == 301
    assert found["plain_location"] == "https://lsp.example.org/"
