"""Extension points for the stages downstream of registration.

Later apps (assessment, decisions, ...) may not be imported here (dependencies flow downstream
only), yet they widen who may see an application and add steps to the applicant's status
tracker. They register a function in their AppConfig.ready():

- `visibility`: fn(user) -> Q over Application, or None. E.g. the assigned assessor sees the case.
- `homes`: (role, url name) - where the dashboard sends a user of that role (e.g. an assessor).
- `journey`: fn(applications) -> {application pk: list of step dicts ({"key", "label", "state",
  "url"?, "note"?})} that replace the default step with the same key. It is called once with all
  the applications a page shows (the dashboard shows every application of the applicant), so it
  looks them up together: a fixed number of queries however many applications there are.
  States: done, current, attention, failed, next, pending.
- `stored_bytes`: fn(user) -> int, the bytes of the files `user` stores in that stage (e.g. appeal
  attachments), counted towards the storage quota (services.check_storage_quota).
"""

from collections.abc import Callable, Iterable
from typing import Any

from django.db.models import Q

visibility: list[Callable[[Any], Q | None]] = []
journey: list[Callable[[Iterable[Any]], dict[int, list[dict[str, Any]]]]] = []
homes: list[tuple[str, str]] = []
stored_bytes: list[Callable[[Any], int]] = []


def register_visibility(fn):
    visibility.append(fn)
    return fn


def register_journey(fn):
    journey.append(fn)
    return fn


def register_home(role, url_name):
    homes.append((role, url_name))


def register_stored_bytes(fn):
    stored_bytes.append(fn)
    return fn
