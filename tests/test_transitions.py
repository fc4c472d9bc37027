"""lsp_portal.transitions: the one function that applies a declared status change - it refuses a
status that is not a source (changing nothing), saves only the status and the fields it is given,
records one audit event with from/to, and commits or rolls back with the caller's transaction.
Exercised on an application (registration) and an assessment, whose tables are real."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from lsp_portal import transitions
from lsp_portal.audit.models import AuditEvent
from lsp_portal.errors import RuleError
from lsp_portal.transitions import Transition, Transitions
from registration.models import Application

pytestmark = pytest.mark.django_db

Status = Application.Status


def locked(application):
    return Application.objects.select_for_update().get(pk=application.pk)


def events(obj, action):
    return AuditEvent.objects.for_object(obj).filter(action=action)


def test_a_status_that_is_not_a_source_is_refused_in_the_users_language(staff, draft):
    with translation.override("id"), pytest.raises(RuleError) as refused:
        transitions.apply(staff, locked(draft), "application.eligible")
    with translation.override("id"):
        expected = translation.gettext("This cannot be done while the status is: %(status)s.") % {
            "status": translation.gettext("Draft")
        }
    assert refused.value.message == expected
    assert expected != "This cannot be done while the status is: Draft."
    assert Application.objects.get(pk=draft.pk).status == Status.DRAFT
    assert not events(draft, "application.eligible").exists()


def test_a_refusal_keeps_the_message_the_service_gives(staff, draft):
    application = locked(draft)
    application.status = Status.ELIGIBLE  # as if staff had confirmed it meanwhile
    with pytest.raises(RuleError) as refused:
        transitions.apply(staff, application, "application.withdrawn", refusal="Too late.")
    assert refused.value.message == "Too late."
    assert Application.objects.get(pk=draft.pk).status == Status.DRAFT


def test_only_the_status_and_the_given_fields_are_saved(alice, draft):
    application = locked(draft)
    application.full_name = "Changed in memory only"
    application.submission_count = 7
    # Another column changes meanwhile (as another writer would); the transition must not undo it.
    Application.objects.filter(pk=draft.pk).update(phone="0811-0000-0000")
    with CaptureQueriesContext(connection) as queries:
        transitions.apply(alice, application, "application.withdrawn", fields=["submission_count"])
    row = Application.objects.get(pk=draft.pk)
    assert (row.status, row.submission_count) == (Status.WITHDRAWN, 7)
    assert row.full_name != "Changed in memory only"
    assert row.phone == "0811-0000-0000"
    updates = [q["sql"] for q in queries if q["sql"].startswith("UPDATE")]
    assert len(updates) == 1
    assert updates[0].split(" WHERE ")[0].count(" = ") == 3  # status, submission_count, updated_at
    assert '"updated_at"' in updates[0]


def test_one_audit_event_records_from_and_to_with_the_reason_and_data(alice, draft):
    transitions.apply(alice, locked(draft), "application.withdrawn", reason="Pindah", via="test")
    event = events(draft, "application.withdrawn").get()
    assert (event.actor, event.from_status, event.to_status) == (alice, "draft", "withdrawn")
    assert (event.reason, event.data) == ("Pindah", {"via": "test"})
    assert AuditEvent.objects.for_object(draft).count() == 2  # created, withdrawn


def test_everything_rolls_back_with_the_callers_transaction(alice, draft):
    class Later(Exception):
        pass

    with pytest.raises(Later), transaction.atomic():
        transitions.apply(alice, locked(draft), "application.withdrawn")
        raise Later  # a rule checked after the transition refuses
    assert Application.objects.get(pk=draft.pk).status == Status.DRAFT
    assert not events(draft, "application.withdrawn").exists()


def test_a_step_that_stays_saves_its_fields_and_records_the_same_status(alice, planned):
    """The first FR.AK.01 agreement: the assessment stays assigned, the event says so."""
    assessment = type(planned).objects.select_for_update().get(pk=planned.pk)
    assessment.applicant_agreed_at = assessment.plan_set_at
    with CaptureQueriesContext(connection) as queries:
        transitions.apply(
            alice, assessment, "assessment.plan_agreed", fields=["applicant_agreed_at"], stay=True
        )
    update = next(q["sql"] for q in queries if q["sql"].startswith("UPDATE"))
    assert '"status"' not in update.split(" WHERE ")[0]
    event = events(planned, "assessment.plan_agreed").get()
    assert (event.from_status, event.to_status) == ("assigned", "assigned")
    planned.refresh_from_db()
    assert (planned.status, planned.applicant_agreed_at) == ("assigned", planned.plan_set_at)


def test_staying_is_refused_for_a_transition_that_does_not_declare_it(alice, draft):
    with pytest.raises(ValueError):
        transitions.apply(alice, locked(draft), "application.withdrawn", stay=True)
    with pytest.raises(KeyError):
        transitions.apply(alice, locked(draft), "application.approved")
    assert Application.objects.get(pk=draft.pk).status == Status.DRAFT
    assert AuditEvent.objects.for_object(draft).count() == 1


def test_a_table_answers_whether_an_action_is_allowed_and_from_where():
    table = Transitions(
        "status",
        {
            "a": Transition(("draft", "submitted"), "withdrawn"),
            "b": Transition(("submitted", "eligible"), "closed"),
        },
    )
    assert table.sources("a", "b") == ("draft", "submitted", "eligible")
    assert list(table) == ["a", "b"] and table["b"].target == "closed"
    application = Application(status=Status.SUBMITTED)
    assert transitions.allowed(application, "application.rejected")
    assert not transitions.allowed(application, "application.submitted")


@pytest.mark.django_db(transaction=True)
def test_a_transition_outside_a_transaction_is_a_programming_error(alice, draft):
    with pytest.raises(RuntimeError):
        transitions.apply(alice, Application.objects.get(pk=draft.pk), "application.withdrawn")
    assert Application.objects.get(pk=draft.pk).status == Status.DRAFT
