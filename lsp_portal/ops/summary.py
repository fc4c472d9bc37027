"""What `manage.py restore` counts in the lines it prints ("users 12, applications 40, ...,
audit events 900"): the users, then the records each stage registers in its AppConfig.ready()
(`summary.register("applications", Application)`, in the order the apps are installed), then the
audit events. The kernel names no stage's model."""

from django.db.models import Model

counted: list[tuple[str, type[Model]]] = []


def register(label: str, model: type[Model]) -> None:
    """Count `model`'s rows under `label` (plain English, as the command's output is). Once:
    an AppConfig.ready() run again (apps set up anew) adds nothing."""
    if (label, model) not in counted:
        counted.append((label, model))


def models() -> list[tuple[str, type[Model]]]:
    """(label, model) in the order they are printed."""
    from django.contrib.auth import get_user_model

    from lsp_portal.audit.models import AuditEvent

    return [("users", get_user_model()), *counted, ("audit events", AuditEvent)]
