"""Sign-up, login, logout, password reset and the language switch."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse

from lsp_portal.accounts.roles import Role
from lsp_portal.audit.models import AuditEvent
from tests.conftest import PASSWORD, run_outbox_jobs

User = get_user_model()


def signup(client, email="citra@example.org", password="Kuat-Sekali-2026"):
    return client.post(
        reverse("accounts:signup"),
        {
            "email": email,
            "full_name": "Citra Lestari",
            "password1": password,
            "password2": password,
        },
    )


def confirmation_link(message):
    return re.search(r"https?://[^/\s]+(/accounts/confirm/\S+/)", message.body).group(1)


def test_signup_creates_an_unconfirmed_applicant_and_emails_the_link(client, db):
    response = signup(client)
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:signup_done")
    user = User.objects.get(email="citra@example.org")
    assert user.has_role(Role.APPLICANT)
    assert user.email_confirmed_at is None
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.for_object(user).filter(action="account.signed_up").exists()
    assert mail.outbox == []  # sent by the outbox job, after the request
    assert run_outbox_jobs() == ["lsp_portal.accounts.tasks.send_confirmation_link"]
    assert [m.to for m in mail.outbox] == [["citra@example.org"]]

    link = confirmation_link(mail.outbox[0])
    assert client.get(link).status_code == 200
    assert client.post(link).url == reverse("dashboard")
    assert client.get(reverse("dashboard")).status_code == 200
    user.refresh_from_db()
    assert user.email_confirmed_at is not None
    assert AuditEvent.objects.for_object(user).filter(action="account.email_confirmed").exists()


def test_email_is_unique_whatever_its_case(client, alice):
    response = signup(client, email="ALICE@Example.org")
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:signup_done")
    assert User.objects.filter(email__iexact="alice@example.org").count() == 1


def test_weak_password_is_refused(client, db):
    response = signup(client, password="12345678")
    assert response.status_code == 200
    assert not User.objects.filter(email="citra@example.org").exists()


def test_login_with_email_and_logout(client, alice):
    response = client.post(
        reverse("accounts:login"), {"username": "alice@example.org", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("dashboard")
    assert client.post(reverse("accounts:logout")).status_code == 302
    assert client.get(reverse("dashboard")).status_code == 302


def test_wrong_password_shows_a_message(client, alice):
    response = client.post(
        reverse("accounts:login"), {"username": "alice@example.org", "password": "salah"}
    )
    assert response.status_code == 200
    assert "email" in response.content.decode().lower()
    assert "_auth_user_id" not in client.session


def test_password_reset_by_email(client, alice):
    response = client.post(reverse("accounts:password_reset"), {"email": "alice@example.org"})
    assert response.status_code == 302
    assert mail.outbox == []
    run_outbox_jobs()
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^/\s]+(/accounts/reset/\S+/)", mail.outbox[0].body).group(1)
    response = client.get(link, follow=True)
    form_url = response.redirect_chain[-1][0]
    response = client.post(
        form_url, {"new_password1": "Baru-Sekali-2026", "new_password2": "Baru-Sekali-2026"}
    )
    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.check_password("Baru-Sekali-2026")


@pytest.mark.parametrize("language,text", [("id", "Masuk"), ("en", "Log in")])
def test_language_switch(client, db, language, text):
    client.post(reverse("set_language"), {"language": language, "next": "/"})
    response = client.get(reverse("accounts:login"))
    assert f'<html lang="{language}">' in response.content.decode()
    assert text in response.content.decode()


def test_indonesian_is_the_default_language(client, db):
    response = client.get("/")
    assert '<html lang="id">' in response.content.decode()


def test_an_english_browser_still_gets_indonesian_until_the_user_switches(client, db):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert '<html lang="id">' in response.content.decode()
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="id")
    assert '<html lang="en">' in response.content.decode()


def test_role_names_are_cached_and_forgotten_when_groups_change(
    db, django_assert_num_queries, settings
):
    from django.contrib.auth.models import Group

    from lsp_portal.accounts.models import User
    from lsp_portal.accounts.roles import Role
    from tests.conftest import make_user

    settings.ROLE_CACHE_SECONDS = 300
    user = make_user("peran@example.org", "Peran Uji", Role.APPLICANT)

    def fresh():
        return User.objects.get(pk=user.pk)

    assert fresh().has_role(Role.APPLICANT)
    cached = fresh()
    with django_assert_num_queries(0):
        assert cached.has_role(Role.APPLICANT) and not cached.has_role(Role.STAFF)

    staff = Group.objects.get(name=Role.STAFF)
    user.groups.add(staff)
    assert fresh().has_role(Role.STAFF)
    staff.user_set.remove(user)
    assert not fresh().has_role(Role.STAFF)
    staff.user_set.add(user)
    assert fresh().has_role(Role.STAFF)
    staff.user_set.clear()
    assert not fresh().has_role(Role.STAFF)
    user.groups.clear()
    assert fresh().role_names == frozenset()


def test_an_account_staff_add_in_the_admin_is_confirmed(client, db):
    """Staff vouch for the address of an account they make (issue 12.7): it can log in at once."""
    admin = User.objects.create_superuser("root@example.org", PASSWORD, full_name="Root")
    client.force_login(admin)
    response = client.post(
        reverse("admin:accounts_user_add"),
        {
            "email": "asesor.baru@example.org",
            "full_name": "Asesor Baru",
            "password1": "Kuat-Sekali-2026",
            "password2": "Kuat-Sekali-2026",
            "usable_password": "true",
        },
    )
    assert response.status_code == 302
    user = User.objects.get(email="asesor.baru@example.org")
    assert user.email_confirmed_at is not None
    client.logout()
    login = client.post(
        reverse("accounts:login"),
        {"username": "asesor.baru@example.org", "password": "Kuat-Sekali-2026"},
    )
    assert login.status_code == 302
