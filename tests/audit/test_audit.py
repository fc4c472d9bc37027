"""The audit trail is append-only and shown to staff on each case and in the admin."""

import pytest
from django.urls import reverse

from lsp_portal.audit.models import AuditEvent


def test_events_cannot_be_changed_or_deleted(submitted):
    event = AuditEvent.objects.for_object(submitted).first()
    event.reason = "rewritten"
    with pytest.raises(TypeError):
        event.save()
    with pytest.raises(TypeError):
        event.delete()
    with pytest.raises(TypeError):
        AuditEvent.objects.all().update(reason="x")
    with pytest.raises(TypeError):
        AuditEvent.objects.all().delete()


def test_staff_see_events_in_the_admin_read_only(login, staff, submitted):
    staff.is_staff = True
    staff.save()
    client = login(staff)
    response = client.get(reverse("admin:audit_auditevent_changelist"))
    assert response.status_code == 200
    assert submitted.reference in response.content.decode()
    event = AuditEvent.objects.first()
    response = client.get(reverse("admin:audit_auditevent_change", args=[event.pk]))
    assert response.status_code == 200
    assert 'name="_save"' not in response.content.decode()
    assert client.post(reverse("admin:audit_auditevent_delete", args=[event.pk])).status_code == 403


def test_applicant_cannot_open_the_admin(login, alice):
    response = login(alice).get(reverse("admin:audit_auditevent_changelist"))
    assert response.status_code == 302
