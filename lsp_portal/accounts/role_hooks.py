"""The roles staff grant and remove on the people pages, and what each needs - registered by the
app that owns the role (the kernel imports no stage, decisions/hooks.py does the same for later
stages).

Each owner calls `register(RoleHook(...))` in its AppConfig.ready():

- `role`, `slug`: the Role value and the key in the URLs (`/accounts/people/7/roles/assessor/`).
- `form_class`: the form of the role's registry data (the assessor's No. Reg. MET and its
  validity, the technical team's qualification), built as `form_class(data, person=, prefix=)`
  and offering `to_input()`, the typed input of `grant`; None when the role needs no data.
- `grant(actor, person, data) -> dict`: writes the registry record (a service of the owner),
  inside the transaction of `services.grant_role`, and returns what the audit event keeps.
- `remove(actor, person) -> dict`: retires the registry record (kept, never deleted: history
  refers to it), inside `services.remove_role`'s transaction.
- `in_use(person) -> str`: why the role cannot be taken away now ("still holds 2 open
  assessments") or "". `remove_role` and `deactivate` refuse with it.
- `registry(person) -> [(label, value)]`: the registry data shown on the person page.
- `privileged`: only the director or a superuser grant and remove it (staff, director).
- `description`: one line on what the role may do, shown with it.

`services.grant_role` / `remove_role` do the rest for every role: the guard, the lock on the
person, the group, the audit event and the e-mail to the person."""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class RoleHook:
    role: str
    slug: str
    form_class: type | None = None
    grant: Callable | None = None
    remove: Callable | None = None
    in_use: Callable | None = None
    registry: Callable | None = None
    privileged: bool = False
    description: str = ""


_hooks: dict[str, RoleHook] = {}


def register(hook: RoleHook) -> RoleHook:
    if hook.role in _hooks and _hooks[hook.role] != hook:
        raise ValueError(f"the role {hook.role!r} is registered twice")
    _hooks[hook.role] = hook
    return hook


def managed():
    """The hooks in the order of the Role choices (the people page lists them so)."""
    from .roles import Role

    return [_hooks[value] for value in Role.values if value in _hooks]


def for_role(role: str) -> RoleHook | None:
    return _hooks.get(role)


def for_slug(slug: str) -> RoleHook | None:
    return next((hook for hook in _hooks.values() if hook.slug == slug), None)
