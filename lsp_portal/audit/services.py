"""The audit trail: `record()` is called by every service that changes state, inside its
transaction."""

from django.contrib.contenttypes.models import ContentType

from .models import AuditEvent


def record(actor, action, obj, *, from_status="", to_status="", reason="", **data):
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


def events_for(obj):
    return AuditEvent.objects.for_object(obj).select_related("actor")
