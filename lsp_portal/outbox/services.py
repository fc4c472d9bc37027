"""Side effects that survive a broker or worker outage, each done once.

`send(task, *args)` is called inside the transaction of a state change: it records the job and,
once the transaction commits, hands it to Celery. If the broker cannot be reached the user's
action still succeeds; the job waits in the table and `sweep()` (celery beat every minute, or
`manage.py outbox_sweep`) hands it over again. The task, run by `OutboxTask`, claims its row before
it runs and marks it done after, so a job handed over twice (a sweep while the first copy still
waited in the queue, a redelivery after a worker died) runs once. Jobs that are safe to run twice
anyway (a PDF render stores one file per content) are claimed without a lease, so a redelivered
render after a killed worker runs at once."""

import datetime
import logging
from typing import Any, Literal

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from .models import Message

log = logging.getLogger(__name__)


def send(task: Any, *args: Any) -> Message:
    """Record `task(*args)` and hand it to Celery when the current transaction commits."""
    message = Message.objects.create(task=task.name, args=list(args))
    transaction.on_commit(lambda: dispatch(message.pk))
    return message


def dispatch(message_id: int) -> bool:
    """Hand the job to the broker; on failure leave it for the sweep. Never raises."""
    from celery import current_app

    message = Message.objects.filter(pk=message_id, done_at__isnull=True).first()
    if message is None:
        return False
    try:
        current_app.tasks[message.task].apply_async(
            args=message.args, kwargs={"outbox_id": message.pk}
        )
    except Exception as error:  # the broker is down or unreachable: the sweep tries again
        log.warning("outbox: job %s (%s) waits for the broker: %s", message.pk, message.task, error)
        Message.objects.filter(pk=message.pk).update(last_error=f"dispatch: {error}"[:2000])
        return False
    Message.objects.filter(pk=message.pk).update(dispatched_at=timezone.now())
    return True


def _lease() -> datetime.timedelta:
    return datetime.timedelta(seconds=settings.OUTBOX_LEASE_SECONDS)


def claim(message_id: int, *, exclusive: bool) -> Literal["run", "done", "busy"]:
    """Take the job for this run: "run", "done" (nothing to do) or "busy" (another run holds the
    lease; only for exclusive jobs)."""
    now = timezone.now()
    free = Q(done_at__isnull=True)
    if exclusive:
        free &= Q(started_at__isnull=True) | Q(started_at__lt=now - _lease())
    taken = Message.objects.filter(free, pk=message_id).update(
        started_at=now, attempts=F("attempts") + 1
    )
    if taken:
        return "run"
    done = Message.objects.filter(pk=message_id, done_at__isnull=False).exists()
    return "done" if done or not Message.objects.filter(pk=message_id).exists() else "busy"


def release(message_id: int, error: object) -> None:
    """The run failed (it will be retried): free the lease and keep the error."""
    Message.objects.filter(pk=message_id, done_at__isnull=True).update(
        started_at=None, last_error=str(error)[:2000]
    )


def complete(message_id: int) -> None:
    """The run succeeded: the job is done and never runs again."""
    Message.objects.filter(pk=message_id).update(done_at=timezone.now(), last_error="")


def sweep(now: datetime.datetime | None = None) -> int:
    """Hand over again every job that is not done and is not known to wait in the queue: never
    handed over (broker down), or handed over more than OUTBOX_REDISPATCH_SECONDS ago without
    finishing (the queue was lost, a worker died); not one that failed OUTBOX_MAX_ATTEMPTS times
    (its error is kept for staff, in the admin). Returns how many were handed over."""
    now = now or timezone.now()
    stale = now - datetime.timedelta(seconds=settings.OUTBOX_REDISPATCH_SECONDS)
    due = (
        Message.objects.pending()
        .filter(Q(dispatched_at__isnull=True) | Q(dispatched_at__lt=stale))
        .filter(Q(started_at__isnull=True) | Q(started_at__lt=now - _lease()))
        .filter(attempts__lt=settings.OUTBOX_MAX_ATTEMPTS)
        .values_list("pk", flat=True)
    )
    return sum(dispatch(pk) for pk in list(due[:1000]))
