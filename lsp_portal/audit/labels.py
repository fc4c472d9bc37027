"""Human-readable names for audit actions and statuses, registered by each app in its ready()."""

_ACTIONS = {}
_STATUSES = {}


def register(actions=None, statuses=None):
    """`actions` maps action codes to (lazy) labels; `statuses` maps status values to labels."""
    _ACTIONS.update(actions or {})
    _STATUSES.update(statuses or {})


def action_label(code):
    return _ACTIONS.get(code, code)


def status_label(value):
    return _STATUSES.get(value, value)
