"""The audit trail: `record()` is called by every service that changes state, inside its
transaction."""

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Model, QuerySet

from lsp_portal.accounts.models import User

from .models import AuditEvent


def record(
    actor: User | None,
    action: str,
    obj: Model,
    *,
    from_status: str | None = "",
    to_status: str | None = "",
    reason: str | None = "",
    **data: Any,
) -> AuditEvent:
    """Append an AuditEvent for `obj`, in the caller's transaction (it rolls back with it)."""
    return AuditEvent.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        content_type=ContentType.objects.get_for_model(obj, for_concrete_model=False),
        object_id=str(obj.pk),
        object_repr=str(obj)[:200],
        from_status=from_status or "",
        to_status=to_status or "",
        reason=reason or "",
        data=data,
    )


def events_for(obj: Model) -> QuerySet[AuditEvent]:
    """The audit trail of `obj` (9.4.1.b: kept for tracing an appeal), with the actors."""
    return AuditEvent.objects.for_object(obj).select_related("actor")
