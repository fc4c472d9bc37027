"""The web benchmark (issue 8): the busiest pages served by gunicorn on loopback, driven by wrk at
20 concurrent connections, against a database of 1,000 cases and one of 100,000, next to the bare
Django view that is the framework's ceiling on this machine.

    .venv/bin/python bench/web.py                      # both databases, 10 s a page
    .venv/bin/python bench/web.py --duration 5 --only small

The databases are filled beforehand by `manage.py bench_generate` (see README, Performance):
lsp_portal_perf1k with 1,000 applications and lsp_portal_perf100k with 100,000. Needs `wrk`
(Debian: apt-get install wrk). Prints one table: each page's requests per second, its ratio to the
ceiling, p50/p95/p99 latency, at both sizes, and the slowdown from 1,000 to 100,000; then a
gunicorn worker's memory before and after 10,000 more requests.

The server runs with production settings (DEBUG=0) except TWO_FACTOR_REQUIRED=0: the benchmark's
staff session is made directly in the session store, without the code of an authenticator app,
and measures the pages, not the second step of signing in (a verified session costs one more query
a page: django-otp loads the device that verified it).
"""

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
DATABASES = {
    "small": "postgres://postgres@127.0.0.1:5432/lsp_portal_perf1k",
    "large": "postgres://postgres@127.0.0.1:5432/lsp_portal_perf100k",
}
# (label, who, path key) - the paths come from the database (prepare()).
PAGES = [
    ("ceiling (bare Django view)", None, "ceiling"),
    ("applicant dashboard", "applicant", "dashboard"),
    ("staff review queue, first page", "staff", "review_queue"),
    ("staff review queue, filtered", "staff", "review_filtered"),
    ("assessor's case list", "assessor", "assessor_cases"),
    ("case detail (staff)", "staff", "case_detail"),
    ("public verification page", None, "verify"),
    ("public verification JSON", None, "verify_json"),
]


def environment(database, static_root, redis_url):
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
        "DATABASE_URL": database,
        "DEBUG": "0",
        "SECRET_KEY": "bench-" + "k" * 60,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_HSTS_SECONDS": "0",
        "BEHIND_TLS_PROXY": "0",
        "STATIC_ROOT": str(static_root),
        # The cache (sessions, verification records) in Redis, as in production; nothing here
        # sends a Celery task, and if something did it would run in-process.
        "REDIS_URL": redis_url,
        "CELERY_TASK_ALWAYS_EAGER": "1",
        "EMAIL_URL": "dummymail://",
        "LOG_LEVEL": "WARNING",
        "TWO_FACTOR_REQUIRED": "0",
        "CONN_MAX_AGE": "600",
    }


PREPARE = r"""
import json, urllib.parse, django
django.setup()
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.urls import reverse
from lsp_portal.accounts.models import User
from lsp_site.datagen import bench_targets
from registration.models import Application

t = bench_targets()

def session(who):
    user = User.objects.get(pk=t[who]["id"])
    s = SessionStore()
    s[SESSION_KEY] = str(user.pk)
    s[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    s[HASH_SESSION_KEY] = user.get_session_auth_hash()
    s.create()
    return s.session_key

queue = reverse("registration:review_queue")
print(json.dumps({
    "cases": Application.objects.count(),
    "sessions": {who: session(who) for who in ("applicant", "staff", "assessor")},
    "paths": {
        "ceiling": "/bench/ceiling/",
        "dashboard": reverse("dashboard"),
        "review_queue": queue,
        "review_filtered": queue + "?" + urllib.parse.urlencode(t["review_queue_filter"]),
        "assessor_cases": reverse("assessment:assessor_cases"),
        "case_detail": reverse("registration:review_detail", args=[t["application_id"]]),
        "verify": reverse("certificates:verify_token", args=[t["certificate"]["token"]]),
        "verify_json": reverse("certificates:verify_json", args=[t["certificate"]["token"]]),
    },
}))
"""


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def prepare(env):
    result = subprocess.run(  # noqa: S603 - our own interpreter and script
        [PYTHON, "-c", PREPARE], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if result.returncode:
        sys.exit(f"could not read the benchmark targets:\n{result.stderr}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def start_gunicorn(env, port, workers, log):
    process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
        [PYTHON, "-m", "gunicorn", "lsp_portal.wsgi", "--bind", f"127.0.0.1:{port}",
         "--workers", str(workers), "--no-control-socket", "--access-logfile", "-",
         "--log-level", "warning"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=log, start_new_session=True,
    )  # fmt: skip
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/bench/ceiling/", timeout=2).read()
            return process
        except OSError:
            time.sleep(0.2)
    stop(process)
    sys.exit("gunicorn did not start: see its log")


def stop(process):
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=20)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        os.killpg(process.pid, signal.SIGKILL)


def workers_of(master):
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    return [int(pid) for pid in children]


def rss_mib(pid):
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def wrk(url, session, *, duration, connections):
    command = ["wrk", "-t1", f"-c{connections}", f"-d{duration}s", "--timeout", "10s",
               "-s", str(ROOT / "bench" / "wrk_report.lua")]  # fmt: skip
    if session:
        command += ["-H", f"Cookie: sessionid={session}"]
    output = subprocess.run(  # noqa: S603 - wrk on our own loopback URL
        [*command, url], capture_output=True, text=True, check=True
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def check_page(url, session):
    """One request first: the page must answer 200 (not a login redirect or an error)."""
    headers = {"Cookie": f"sessionid={session}"} if session else {}
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 - our loopback server
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
        if response.status != 200 or response.url != url:
            sys.exit(f"{url}: {response.status} {response.url}")


def run_size(name, database, args):
    static_root = Path(tempfile.mkdtemp(prefix="lsp-bench-static-"))
    env = environment(database, static_root, args.redis_url)
    try:
        collect = [PYTHON, "manage.py", "collectstatic", "--noinput", "-v0"]
        subprocess.run(collect, cwd=ROOT, env=env, check=True)  # noqa: S603
        targets = prepare(env)
        port = free_port()
        log = (static_root / "gunicorn.log").open("w")
        process = start_gunicorn(env, port, args.workers, log)
        results = {}
        try:
            base = f"http://127.0.0.1:{port}"
            for label, who, key in PAGES:
                url = base + targets["paths"][key]
                session = targets["sessions"].get(who) if who else None
                check_page(url, session)
                wrk(url, session, duration=1, connections=args.connections)  # warm up
                results[label] = wrk(
                    url, session, duration=args.duration, connections=args.connections
                )
                print(f"  {name}: {label}: {results[label]['rps']:.0f}/s", file=sys.stderr)
            memory = None
            if args.memory_requests:
                memory = measure_memory(process.pid, base, targets, args)
        finally:
            stop(process)
            log.close()
        errors = (static_root / "gunicorn.log").read_text()
        return {"cases": targets["cases"], "pages": results, "memory": memory, "log": errors}
    finally:
        shutil.rmtree(static_root, ignore_errors=True)


def measure_memory(master, base, targets, args):
    """Each worker's RSS, then the applicant dashboard until 10,000 more requests, then again."""
    before = {pid: rss_mib(pid) for pid in workers_of(master)}
    url = base + targets["paths"]["dashboard"]
    done = 0
    while done < args.memory_requests:
        done += wrk(url, targets["sessions"]["applicant"], duration=5, connections=20)["requests"]
    after = {pid: rss_mib(pid) for pid in workers_of(master)}
    return {"requests": done, "before": before, "after": after}


def table(runs):
    sizes = list(runs)
    ceiling = {size: runs[size]["pages"][PAGES[0][0]]["rps"] for size in sizes}
    lines = []
    head = f"{'page':34}"
    for size in sizes:
        head += f" | {runs[size]['cases']:>7,} cases: req/s  ratio  p50 ms  p95 ms  p99 ms"
    if len(sizes) == 2:
        head += " | slower"
    lines += [head, "-" * len(head)]
    for label, _, _ in PAGES:
        row = f"{label:34}"
        for size in sizes:
            r = runs[size]["pages"][label]
            ratio = r["rps"] / ceiling[size]
            row += (
                f" | {'':13}{r['rps']:>6.0f} {ratio:>6.2f} {r['p50']:>7.1f} {r['p95']:>7.1f} "
                f"{r['p99']:>7.1f}"
            )
            if r["non2xx"] or r["errors"]:
                row += f" ({r['non2xx']} non-2xx, {r['errors']} errors)"
        if len(sizes) == 2:
            small, large = (runs[size]["pages"][label]["rps"] for size in sizes)
            row += f" | {100 * (small - large) / small:>5.1f}%"
        lines.append(row)
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--small", default=DATABASES["small"])
    parser.add_argument("--large", default=DATABASES["large"])
    parser.add_argument("--only", choices=["small", "large"])
    parser.add_argument("--duration", type=int, default=10, help="seconds of load a page")
    parser.add_argument("--connections", type=int, default=20)
    parser.add_argument("--workers", type=int, default=3, help="gunicorn sync workers")
    parser.add_argument("--memory-requests", type=int, default=10_000)
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/10")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is missing: apt-get install wrk")
    sizes = [args.only] if args.only else ["small", "large"]
    runs = {}
    for size in sizes:
        print(f"{size}: {getattr(args, size)}", file=sys.stderr)
        runs[size] = run_size(size, getattr(args, size), args)
    print(
        f"\n== Web benchmark, {time.strftime('%Y-%m-%d')}: gunicorn {args.workers} sync "
        f"workers, wrk {args.connections} connections, {args.duration} s a page, "
        f"{os.cpu_count()} cores =="
    )
    print(table(runs))
    for size in sizes:
        memory = runs[size]["memory"]
        if memory:
            before = sum(memory["before"].values()) / len(memory["before"])
            after = sum(memory["after"].values()) / len(memory["after"])
            print(
                f"\n{size}: gunicorn worker memory {before:.1f} MiB -> {after:.1f} MiB after "
                f"{memory['requests']:,} more requests (mean of {len(memory['after'])} workers)"
            )
        if runs[size]["log"].strip():
            print(f"\n{size}: gunicorn log:\n{runs[size]['log'][-2000:]}")
    worst = min(
        runs[size]["pages"][label]["rps"] / runs[size]["pages"][PAGES[0][0]]["rps"]
        for size in sizes
        for label, _, _ in PAGES[1:]
    )
    p95 = max(runs[size]["pages"][label]["p95"] for size in sizes for label, _, _ in PAGES)
    print(f"\nworst_ratio={worst:.2f} max_p95_ms={p95:.1f}")


if __name__ == "__main__":
    main()
