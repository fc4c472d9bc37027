"""The secret key a production process must have.

Settings leave SECRET_KEY empty when DEBUG is off and none is set, so that tooling that never signs
anything (makemigrations, the import and type checks) still runs without one, as with plain
Django. The web application refuses to start without it, with this message (lsp_portal.wsgi),
and so does `check --deploy` (`check_secret_key`); anything else that needs the key gets
Django's own refusal on first use."""

from typing import Any

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

MISSING = (
    "SECRET_KEY must be set when DEBUG is off (DEBUG is off unless the environment sets "
    "DEBUG=1). In production set SECRET_KEY to a long random value; for development set "
    "DEBUG=1 (make run does), which uses a development key."
)


def has_secret_key() -> bool:
    try:
        return bool(settings.SECRET_KEY)
    except ImproperlyConfigured:  # Django's own refusal to read an empty key
        return False


def require_secret_key() -> None:
    if not has_secret_key():
        raise ImproperlyConfigured(MISSING)


def check_secret_key(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    return [] if has_secret_key() else [checks.Error(MISSING, id="lsp_portal.E001")]
