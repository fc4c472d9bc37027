"""The POST of a page whose save is checked row by row (a spreadsheet import, a unit's editor):
the form is validated, the service called, and a refusal turned into the page's message and its
list of problems by row. The service is all or nothing, so a refusal changed nothing."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.forms import Form
from django.http import HttpRequest

from .errors import RuleError


@dataclass
class Outcome:
    """What the POST gave: `result` (the service's return value; None when refused), the
    problems by row to list on the page, and the page's status (400 when refused)."""

    result: Any = None
    problems: list[Any] = field(default_factory=list)
    status: int = 200


def save_rows(
    request: HttpRequest, form: Form, save: Callable[[], Any], *, invalid: str
) -> Outcome:
    """Calls `save` when `form` is valid. A RuleError is shown as the page's error message, and
    its `errors` (row by row, when it has them) as the problems; `invalid` is the message for a
    form that does not validate."""
    if not form.is_valid():
        messages.error(request, invalid)
        return Outcome(status=400)
    try:
        return Outcome(result=save())
    except RuleError as error:
        messages.error(request, error.message)
        return Outcome(problems=list(getattr(error, "errors", [])), status=400)
