"""Human-readable names for audit actions and statuses, registered by each app in its ready()."""

from typing import Any

_ACTIONS: dict[str, Any] = {}
_STATUSES: dict[str, Any] = {}


def register(actions=None, statuses=None):
    """`actions` maps action codes to (lazy) labels; `statuses` maps status values to labels."""
    _ACTIONS.update(actions or {})
    _STATUSES.update(statuses or {})


def action_label(code):
    return _ACTIONS.get(code, code)


def status_label(value):
    return _STATUSES.get(value, value)
