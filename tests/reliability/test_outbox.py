"""The outbox's rules, without a worker: a job is recorded with the change that causes it and
only if that change commits; a job handed over twice runs once; a running job's lease keeps a
second copy waiting; the sweep hands over what never reached the broker or stalled, and gives up
on a job that keeps failing."""

import datetime

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone

from lsp_portal.outbox import services as outbox
from lsp_portal.outbox.models import Message
from registration import services as registration_services
from registration import tasks
from registration.models import Application


@pytest.fixture
def job(submitted):
    """The e-mail telling staff about alice's submitted application, recorded, not yet run."""
    return Message.objects.get(task="registration.tasks.notify_staff_submitted")


def run(message):
    """What a worker does when the job arrives."""
    return tasks.notify_staff_submitted.apply(args=message.args, kwargs={"outbox_id": message.pk})


def test_a_change_records_its_side_effect(job, submitted):
    assert job.args == [submitted.pk]
    assert job.done_at is None


def test_a_change_that_fails_records_nothing(alice, complete_draft):
    with pytest.raises(RuntimeError), transaction.atomic():
        registration_services.submit(alice, complete_draft, agreed=True)
        raise RuntimeError("the request failed after the submission")
    assert not Message.objects.exists()
    assert Application.objects.get(pk=complete_draft.pk).status == Application.Status.DRAFT


def test_a_job_handed_over_twice_runs_once(job, staff):
    run(job)
    run(Message.objects.get(pk=job.pk))
    assert [m.to for m in mail.outbox] == [[staff.email]]
    job.refresh_from_db()
    assert job.done_at is not None
    assert job.attempts == 1


def test_a_running_job_holds_its_lease(job, staff):
    assert outbox.claim(job.pk, exclusive=True) == "run"
    assert outbox.claim(job.pk, exclusive=True) == "busy"
    # A copy arriving while the lease holds is dropped and sends nothing (the sweep hands the job
    # over again should the first run die).
    run(job)
    assert mail.outbox == []
    job.refresh_from_db()
    assert job.done_at is None and job.attempts == 1


def test_a_lease_of_a_dead_run_ends(job, settings):
    assert outbox.claim(job.pk, exclusive=True) == "run"
    later = timezone.now() + datetime.timedelta(seconds=settings.OUTBOX_LEASE_SECONDS + 1)
    Message.objects.filter(pk=job.pk).update(started_at=timezone.now() - (later - timezone.now()))
    assert outbox.claim(job.pk, exclusive=True) == "run"


def test_a_failed_run_frees_the_job_and_keeps_the_error(job, staff, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("template error: smtp.example.org: connection refused")

    monkeypatch.setattr(tasks, "send_templated_email", broken)
    run(job)
    job.refresh_from_db()
    assert job.done_at is None
    assert job.started_at is None
    assert "connection refused" in job.last_error


def test_the_sweep_hands_over_what_waits_and_not_what_is_queued(job, settings, monkeypatch):
    handed = []
    monkeypatch.setattr(outbox, "dispatch", lambda pk: handed.append(pk) or True)
    # Never reached the broker: handed over.
    assert outbox.sweep() == 1 and handed == [job.pk]
    # Handed over a moment ago (it waits in the queue): left alone.
    Message.objects.filter(pk=job.pk).update(dispatched_at=timezone.now())
    handed.clear()
    assert outbox.sweep() == 0
    # Handed over long ago and never done (the queue was lost): handed over again.
    long_ago = timezone.now() - datetime.timedelta(seconds=settings.OUTBOX_REDISPATCH_SECONDS + 1)
    Message.objects.filter(pk=job.pk).update(dispatched_at=long_ago)
    assert outbox.sweep() == 1
    # Done: never again.
    Message.objects.filter(pk=job.pk).update(done_at=timezone.now())
    handed.clear()
    assert outbox.sweep() == 0


def test_the_sweep_gives_up_on_a_job_that_keeps_failing(job, settings, monkeypatch):
    handed = []
    monkeypatch.setattr(outbox, "dispatch", lambda pk: handed.append(pk) or True)
    Message.objects.filter(pk=job.pk).update(attempts=settings.OUTBOX_MAX_ATTEMPTS)
    assert outbox.sweep() == 0 and handed == []


def test_the_broker_down_leaves_the_job_waiting(job, monkeypatch):
    from lsp_portal.celery import app

    def unreachable(*args, **kwargs):
        raise ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(app.tasks[job.task], "apply_async", unreachable)
    assert outbox.dispatch(job.pk) is False
    job.refresh_from_db()
    assert job.dispatched_at is None
    assert "Connection refused" in job.last_error
