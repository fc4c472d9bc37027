"""Two staff members deciding the same application at the same moment: one wins, one is refused.

Runs on PostgreSQL with two real connections (threads); the row lock in the service serialises them.
"""

import pytest

from lsp_portal.audit.models import AuditEvent
from registration import services
from registration.models import Application
from tests.conftest import make_user, run_concurrently

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_decisions_at_once_give_one_change(alice, submitted):
    from lsp_portal.accounts.roles import Role

    staff_a = make_user("a@example.org", "Staf A", Role.STAFF)
    staff_b = make_user("b@example.org", "Staf B", Role.STAFF)
    outcomes = run_concurrently(
        lambda: services.confirm_eligible(staff_a, Application.objects.get(pk=submitted.pk)),
        lambda: services.reject(staff_b, Application.objects.get(pk=submitted.pk), reason="Tidak"),
    )
    assert outcomes == ["ok", "refused"]
    decisions = AuditEvent.objects.for_object(submitted).filter(
        action__in=["application.eligible", "application.rejected"]
    )
    assert decisions.count() == 1
    assert Application.objects.get(pk=submitted.pk).status == decisions.get().to_status


def test_double_submit_at_once_submits_once(alice, complete_draft):
    outcomes = run_concurrently(
        lambda: services.submit(alice, Application.objects.get(pk=complete_draft.pk), agreed=True),
        lambda: services.submit(alice, Application.objects.get(pk=complete_draft.pk), agreed=True),
    )
    assert outcomes == ["ok", "refused"]
    application = Application.objects.get(pk=complete_draft.pk)
    assert application.submission_count == 1
    assert (
        AuditEvent.objects.for_object(application).filter(action="application.submitted").count()
        == 1
    )
