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


def test_a_locked_application_does_not_hold_up_other_applicants_of_its_scheme(
    alice, bob, draft, bobs_application
):
    """The lock of one application is on that row alone: while alice's is locked (a long upload,
    say), bob's application of the same scheme is saved at once. Locked together with its scheme
    (FOR UPDATE over the join), every application write of a scheme waited for every other."""
    import threading

    from django.db import connection, transaction

    locked, release, outcome = threading.Event(), threading.Event(), []

    def hold_alices():
        try:
            with transaction.atomic():
                services._lock(Application.objects.get(pk=draft.pk))
                locked.set()
                release.wait(10)
        finally:
            connection.close()

    holder = threading.Thread(target=hold_alices)
    holder.start()
    try:
        assert locked.wait(10)
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = '2s'")
            services._lock(Application.objects.get(pk=bobs_application.pk))
            outcome.append("locked at once")
    finally:
        release.set()
        holder.join(10)
    assert outcome == ["locked at once"]
