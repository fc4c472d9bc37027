"""Deadline notices (celery beat, hourly): a reminder 2 days before each deadline to the appeal
team and the director, an escalation to the director and staff once a deadline passed unanswered;
each recorded and sent once however often the task runs."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail

from appeals import services, tasks
from appeals.models import Notice
from lsp_portal.audit.models import AuditEvent
from tests.appeals.conftest import ANSWER

JAKARTA = ZoneInfo("Asia/Jakarta")
Kind = Notice.Kind


def morning(day):
    """09:00 in Jakarta on `day`."""
    return datetime.datetime.combine(day, datetime.time(9, 0), tzinfo=JAKARTA)


def days(n):
    return datetime.timedelta(days=n)


@pytest.fixture
def capture(django_capture_on_commit_callbacks, celery_eager):
    return django_capture_on_commit_callbacks


def run(moment, capture):
    """The notices of `moment`, with time frozen there and the on-commit sends executed."""
    mail.outbox.clear()
    with time_machine.travel(moment, tick=False), capture(execute=True):
        return services.create_due_notices(now=moment)


def kinds():
    return sorted(Notice.objects.values_list("kind", flat=True))


def test_nothing_before_two_days_ahead(appointed, capture):
    assert run(morning(appointed.completion_due - days(3)), capture) == 0
    assert mail.outbox == []
    assert not Notice.objects.exists()


def test_a_reminder_two_days_before_completion_goes_to_the_team_and_the_director(
    appeal, director, staff, appointed, capture
):
    moment = morning(appointed.completion_due - days(2))
    assert run(moment, capture) == 1
    assert kinds() == [Kind.COMPLETION_SOON]
    assert len(mail.outbox) == 1
    assert sorted(mail.outbox[0].to) == sorted([appeal.email, director.email])
    assert staff.email not in mail.outbox[0].to
    assert appointed.reference in mail.outbox[0].subject
    notice = Notice.objects.get()
    assert notice.sent_at == moment
    assert AuditEvent.objects.filter(action="appeal.notice").count() == 1


def test_the_reminder_is_sent_once_however_often_the_task_runs(appointed, capture):
    moment = morning(appointed.completion_due - days(2))
    assert run(moment, capture) == 1
    assert len(mail.outbox) == 1
    assert run(moment + datetime.timedelta(hours=1), capture) == 0
    assert run(morning(appointed.completion_due - days(1)), capture) == 0
    assert mail.outbox == []
    assert kinds() == [Kind.COMPLETION_SOON]


def test_the_decision_reminder_comes_two_days_before_the_14_working_days(
    appeal, director, appointed, capture
):
    run(morning(appointed.completion_due - days(2)), capture)
    assert run(morning(appointed.decision_due - days(3)), capture) == 1  # completion overdue
    assert kinds() == [Kind.COMPLETION_OVERDUE, Kind.COMPLETION_SOON]
    assert run(morning(appointed.decision_due - days(2)), capture) == 1
    assert kinds() == [Kind.COMPLETION_OVERDUE, Kind.COMPLETION_SOON, Kind.DECISION_SOON]
    assert sorted(mail.outbox[0].to) == sorted([appeal.email, director.email])


def test_an_overdue_completion_is_escalated_to_the_director_and_staff_once(
    appeal, director, staff, appointed, capture
):
    moment = morning(appointed.completion_due + days(1))
    assert run(moment, capture) == 1
    # The overdue deadline replaces its reminder.
    assert kinds() == [Kind.COMPLETION_OVERDUE]
    assert len(mail.outbox) == 1
    assert sorted(mail.outbox[0].to) == sorted([director.email, staff.email])
    assert appeal.email not in mail.outbox[0].to
    assert run(moment, capture) == 0
    assert run(morning(appointed.completion_due + days(2)), capture) == 0
    assert mail.outbox == []


def test_the_deadline_day_itself_is_not_overdue(appointed, capture):
    assert run(morning(appointed.completion_due), capture) == 1
    assert kinds() == [Kind.COMPLETION_SOON]


def test_an_overdue_decision_is_escalated_too(director, staff, appointed, capture):
    assert run(morning(appointed.decision_due + days(1)), capture) == 2
    assert kinds() == [Kind.COMPLETION_OVERDUE, Kind.DECISION_OVERDUE]
    assert len(mail.outbox) == 2
    for message in mail.outbox:
        assert sorted(message.to) == sorted([director.email, staff.email])


def test_answered_appeals_get_no_notices(director, with_finding, capture):
    services.answer(director, with_finding, outcome="dismissed", reasons=ANSWER)
    assert run(morning(with_finding.completion_due - days(2)), capture) == 0
    assert run(morning(with_finding.decision_due + days(1)), capture) == 0
    assert mail.outbox == []
    assert not Notice.objects.exists()


def test_the_beat_task_run_twice_sends_once(appeal, director, appointed, capture):
    mail.outbox.clear()
    with time_machine.travel(morning(appointed.completion_due - days(2)), tick=False):
        with capture(execute=True):
            assert tasks.appeal_deadline_notices() == {"new_notices": 1}
        with capture(execute=True):
            assert tasks.appeal_deadline_notices() == {"new_notices": 0}
    assert len(mail.outbox) == 1
    assert sorted(mail.outbox[0].to) == sorted([appeal.email, director.email])
    assert kinds() == [Kind.COMPLETION_SOON]


def test_send_notice_twice_sends_one_email(director, staff, appointed):
    notice = Notice.objects.create(appeal=appointed, kind=Kind.DECISION_OVERDUE)
    mail.outbox.clear()
    assert tasks.send_notice(notice.pk) is True
    assert tasks.send_notice(notice.pk) is False
    assert len(mail.outbox) == 1
    assert sorted(mail.outbox[0].to) == sorted([director.email, staff.email])
    notice.refresh_from_db()
    assert notice.sent_at is not None
