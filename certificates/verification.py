"""Public verification, cached: employers scan QR codes far more often than certificates change.

The record of an issued certificate (what verification may show: never NIK, birth date, contacts
or files) is kept in the cache by token and by number for VERIFY_CACHE_SECONDS; every save of a
certificate (issue, freeze, restore, scope reduction, revocation, return) forgets it once the
change commits. Status and its label are worked out when shown, from the stored status and the
validity date, so expiry at midnight and the visitor's language are always right."""

import datetime

from django.conf import settings
from django.core.cache import cache

from .models import Certificate

MISSING = "missing"


def _key(kind, value):
    return f"verify:v1:{kind}:{value}"


def _record(certificate):
    return {
        "number": certificate.number,
        "holder": certificate.holder_name,
        "scheme": certificate.scheme_name,
        "scheme_number": certificate.scheme_number,
        "issued_on": certificate.issued_on.isoformat(),
        "valid_until": certificate.valid_until.isoformat(),
        "state": certificate.status,
        "scope": [
            {"code": code, "title": title}
            for code, title in certificate.scope.order_by("number").values_list("code", "title")
        ],
    }


def _cached(kind, value):
    key = _key(kind, value)
    record = cache.get(key)
    if record is None:
        certificate = (
            Certificate.objects.exclude(status=Certificate.Status.PENDING)
            .filter(**{kind: value})
            .first()
        )
        record = _record(certificate) if certificate else MISSING
        cache.set(key, record, settings.VERIFY_CACHE_SECONDS)
    return None if record == MISSING else record


def by_token(token):
    return _cached("token", token)


def by_number(number):
    return _cached("number", number)


def public_data(record, *, dates=False):
    """What verification shows, status and label worked out now (PublicStatus); the dates as ISO
    strings (JSON) or, with `dates`, as dates (the page formats them)."""
    valid_until = datetime.date.fromisoformat(record["valid_until"])
    status = Certificate(status=record["state"], valid_until=valid_until).public_status
    data = {key: value for key, value in record.items() if key != "state"}
    if dates:
        data["issued_on"] = datetime.date.fromisoformat(record["issued_on"])
        data["valid_until"] = valid_until
    return {**data, "status": status.value, "status_label": status.label}


def forget(certificate):
    """Drop the cached records of `certificate` (called on commit of each save)."""
    keys = [_key("token", certificate.token)]
    if certificate.number:
        keys.append(_key("number", certificate.number))
    cache.delete_many(keys)
