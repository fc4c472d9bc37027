"""The Celery task class of the portal (`Celery(task_cls=...)`): a task started from the outbox
(`outbox_id` in its keyword arguments) claims its job first, skips it when it is already done,
and marks it done when it succeeds. A task started directly runs as usual."""

from celery import Task
from celery.exceptions import Retry


class OutboxTask(Task):
    #: Only one run at a time (a lease); False for jobs that are harmless to run twice (PDFs).
    exclusive = True
    #: `outbox_id` is not in the tasks' signatures: do not check arguments against them when sent.
    typing = False

    def __call__(self, *args, outbox_id=None, **kwargs):
        if outbox_id is None:
            return super().__call__(*args, **kwargs)
        from . import services

        # "done": nothing to do. "busy": another run holds the lease; this copy is dropped, and
        # should that run have died, the sweep hands the job over again once its lease ended.
        if services.claim(outbox_id, exclusive=self.exclusive) != "run":
            return None
        try:
            result = super().__call__(*args, **kwargs)
        except Retry as retry:
            services.release(outbox_id, retry.exc or retry)
            raise
        except Exception as error:
            services.release(outbox_id, error)
            raise
        services.complete(outbox_id)
        return result
