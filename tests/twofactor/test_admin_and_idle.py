"""A lost phone: the superuser removes the devices in the admin site (audited, the owner told);
nobody else sees them there and no one can add or edit one. Idle staff sessions end after
STAFF_IDLE_MINUTES; activity keeps them; other roles keep Django's session age."""

import datetime

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from lsp_portal.accounts.models import User
from lsp_portal.accounts.roles import Role
from lsp_portal.audit.models import AuditEvent
from tests.conftest import PASSWORD
from tests.twofactor.helpers import app_for, pass_second_step


@pytest.fixture
def superuser(db):
    return User.objects.create_superuser(
        email="root@example.org", password=PASSWORD, full_name="Root"
    )


def test_the_superuser_removes_a_lost_device_in_the_admin_audited_and_mailed(
    client, superuser, staff, celery_eager, django_capture_on_commit_callbacks
):
    device = app_for(staff)
    client.force_login(superuser)
    url = reverse("admin:otp_totp_totpdevice_delete", args=[device.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"post": "yes"})
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=staff).exists()
    event = AuditEvent.objects.for_object(staff).get(action="twofactor.reset")
    assert (event.actor, event.data) == (superuser, {"removed": ["totpdevice"]})
    (message,) = mail.outbox
    assert message.to == [staff.email]


def test_removing_many_devices_at_once_is_audited_per_user(client, superuser, staff, director):
    app_for(staff)
    app_for(director)
    client.force_login(superuser)
    response = client.post(
        reverse("admin:otp_static_staticdevice_changelist"),
        {
            "action": "delete_selected",
            "_selected_action": list(StaticDevice.objects.values_list("pk", flat=True)),
            "post": "yes",
        },
    )
    assert response.status_code == 302
    assert not StaticDevice.objects.exists()
    assert TOTPDevice.objects.count() == 2
    events = AuditEvent.objects.filter(action="twofactor.reset")
    assert sorted(e.object_id for e in events) == sorted([str(staff.pk), str(director.pk)])


def test_the_admin_never_shows_a_secret_nor_lets_a_device_be_added_or_edited(
    client, superuser, staff
):
    device = app_for(staff)
    client.force_login(superuser)
    page = client.get(reverse("admin:otp_totp_totpdevice_change", args=[device.pk]))
    assert page.status_code == 200
    assert device.key not in page.content.decode()
    assert client.get(reverse("admin:otp_totp_totpdevice_add")).status_code == 403
    for code in ("kode0000", "kode0009"):
        spare = StaticDevice.objects.get(user=staff)
        page = client.get(reverse("admin:otp_static_staticdevice_change", args=[spare.pk]))
        assert code not in page.content.decode()
    qr = client.get(reverse("admin:otp_totp_totpdevice_qrcode", args=[device.pk]))
    assert qr.status_code == 403


def test_staff_with_the_admin_site_do_not_see_the_devices(client, staff):
    staff.is_staff = True
    staff.save(update_fields=["is_staff"])
    client.force_login(staff)
    device = pass_second_step(client, staff)
    url = reverse("admin:otp_totp_totpdevice_change", args=[device.pk])
    assert client.get(url).status_code == 403
    assert (
        client.post(reverse("admin:otp_totp_totpdevice_delete", args=[device.pk])).status_code
        == 403
    )
    assert TOTPDevice.objects.filter(pk=device.pk).exists()


def visit(client, url, at):
    with time_machine.travel(at, tick=False):
        return client.get(url)


def test_activity_keeps_a_staff_session_and_idleness_ends_it_with_a_message(
    client, staff, settings
):
    settings.STAFF_IDLE_MINUTES = 30
    queue = reverse("registration:review_queue")
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client.force_login(staff)
    for minutes in (20, 40, 60, 89):  # never 30 minutes apart
        assert visit(client, queue, start + datetime.timedelta(minutes=minutes)).status_code == 200
    response = visit(client, queue, start + datetime.timedelta(minutes=120))
    assert response["Location"] == reverse("accounts:login") + "?next=/review/"
    page = client.get(response["Location"]).content.decode()
    assert "30 menit" in page


def test_a_post_after_the_idle_time_changes_nothing_and_asks_to_log_in(
    client, staff, settings, submitted
):
    settings.STAFF_IDLE_MINUTES = 15
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client.force_login(staff)
    url = reverse("registration:review_decide", args=[submitted.pk])
    data = {"decision": "reject", "note": "Transkrip tidak terbaca."}
    later = start + datetime.timedelta(minutes=16)
    with time_machine.travel(later, tick=False):
        response = client.post(url, data)
    assert response["Location"] == reverse("accounts:login")
    submitted.refresh_from_db()
    assert submitted.status == "submitted"
    with time_machine.travel(later, tick=False):  # logged in again, the same POST works
        client.force_login(staff)
        client.post(url, data)
    submitted.refresh_from_db()
    assert submitted.status == "rejected"


def test_idle_roles_and_minutes_are_settings(client, staff, alice, settings):
    start = timezone.now()
    settings.STAFF_IDLE_ROLES = [Role.APPLICANT]
    with time_machine.travel(start, tick=False):
        client.force_login(alice)
    assert (
        visit(client, reverse("dashboard"), start + datetime.timedelta(hours=1)).status_code == 302
    )
    settings.STAFF_IDLE_MINUTES = 0  # never
    with time_machine.travel(start, tick=False):
        client.force_login(alice)
    assert (
        visit(client, reverse("dashboard"), start + datetime.timedelta(days=1)).status_code == 200
    )


def test_a_misspelt_role_in_the_settings_is_a_system_check_error(db, settings):
    from lsp_portal.twofactor.apps import check_role_settings

    assert check_role_settings() == []
    settings.TWO_FACTOR_ROLES = ["Admin LSP", "Direktor LSP"]
    (error,) = check_role_settings()
    assert "Direktor LSP" in error.msg
    assert Group.objects.filter(name="Direktur LSP").exists()
