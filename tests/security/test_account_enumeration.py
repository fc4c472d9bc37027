"""Issue 12.7: nobody can learn whether an address has an account. Sign-up, the confirmation
link's resend and the password reset answer the same for every address (status, redirect, page);
what differs is in an e-mail that only the address's owner reads, sent by an outbox job after the
request. The three are rate limited per client address and per target address, alike for every
address. A new account is confirmed by a link that works once before it can be used."""

import re

import pytest
from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import ngettext

from lsp_portal.accounts import services
from lsp_portal.accounts.models import User
from lsp_portal.accounts.tokens import email_confirmation_token
from lsp_portal.outbox.models import Message
from tests.conftest import PASSWORD, ensure_seed_data, run_concurrently, run_outbox_jobs

# Counted against fixed windows: the clock stands still (tests/security/conftest.py).
pytestmark = pytest.mark.usefixtures("one_rate_limit_window")

NEW_PASSWORD = "Kuat-Sekali-2026"


def sign_up(client, email, password=NEW_PASSWORD, name="Citra Lestari"):
    return client.post(
        reverse("accounts:signup"),
        {"email": email, "full_name": name, "password1": password, "password2": password},
    )


def answer(client, response):
    """What a visitor sees: the status, where it sends them, and that page (CSRF tokens aside)."""
    location = response.get("Location")
    page = client.get(location) if location else response
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page.content.decode())
    return response.status_code, location, page.status_code, html


def from_address(ip):
    return Client(REMOTE_ADDR=ip)


def confirmation_link(message):
    return re.search(r"https?://[^/\s]+(/accounts/confirm/\S+/)", message.body).group(1)


def limit_message(language="id"):
    minutes = settings.ACCOUNT_EMAIL_LIMIT_MINUTES
    with translation.override(language):
        return ngettext(
            "Many e-mails were asked for from your address or for this e-mail address. For "
            "everyone's security, please try again in up to %(minutes)s minute.",
            "Many e-mails were asked for from your address or for this e-mail address. For "
            "everyone's security, please try again in up to %(minutes)s minutes.",
            minutes,
        ) % {"minutes": minutes}


# --- sign-up ----------------------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["alice@example.org", "ALICE@Example.ORG", " Alice@example.org "])
def test_signup_with_an_existing_address_answers_as_for_a_new_one(client, alice, typed):
    before = (alice.password, alice.full_name, User.objects.count())
    new = answer(client, sign_up(client, "citra.baru@example.org"))
    existing = answer(from_address("10.0.0.2"), sign_up(from_address("10.0.0.2"), typed))
    assert existing == new
    assert new[:3] == (302, reverse("accounts:signup_done"), 200)
    assert "sudah terdaftar" not in existing[3] and "already exists" not in existing[3]
    # Nothing was created or changed for alice's address.
    alice.refresh_from_db()
    assert (alice.password, alice.full_name, User.objects.count()) == (
        before[0],
        before[1],
        before[2] + 1,  # citra's new account
    )
    # No e-mail inside either request; after the jobs: citra's link, and a note to alice.
    assert mail.outbox == []
    run_outbox_jobs()
    to = {message.to[0]: message for message in mail.outbox}
    assert set(to) == {"citra.baru@example.org", "alice@example.org"}
    assert "/accounts/confirm/" in to["citra.baru@example.org"].body
    note = to["alice@example.org"]
    assert note.subject == "Seseorang mencoba mendaftar dengan alamat email Anda"
    assert "/accounts/confirm/" not in note.body
    assert "/accounts/password-reset/" in note.body


def test_signup_does_the_same_work_for_a_new_and_an_existing_address(client, alice, monkeypatch):
    """The password is hashed (the slow part) and one outbox job is recorded either way."""
    hashed = []
    real = services.make_password
    monkeypatch.setattr(services, "make_password", lambda raw: hashed.append(raw) or real(raw))
    sign_up(client, "citra.baru@example.org")
    sign_up(client, "alice@example.org", password="Lain-Sekali-2026")
    assert hashed == [NEW_PASSWORD, "Lain-Sekali-2026"]
    assert sorted(Message.objects.values_list("task", "args")) == [
        ("lsp_portal.accounts.tasks.send_confirmation_link", ["citra.baru@example.org", "id"]),
        ("lsp_portal.accounts.tasks.send_signup_notice", ["alice@example.org", "id"]),
    ]


def test_a_refused_signup_looks_the_same_for_a_new_and_an_existing_address(client, alice):
    """Form errors never mention the address: the model's unique e-mail is not checked by the
    form (a ModelForm would say "already exists")."""
    new = answer(client, sign_up(client, "citra.baru@example.org", password="pendek"))
    existing = answer(client, sign_up(client, "alice@example.org", password="pendek"))
    assert existing[:3] == new[:3] == (200, None, 200)
    assert existing[3].replace("alice@example.org", "X") == new[3].replace(
        "citra.baru@example.org", "X"
    )
    assert not User.objects.filter(email="citra.baru@example.org").exists()


@pytest.mark.django_db(transaction=True)
def test_two_signups_for_one_address_at_once_make_one_account(monkeypatch):
    """Both requests looked the address up before either created it (forced here): the
    database's unique index lets one create the account, the other becomes the "existing
    address" case; both answer alike."""
    ensure_seed_data()
    monkeypatch.setattr(services, "_existing_account", lambda email: None)

    def one():
        services.sign_up(services.SignUpInput("Kembar@example.org", "Kembar", NEW_PASSWORD, "id"))

    assert run_concurrently(one, one) == ["ok", "ok"]
    assert User.objects.filter(email__iexact="kembar@example.org").count() == 1
    assert sorted(Message.objects.values_list("task", flat=True)) == [
        "lsp_portal.accounts.tasks.send_confirmation_link",
        "lsp_portal.accounts.tasks.send_signup_notice",
    ]


# --- confirmation -----------------------------------------------------------------------------


def test_an_unconfirmed_account_cannot_use_the_portal(client, db):
    sign_up(client, "citra.baru@example.org")
    response = client.post(
        reverse("accounts:login"), {"username": "citra.baru@example.org", "password": NEW_PASSWORD}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-testid="unconfirmed"' in page
    assert reverse("accounts:confirmation_resend") + "?email=citra.baru%40example.org" in page
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("dashboard")).url.startswith(reverse("accounts:login"))
    # A wrong password says only that the e-mail or password is wrong (no hint of the account).
    wrong = client.post(
        reverse("accounts:login"), {"username": "citra.baru@example.org", "password": "salah"}
    )
    assert 'data-testid="unconfirmed"' not in wrong.content.decode()


def test_a_confirmation_link_works_once(client, db):
    sign_up(client, "citra.baru@example.org")
    run_outbox_jobs()
    link = confirmation_link(mail.outbox[0])
    # Opening it (or a mail scanner fetching it) only shows the button.
    assert client.get(link).status_code == 200
    assert 'data-testid="confirm-email"' in client.get(link).content.decode()
    assert client.post(link).url == reverse("dashboard")
    assert client.get(reverse("dashboard")).status_code == 200
    client.logout()
    for method in (client.get, client.post):
        again = method(link)
        assert again.status_code == 200
        assert 'data-testid="invalid-link"' in again.content.decode()
        assert "_auth_user_id" not in client.session
    assert User.objects.get(email="citra.baru@example.org").email_confirmed_at is not None


def test_a_reset_token_does_not_confirm_and_a_confirmation_token_does_not_reset(client, db):
    sign_up(client, "citra.baru@example.org")
    user = User.objects.get(email="citra.baru@example.org")
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    reset_token = default_token_generator.make_token(user)
    confirm_token = email_confirmation_token.make_token(user)
    assert email_confirmation_token.check_token(user, confirm_token)
    assert not email_confirmation_token.check_token(user, reset_token)
    assert not default_token_generator.check_token(user, confirm_token)
    page = client.post(reverse("accounts:confirm_email", args=[uid, reset_token]))
    assert 'data-testid="invalid-link"' in page.content.decode()
    user.refresh_from_db()
    assert user.email_confirmed_at is None


def test_the_link_can_be_sent_again_and_the_resend_answers_alike_for_any_address(client, alice):
    sign_up(client, "citra.baru@example.org")
    answers = {
        email: answer(
            client, client.post(reverse("accounts:confirmation_resend"), {"email": email})
        )
        for email in ("citra.baru@example.org", "alice@example.org", "nobody@example.org")
    }
    assert len(set(answers.values())) == 1
    assert next(iter(answers.values()))[:3] == (
        302,
        reverse("accounts:confirmation_resend_done"),
        200,
    )
    assert mail.outbox == []
    run_outbox_jobs()
    # The sign-up's link and the resent one, both to citra; nothing to alice (confirmed) or nobody.
    assert [m.to for m in mail.outbox] == [["citra.baru@example.org"]] * 2
    client.post(confirmation_link(mail.outbox[1]))
    assert client.get(reverse("dashboard")).status_code == 200


def test_a_password_set_through_a_reset_link_confirms_the_address(client, db):
    """Someone signed up with citra's address and a password of their own; citra resets it by
    e-mail: her address is confirmed and the other person's password is gone."""
    sign_up(from_address("10.9.9.9"), "citra.baru@example.org", password="Milik-Orang-Lain-1")
    client.post(reverse("accounts:password_reset"), {"email": "citra.baru@example.org"})
    run_outbox_jobs()
    reset = next(m for m in mail.outbox if "/accounts/reset/" in m.body)
    link = re.search(r"https?://[^/\s]+(/accounts/reset/\S+/)", reset.body).group(1)
    form_url = client.get(link, follow=True).redirect_chain[-1][0]
    client.post(form_url, {"new_password1": PASSWORD, "new_password2": PASSWORD})
    user = User.objects.get(email="citra.baru@example.org")
    assert user.email_confirmed_at is not None
    assert not user.check_password("Milik-Orang-Lain-1")
    response = client.post(
        reverse("accounts:login"), {"username": "citra.baru@example.org", "password": PASSWORD}
    )
    assert response.status_code == 302


# --- password reset ---------------------------------------------------------------------------


def test_password_reset_answers_alike_and_sends_nothing_inside_the_request(client, alice):
    unknown = answer(
        client, client.post(reverse("accounts:password_reset"), {"email": "nobody@example.org"})
    )
    known = answer(
        client, client.post(reverse("accounts:password_reset"), {"email": "Alice@Example.org"})
    )
    assert known == unknown
    assert known[:3] == (302, reverse("accounts:password_reset_done"), 200)
    assert mail.outbox == []
    assert sorted(Message.objects.values_list("task", "args")) == [
        ("lsp_portal.accounts.tasks.send_password_reset", ["alice@example.org", "id"]),
        ("lsp_portal.accounts.tasks.send_password_reset", ["nobody@example.org", "id"]),
    ]
    run_outbox_jobs()
    assert [m.to for m in mail.outbox] == [["alice@example.org"]]
    assert "/accounts/reset/" in mail.outbox[0].body


def test_the_reset_email_is_in_the_language_it_was_asked_in(client, alice):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.post(reverse("accounts:password_reset"), {"email": "alice@example.org"})
    run_outbox_jobs()
    assert mail.outbox[0].subject == "Reset your LSP Portal password"


# --- rate limits ------------------------------------------------------------------------------


@pytest.mark.parametrize("target", ["alice@example.org", "nobody@example.org"])
def test_requests_for_one_address_are_limited_alike_whether_it_has_an_account(alice, target):
    """Sign-up, resend and reset share the per-target count; each request from another client
    address, so only the per-target limit applies; an account or none, the same answers."""
    limit = settings.ACCOUNT_EMAIL_LIMIT_PER_TARGET
    requests = [
        (reverse("accounts:signup"), {"full_name": "X", "password1": NEW_PASSWORD}),
        (reverse("accounts:confirmation_resend"), {}),
        (reverse("accounts:password_reset"), {}),
    ]
    codes = []
    for i in range(limit + 1):
        url, extra = requests[i % 3]
        data = {"email": target.upper(), **extra}
        if "password1" in data:
            data["password2"] = data["password1"]
        codes.append(from_address(f"10.0.1.{i}").post(url, data).status_code)
    assert codes == [302] * limit + [429]
    refused = from_address("10.0.2.1").post(reverse("accounts:password_reset"), {"email": target})
    assert refused.status_code == 429
    assert limit_message() in refused.content.decode()
    # Another address is not affected.
    other = from_address("10.0.2.2").post(
        reverse("accounts:password_reset"), {"email": "bob@example.org"}
    )
    assert other.status_code == 302


def test_requests_from_one_client_address_are_limited(client, db):
    limit = settings.ACCOUNT_EMAIL_LIMIT_PER_CLIENT
    codes = [
        client.post(reverse("accounts:password_reset"), {"email": f"orang{i}@example.org"})
        for i in range(limit + 1)
    ]
    assert [r.status_code for r in codes] == [302] * limit + [429]
    signup = sign_up(client, "citra.baru@example.org")
    assert signup.status_code == 429
    assert not User.objects.filter(email="citra.baru@example.org").exists()
    assert Message.objects.count() == limit  # the refused requests recorded no job
    assert (
        from_address("10.0.3.1")
        .post(reverse("accounts:password_reset"), {"email": "orang0@example.org"})
        .status_code
        == 302
    )


def test_the_limit_page_is_in_english_when_chosen(client, db):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    for _ in range(settings.ACCOUNT_EMAIL_LIMIT_PER_TARGET + 1):
        response = client.post(reverse("accounts:password_reset"), {"email": "x@example.org"})
    assert response.status_code == 429
    assert limit_message("en") in response.content.decode()
