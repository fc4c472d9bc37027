"""The outbox: every side effect of a state change (an e-mail, a PDF) is recorded as a row in
the same transaction as the change, then handed to Celery. When the broker or the worker is down
the row waits; the sweep hands it over again once they are back, and a job whose row is done is
never run twice. See lsp_portal/outbox/services.py."""

from typing import Self

from django.db import models
from django.utils.translation import gettext_lazy as _


class MessageQuerySet(models.QuerySet):
    def pending(self) -> Self:
        return self.filter(done_at__isnull=True)


class Message(models.Model):
    task = models.CharField(_("task"), max_length=200)
    args = models.JSONField(_("arguments"), default=list)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    # Handed to the broker (last time); None while the broker could not be reached.
    dispatched_at = models.DateTimeField(_("handed to the broker at"), null=True, blank=True)
    # A worker runs it (a lease: another copy waits until the lease ends).
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)

    objects = MessageQuerySet.as_manager()

    class Meta:
        verbose_name = _("background job")
        verbose_name_plural = _("background jobs")
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(
                fields=["created_at"],
                name="outbox_pending_idx",
                condition=models.Q(done_at__isnull=True),
            )
        ]

    def __str__(self) -> str:
        return f"{self.task}{tuple(self.args)}"
