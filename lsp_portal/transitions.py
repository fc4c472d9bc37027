"""The workflow's status changes: declared once per model, applied by one function.

A model with a workflow declares, next to its Status choices, the changes its services may make,
each under the audit action that records it (lsp_portal.audit; the trail and the tests read these
names):

    class Status(models.TextChoices):
        ...

    TRANSITIONS = Transitions(
        "status",
        {
            "application.withdrawn": Transition(
                sources=(Status.DRAFT, Status.SUBMITTED, Status.REVISION_REQUESTED),
                target=Status.WITHDRAWN,
            ),
        },
    )

A service guards first (role, its own rules and its own refusal messages), locks the row with
select_for_update, sets the fields that change alongside (a timestamp, a reason), then calls
apply(): it checks the source status against the table, sets the target, saves only the status
field and those `fields` (save(update_fields)) and records the audit event with from and to, in
the caller's transaction - a refusal or an error later in it undoes all of it. Locking stays with
the services (they lock in different ways, see assessment.services._lock); apply() takes the row
they locked and does not lock again.

The table is read by tests too: tests/reliability/test_transitions_twice.py checks that every
declared action is attempted twice at once, and that sources and targets are statuses of the
model. A second status field of a model gets its own Transitions (it names its field); none has
one yet.
"""

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import models, transaction
from django.utils.translation import gettext as _

from lsp_portal.audit.services import record
from lsp_portal.errors import RuleError


@dataclass(frozen=True)
class Transition:
    """From any of `sources` to `target`. With `stays`, the action may also leave the status as
    it is: a step recorded under the same action on the way to `target` (the first of the two
    FR.AK.01 agreements, after which the assessment stays assigned)."""

    sources: tuple[str, ...]
    target: str
    stays: bool = False


class Transitions(Mapping[str, Transition]):
    """A model's table: audit action -> Transition, for its status field `field`."""

    def __init__(self, field: str, table: Mapping[str, Transition]):
        self.field = field
        self._table = dict(table)

    def __getitem__(self, action: str) -> Transition:
        return self._table[action]

    def __iter__(self) -> Iterator[str]:
        return iter(self._table)

    def __len__(self) -> int:
        return len(self._table)

    def sources(self, *actions: str) -> tuple[str, ...]:
        """The statuses any of `actions` starts from, in declaration order (for a service that
        locks a row in the statuses where its actions are allowed)."""
        found: list[str] = []
        for action in actions:
            found += [s for s in self[action].sources if s not in found]
        return tuple(found)


def table_of(obj: models.Model) -> Transitions:
    table: Transitions = getattr(type(obj), "TRANSITIONS")  # noqa: B009 - declared per model
    return table


def allowed(obj: models.Model, action: str) -> bool:
    """Whether `obj`'s current status is a source of `action`."""
    table = table_of(obj)
    return getattr(obj, table.field) in table[action].sources


def _refusal(obj: models.Model, field: str) -> str:
    return _("This cannot be done while the status is: %(status)s.") % {
        "status": getattr(obj, f"get_{field}_display")()
    }


def _auto_now_fields(model: type[models.Model]) -> list[str]:
    # A full save() would set them; save(update_fields) sets only the fields it is given.
    return [f.name for f in model._meta.concrete_fields if getattr(f, "auto_now", False)]


def apply(
    user: Any,
    obj: models.Model,
    action: str,
    *,
    reason: str = "",
    fields: Iterable[str] = (),
    refusal: str | None = None,
    stay: bool = False,
    **audit_data: Any,
) -> models.Model:
    """Apply the declared transition `action` to `obj`, a row the caller locked inside its
    transaction: refuse (RuleError, changing nothing) unless the status is one of its sources,
    set its target (the status as it is, with `stay`, where the transition `stays`), save the
    status when it changes plus `fields` and the model's auto_now fields, and record `action`
    with from/to, `reason` and `audit_data`. `refusal`: the service's own message for a wrong
    source, instead of the generic one."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("transitions.apply() runs in the caller's transaction, on a locked row")
    table = table_of(obj)
    transition = table[action]
    if stay and not transition.stays:
        raise ValueError(f"{action} does not declare that it may leave the status as it is")
    current = getattr(obj, table.field)
    if current not in transition.sources:
        raise RuleError(refusal or _refusal(obj, table.field))
    target = current if stay else transition.target
    update = [*([table.field] if target != current else []), *fields]
    setattr(obj, table.field, target)
    if update:
        obj.save(update_fields=list(dict.fromkeys([*update, *_auto_now_fields(type(obj))])))
    record(user, action, obj, from_status=current, to_status=target, reason=reason, **audit_data)
    return obj
