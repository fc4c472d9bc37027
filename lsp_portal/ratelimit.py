"""Rate limits: how many times something may be asked for, per key, in a time window.

A fixed-window counter in the default cache: one key per (scope, key, window), created with
`cache.add` and counted with `cache.incr`, which Redis does atomically, so every web process
shares one count (with the local-memory cache of development each process counts on its own).
The key is hashed: it may be an e-mail address, and cache keys must not carry personal data.
At a window's edge up to twice the limit can pass in a short time; that is the price of one key
and one round trip per request.

django-ratelimit was considered: its system checks report Django's own Redis backend as "not
officially supported" (django_ratelimit.W001) and the local-memory cache as an error (E003), so
`check --deploy --fail-level WARNING` would fail; this helper is the small part we need."""

import hashlib
import time

from django.core.cache import cache


def _cache_key(scope: str, key: object, window: int) -> str:
    digest = hashlib.sha256(str(key).encode()).hexdigest()[:32]
    return f"ratelimit:v1:{scope}:{digest}:{window}"


def hit(scope: str, key: object, *, limit: int, period: int) -> bool:
    """Count one request of `scope` by `key` (an address, an e-mail address); True while it is
    within `limit` requests in the current window of `period` seconds, False beyond it."""
    window = int(time.time() // period)
    cache_key = _cache_key(scope, key, window)
    # The window's key outlives the window a little, so a late increment never restarts it.
    cache.add(cache_key, 0, timeout=period + 60)
    try:
        count = cache.incr(cache_key)
    except ValueError:  # evicted between add and incr: count afresh
        cache.set(cache_key, 1, timeout=period + 60)
        count = 1
    return count <= limit
