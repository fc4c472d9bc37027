#!/usr/bin/env bash
# Make sure PostgreSQL (127.0.0.1:5432) and Redis (127.0.0.1:6379) answer; start them when they are
# installed but down. Used by `make test` / `make services`.
set -uo pipefail

PG_HOST=127.0.0.1
PG_PORT=5432
REDIS_HOST=127.0.0.1
REDIS_PORT=6379
WAIT_SECONDS=15

if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi

pg_up() { command -v pg_isready >/dev/null 2>&1 && pg_isready -q -h "$PG_HOST" -p "$PG_PORT"; }
redis_up() {
    command -v redis-cli >/dev/null 2>&1 \
        && [ "$(redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" ping 2>/dev/null)" = "PONG" ]
}

wait_for() {  # wait_for <check-function>
    local i
    for ((i = 0; i < WAIT_SECONDS; i++)); do
        "$1" && return 0
        sleep 1
    done
    "$1"
}

ensure_postgres() {
    if pg_up; then
        echo "PostgreSQL: up on $PG_HOST:$PG_PORT"
        return 0
    fi
    if command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ] \
        && [ -n "$(ls -A /etc/postgresql 2>/dev/null)" ]; then
        local version
        version="$(ls /etc/postgresql | sort -V | tail -n 1)"
        echo "PostgreSQL: down, starting cluster $version/main ..."
        $SUDO pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
        if wait_for pg_up; then
            echo "PostgreSQL: up on $PG_HOST:$PG_PORT"
            return 0
        fi
        echo "PostgreSQL: still not answering on $PG_HOST:$PG_PORT after ${WAIT_SECONDS}s." >&2
    else
        echo "PostgreSQL: not installed (no pg_ctlcluster / /etc/postgresql)." >&2
    fi
    cat >&2 <<MSG
  Install and start it with:
    sudo apt-get install -y postgresql
    sudo pg_ctlcluster --skip-systemctl-redirect \$(ls /etc/postgresql) main start
  The tests connect as postgres@$PG_HOST:$PG_PORT without a password (trust or .pgpass),
  or set DATABASE_URL to another server.
MSG
    return 1
}

ensure_redis() {
    if redis_up; then
        echo "Redis: up on $REDIS_HOST:$REDIS_PORT"
        return 0
    fi
    if command -v redis-server >/dev/null 2>&1; then
        echo "Redis: down, starting redis-server ..."
        $SUDO mkdir -p /var/lib/redis /var/log/redis
        $SUDO redis-server --daemonize yes --bind 127.0.0.1 -::1 --port "$REDIS_PORT" --save "" \
            --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log || true
        if wait_for redis_up; then
            echo "Redis: up on $REDIS_HOST:$REDIS_PORT"
            return 0
        fi
        echo "Redis: still not answering on $REDIS_HOST:$REDIS_PORT after ${WAIT_SECONDS}s." >&2
    else
        echo "Redis: not installed (no redis-server)." >&2
    fi
    cat >&2 <<MSG
  Install and start it with:
    sudo apt-get install -y redis-server
    sudo redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \\
        --dir /var/lib/redis --logfile /var/log/redis/ci.log
MSG
    return 1
}

status=0
ensure_postgres || status=1
ensure_redis || status=1
exit "$status"
