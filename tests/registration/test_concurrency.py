"""Two staff members deciding the same application at the same moment: one wins, one is refused.

Runs on PostgreSQL with two real connections (threads); the row lock in the service serialises them.
"""

import threading

import pytest
from django.db import connection

from lsp_portal.audit.models import AuditEvent
from lsp_portal.errors import RuleError
from registration import services
from registration.models import Application
from tests.conftest import make_user

pytestmark = pytest.mark.django_db(transaction=True)


def run_concurrently(*calls):
    barrier = threading.Barrier(len(calls))
    outcomes = [None] * len(calls)

    def worker(index, call):
        try:
            barrier.wait()
            call()
            outcomes[index] = "ok"
        except RuleError:
            outcomes[index] = "refused"
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return sorted(outcomes)


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
