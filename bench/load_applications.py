"""Load benchmark: N applicants sign up, fill FR-APL-01 with uploads and FR-APL-02, and submit,
concurrently, through real HTTP against gunicorn on loopback (issue 7, "Load").

    .venv/bin/python bench/load_applications.py --applicants 200 --concurrency 20 --timeout 600

What it does, in order:
- recreates a dedicated PostgreSQL database (default
  postgres://postgres@127.0.0.1:5432/lsp_portal_bench; its name must contain "bench"), migrates
  it (which loads the "mhp" scheme) and collects static files into a temporary STATIC_ROOT;
- starts `gunicorn lsp_portal.wsgi` (sync workers, 127.0.0.1, a free port) with production
  settings: DEBUG=0, a random SECRET_KEY, ALLOWED_HOSTS=127.0.0.1, SECURE_SSL_REDIRECT=0 and
  BEHIND_TLS_PROXY=0 (plain http on loopback), a temporary MEDIA_ROOT, Celery tasks in-process
  (no REDIS_URL) and Django's file e-mail backend writing to a temporary folder; the limit of
  account e-mails per client address is lifted (every applicant comes from 127.0.0.1);
- runs every applicant's journey in a pool of `--concurrency` threads, each applicant with its own
  cookie jar, the way the browser test (tests/browser/test_registration_journey.py) does it: sign
  up, open the confirmation link from the e-mail (read from the mail folder: the outbox job ran
  in-process before the sign-up answered) and confirm, apply for "mhp", personal data with the
  required courses, one internship entry, the seven required files (KTP, KTM, transcript, three
  photos, internship letter), FR-APL-02 with one new evidence file and the letter for the other
  units, submit with the agreement ticked; every redirect is followed and the page checked (32
  requests an applicant);
- then checks the database and the files on disk and prints the figures; the last line is
  machine-readable. Exit status 1 when there was any error or any application is incomplete.

Bounded: no request starts after --timeout seconds, each request times out after 30 s. Gunicorn is
stopped and the temporary directories removed also on Ctrl-C. A benchmark, not a test.

With DEBUG=0 the session and CSRF cookies are `Secure`; a browser would not send them over plain
http, so the client's cookie jar treats http on loopback as secure (no setting is relaxed for it).
"""

import argparse
import hashlib
import html.parser
import http.cookiejar
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/lsp_portal_bench"
SCHEME = "mhp"
PASSWORD = "Kuat-Sekali-2026"  # noqa: S105 - a throw-away account in a throw-away database
STEPS = (
    "signup",
    "confirm",
    "start",
    "personal",
    "experience",
    "upload",
    "self-assessment",
    "submit",
    "page",
)
CONFIRM_LINK = re.compile(r"https?://[^/\s]+(/accounts/confirm/[^\s]+/)")
EMAIL_DOMAIN = "bench.test"
ALERT_KINDS = {"success", "info", "warning", "danger", "primary", "secondary", "light", "dark"}
VOID_TAGS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}


# ---------------------------------------------------------------------------------------------
# HTTP client: urllib with a cookie jar, no automatic redirects
# ---------------------------------------------------------------------------------------------


class _PassThrough(urllib.request.HTTPErrorProcessor):
    """Return every response as it is: 3xx are checked and followed by hand, 4xx/5xx counted."""

    def http_response(self, request, response):
        return response

    https_response = http_response


def _cookie_policy():
    # Loopback http stands in for the TLS proxy: send the Secure session and CSRF cookies over it.
    return http.cookiejar.DefaultCookiePolicy(secure_protocols=("https", "wss", "http"))


class PageParser(html.parser.HTMLParser):
    """What the journey needs from a page: the CSRF token, form inputs, select options, alert
    messages and field errors."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.csrf = None
        self.inputs = []  # (name, type, value)
        self.options = {}  # select name -> [(value, text)]
        self.alerts = []  # (kind, text)
        self.field_errors = []
        self._select = None
        self._option = None
        self._capture = None  # [kind, depth, parts]

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        classes = (attrs.get("class") or "").split()
        if self._capture is not None and tag not in VOID_TAGS:
            self._capture[1] += 1
        if tag == "input":
            name = attrs.get("name")
            if name == "csrfmiddlewaretoken" and self.csrf is None:
                self.csrf = attrs.get("value")
            elif name:
                self.inputs.append((name, attrs.get("type", "text"), attrs.get("value", "")))
        elif tag == "select":
            self._select = attrs.get("name")
            self.options.setdefault(self._select, [])
        elif tag == "option" and self._select:
            self._option = [attrs.get("value", ""), []]
        elif self._capture is None and "alert" in classes:
            kind = next((c[6:] for c in classes if c[6:] in ALERT_KINDS), "info")
            self._capture = [kind, 0, []]
        elif self._capture is None and (
            "invalid-feedback" in classes or ("text-danger" in classes and tag in ("div", "span"))
        ):
            self._capture = ["field-error", 0, []]

    def handle_endtag(self, tag):
        if tag == "option" and self._option is not None:
            value, parts = self._option
            self.options[self._select].append((value, " ".join("".join(parts).split())))
            self._option = None
        elif tag == "select":
            self._select = None
        if self._capture is not None and tag not in VOID_TAGS:
            if self._capture[1] == 0:
                kind, _depth, parts = self._capture
                text = " ".join("".join(parts).split())
                if kind != "field-error":
                    self.alerts.append((kind, text))
                elif text:
                    self.field_errors.append(text)
                self._capture = None
            else:
                self._capture[1] -= 1

    def handle_data(self, data):
        if self._option is not None:
            self._option[1].append(data)
        if self._capture is not None:
            self._capture[2].append(data)


@dataclass
class Response:
    status: int
    location: str
    body: str
    url: str
    _page: PageParser = None

    @property
    def page(self):
        if self._page is None:
            self._page = PageParser()
            self._page.feed(self.body)
        return self._page


class JourneyError(Exception):
    def __init__(self, step, message):
        super().__init__(f"{step}: {message}")
        self.step = step


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.latencies = {step: [] for step in STEPS}
        self.requests = 0
        self.posts = 0
        self.statuses = {}

    def add(self, step, method, status, seconds):
        with self.lock:
            self.latencies[step].append(seconds)
            self.requests += 1
            self.posts += method == "POST"
            self.statuses[status] = self.statuses.get(status, 0) + 1


class Deadline(Exception):
    """--timeout passed (or the run was interrupted): no further request is started."""


class Client:
    """One virtual applicant's browser: its own cookie jar, CSRF token and Origin header."""

    def __init__(self, base, stats, stop, request_timeout):
        self.base = base
        self.stats = stats
        self.stop = stop
        self.timeout = request_timeout
        self.jar = http.cookiejar.CookieJar(policy=_cookie_policy())
        self.opener = urllib.request.build_opener(
            urllib.request.ProxyHandler({}),  # never an http_proxy from the environment
            urllib.request.HTTPCookieProcessor(self.jar),
            _PassThrough(),
        )
        self.csrf = None

    def request(self, step, method, path, *, fields=None, files=None):
        if self.stop.is_set():
            raise Deadline
        headers = {"Accept-Language": "id-ID,id;q=0.9", "User-Agent": "lsp-load-bench"}
        data = None
        if method == "POST":
            headers["Origin"] = self.base
            headers["Referer"] = self.base + path
            pairs = [("csrfmiddlewaretoken", self.csrf), *(fields or [])]
            if files is None:
                data = urllib.parse.urlencode(pairs).encode()
                headers["Content-Type"] = "application/x-www-form-urlencoded"
            else:
                data, headers["Content-Type"] = _multipart(pairs, files)
        # the URL is always http://127.0.0.1:<port>/...
        request = urllib.request.Request(  # noqa: S310
            self.base + path, data=data, headers=headers, method=method
        )
        started = time.perf_counter()
        try:
            with self.opener.open(request, timeout=self.timeout) as raw:
                body = raw.read().decode("utf-8", "replace")
                status = raw.status
                location = raw.headers.get("Location", "")
        except (OSError, urllib.error.URLError) as error:  # refused, reset, timed out
            self.stats.add("page" if method == "GET" else step, method, "exception", 0.0)
            raise JourneyError(step, f"{method} {path}: {type(error).__name__}: {error}") from None
        elapsed = time.perf_counter() - started
        self.stats.add("page" if method == "GET" else step, method, status, elapsed)
        response = Response(status, location, body, path)
        if status >= 400:
            raise JourneyError(step, f"{method} {path} -> {status}: {_explain(response)}")
        return response

    def get(self, step, path, *, expect_success=False):
        """A page as the browser shows it: 200, no error message, its CSRF token kept."""
        response = self.request(step, "GET", path)
        if response.status != 200:
            raise JourneyError(step, f"GET {path} -> {response.status} {response.location}")
        errors = [text for kind, text in response.page.alerts if kind in ("danger", "warning")]
        if errors:
            raise JourneyError(step, f"GET {path} shows an error: {errors[0][:300]}")
        if expect_success and not any(kind == "success" for kind, _t in response.page.alerts):
            raise JourneyError(step, f"GET {path}: no success message after the POST")
        self.csrf = response.page.csrf or self.csrf
        return response

    def post(self, step, path, *, expect, fields=None, files=None, success_message=True):
        """A form POST that must redirect to `expect` (a regex on the path); the redirect is
        followed like a browser does. A form page returned instead (200/400) is an error."""
        response = self.request(step, "POST", path, fields=fields, files=files)
        target = urllib.parse.urlsplit(response.location).path
        if response.status not in (301, 302, 303) or not re.fullmatch(expect, target):
            raise JourneyError(
                step,
                f"POST {path} -> {response.status} {response.location!r} (expected a redirect to"
                f" {expect}): {_explain(response)}",
            )
        return target, self.get(step, target, expect_success=success_message)


def _explain(response):
    if response.status >= 500 or not response.body:
        title = re.search(r"<title>(.*?)</title>", response.body, re.S)
        return (title.group(1).strip() if title else response.body[:200]) or "(empty body)"
    page = response.page
    messages = [text for kind, text in page.alerts if kind != "success"] + page.field_errors
    return "; ".join(messages)[:500] or "(no message on the page)"


def _multipart(pairs, files):
    boundary = uuid.uuid4().hex
    out = []
    for name, value in pairs:
        out.append(
            f"--{boundary}\r\nContent-Disposition: form-data; "
            f'name="{name}"\r\n\r\n{value}\r\n'.encode()
        )
    for name, filename, content_type, content in files:
        out.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
            f'filename="{filename}"\r\nContent-Type: {content_type}\r\n\r\n'.encode()
            + content
            + b"\r\n"
        )
    out.append(f"--{boundary}--\r\n".encode())
    return b"".join(out), f"multipart/form-data; boundary={boundary}"


# ---------------------------------------------------------------------------------------------
# One applicant
# ---------------------------------------------------------------------------------------------


@dataclass
class Upload:
    code: str  # the required document's code, or "evidence" for FR-APL-02
    filename: str
    content_type: str
    content: bytes
    sha256: str = field(init=False)

    def __post_init__(self):
        self.sha256 = hashlib.sha256(self.content).hexdigest()


def make_uploads(number, requirements):
    """Real, distinct files for one applicant (registration.demo_files), in upload order."""
    from registration.demo_files import image_bytes, pdf_bytes

    uploads = []
    for requirement in requirements:
        for copy in range(1, requirement["quantity"] + 1):
            code = requirement["code"]
            if requirement["images_only"]:
                content = image_bytes("JPEG", text=f"Foto {number} {copy}")
                uploads.append(Upload(code, f"foto-{number:04d}-{copy}.jpg", "image/jpeg", content))
            else:
                content = pdf_bytes(f"{requirement['name'][:40]} - pemohon {number}")
                uploads.append(Upload(code, f"{code}-{number:04d}.pdf", "application/pdf", content))
    evidence = pdf_bytes(f"Sertifikat pelatihan layanan pelanggan - pemohon {number}")
    uploads.append(Upload("evidence", f"sertifikat-{number:04d}.pdf", "application/pdf", evidence))
    return uploads


def _option(response, select, label_part):
    for value, text in response.page.options.get(select, []):
        if value and label_part in text:
            return value
    raise JourneyError("page", f"no option {label_part!r} in <select name={select}>")


class Mailbox:
    """The e-mails the portal wrote (Django's file backend: one file per message), by recipient."""

    def __init__(self, folder):
        self.folder = folder
        self.seen = set()
        self.by_recipient = {}
        self.lock = threading.Lock()

    def confirmation_path(self, email):
        """The path of the confirmation link e-mailed to `email` (None if there is none)."""
        with self.lock:
            if email not in self.by_recipient:
                for path in sorted(self.folder.glob("*.log")):
                    if path.name in self.seen:
                        continue
                    self.seen.add(path.name)
                    text = path.read_text("utf-8", "replace")
                    to = re.search(r"^To: (.+)$", text, re.M)
                    link = CONFIRM_LINK.search(text)
                    if to and link:
                        self.by_recipient[to.group(1).strip()] = link.group(1)
            return self.by_recipient.get(email)


def run_applicant(client, number, requirements, uploads, mailbox):
    """The whole journey of one applicant; raises JourneyError at the first thing that fails."""
    email = f"asesi-{number:04d}@{EMAIL_DOMAIN}"
    # -- sign up, then confirm the address through the e-mailed link (issue 12.7) ---------------
    client.get("signup", "/accounts/signup/")
    client.post(
        "signup",
        "/accounts/signup/",
        expect="/accounts/signup/sent/",
        fields=[
            ("email", email),
            ("full_name", f"Pemohon Beban {number:04d}"),
            ("password1", PASSWORD),
            ("password2", PASSWORD),
        ],
        success_message=False,
    )
    link = mailbox.confirmation_path(email)
    if link is None:
        raise JourneyError("confirm", f"no confirmation e-mail to {email}")
    client.get("confirm", link)
    _target, dashboard = client.post("confirm", link, expect="/dashboard/")
    if f"/schemes/{SCHEME}/apply/" not in dashboard.body:
        raise JourneyError("confirm", "the dashboard offers no application for the scheme")

    # -- FR-APL-01: start and personal data ---------------------------------------------------
    target, personal = client.post(
        "start",
        f"/schemes/{SCHEME}/apply/",
        expect=r"/applications/\d+/personal/",
        success_message=False,
    )
    pk = int(target.split("/")[2])
    courses = [value for name, _t, value in personal.page.inputs if name == "completed_courses"]
    if not courses:
        raise JourneyError("personal", "no course checkboxes on the personal data page")
    _target, experience = client.post(
        "personal",
        f"/applications/{pk}/personal/",
        expect=rf"/applications/{pk}/experience/",
        fields=[
            ("full_name", f"Pemohon Beban {number:04d}"),
            ("nik", f"3174{number:012d}"),
            ("birth_place", "Jakarta"),
            ("birth_date", "2002-01-12"),
            ("gender", "P" if number % 2 else "L"),
            ("phone", "0812 3456 7890"),
            ("email", email),
            ("address", "Jl. Boulevard Bintaro Jaya, Tangerang Selatan"),
            ("university", "Universitas Pembangunan Jaya"),
            ("study_programme", "Manajemen"),
            ("student_number", f"2019{number:04d}"),
            ("semester", "7"),
            *[("completed_courses", value) for value in courses],
            ("continue", "1"),
        ],
    )

    # -- experience (6.2: at least 400 hours in a relevant field) -----------------------------
    _target, experience = client.post(
        "experience",
        f"/applications/{pk}/experience/",
        expect=rf"/applications/{pk}/experience/",
        fields=[
            ("organisation", "PT Pelanggan Setia"),
            ("field", _option(experience, "field", "Manajemen Pelanggan")),
            ("role", "Magang Customer Service"),
            ("hours", "420"),
            ("start_date", "2024-02-01"),
            ("end_date", "2024-05-31"),
        ],
    )
    if 'data-testid="relevant-hours">420<' not in experience.body:
        raise JourneyError("experience", "the experience page does not show 420 relevant hours")

    # -- documents: every required file through the upload form ---------------------------------
    documents = client.get("upload", f"/applications/{pk}/documents/")
    by_code = {r["code"]: r for r in requirements}
    for upload in uploads:
        if upload.code == "evidence":
            continue
        requirement = by_code[upload.code]
        value = str(requirement["pk"])
        if value not in {v for v, _t in documents.page.options.get("requirement", [])}:
            raise JourneyError("upload", f"{upload.code} is not offered in the upload form")
        _target, documents = client.post(
            "upload",
            f"/applications/{pk}/documents/",
            expect=rf"/applications/{pk}/documents/",
            fields=[("requirement", value)],
            files=[("file", upload.filename, upload.content_type, upload.content)],
        )

    # -- FR-APL-02: K for every element (or unit); a new evidence file for the first, the letter
    # for the rest --
    self_assessment = client.get("self-assessment", f"/applications/{pk}/self-assessment/")
    prefixes = list(
        dict.fromkeys(
            name[: -len("-answer")]
            for name, _t, _v in self_assessment.page.inputs
            if name.startswith(("unit-", "element-")) and name.endswith("-answer")
        )
    )
    if not prefixes:
        raise JourneyError("self-assessment", "no units on the self-assessment page")
    letter_name = next(u.filename for u in uploads if u.code == "surat-magang")
    letter = _option(self_assessment, f"{prefixes[0]}-evidence", letter_name)
    evidence = uploads[-1]
    fields, files = [], []
    for index, prefix in enumerate(prefixes):
        first = index == 0
        fields += [
            (f"{prefix}-answer", "K"),
            (f"{prefix}-evidence", "" if first else letter),
            (f"{prefix}-note", "Sertifikat pelatihan" if first else "Saat magang"),
        ]
        if first:
            files.append(
                (f"{prefix}-upload", evidence.filename, "application/pdf", evidence.content)
            )
        else:  # an empty file input, as a browser sends it
            files.append((f"{prefix}-upload", "", "application/octet-stream", b""))
    fields.append(("continue", "1"))
    _target, detail = client.post(
        "self-assessment",
        f"/applications/{pk}/self-assessment/",
        expect=rf"/applications/{pk}/",
        fields=fields,
        files=files,
    )
    if 'data-passed="0"' in detail.body:
        failing = re.findall(r'data-check="([^"]+)" data-passed="0"', detail.body)
        raise JourneyError("self-assessment", f"checks still failing before submit: {failing}")

    # -- submit with the agreement (9.1.5) --------------------------------------------------------
    _target, submitted = client.post(
        "submit",
        f"/applications/{pk}/submit/",
        expect=rf"/applications/{pk}/",
        fields=[("agree", "on")],
    )
    if not re.search(r'data-testid="status">\s*Diajukan\s*<', submitted.body):
        raise JourneyError("submit", "the application page does not show the status Diajukan")
    return pk


# ---------------------------------------------------------------------------------------------
# Set-up: database, static files, gunicorn
# ---------------------------------------------------------------------------------------------


def recreate_database(url):
    """Drop and create the bench database, so every run starts from the migrations alone."""
    import psycopg2
    from psycopg2 import sql

    parts = urllib.parse.urlsplit(url)
    name = parts.path.lstrip("/")
    if "bench" not in name:
        sys.exit(f"Refusing to drop database {name!r}: its name must contain 'bench'.")
    connection = psycopg2.connect(
        host=parts.hostname,
        port=parts.port or 5432,
        user=urllib.parse.unquote(parts.username or "postgres"),
        password=urllib.parse.unquote(parts.password) if parts.password else None,
        dbname="postgres",
    )
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    connection.close()


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_environment(args, temp):
    """The production settings the portal needs to run on plain http on loopback."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key
        not in {
            "REDIS_URL",
            "PRIVATE_STORAGE_BACKEND",
            "CSRF_TRUSTED_ORIGINS",
            "SECURE_HSTS_SECONDS",
            "DJANGO_SETTINGS_MODULE",
        }
    }
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "lsp_portal.settings",
            "DEBUG": "0",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_SSL_REDIRECT": "0",
            "BEHIND_TLS_PROXY": "0",
            "DATABASE_URL": args.database_url,
            "CONN_MAX_AGE": str(args.conn_max_age),
            "MEDIA_ROOT": str(temp / "media"),
            "STATIC_ROOT": str(temp / "static"),
            "CELERY_TASK_ALWAYS_EAGER": "1",
            # Every message a file in the mail folder: the journey reads its confirmation link.
            "EMAIL_URL": "filemail:///" + str(temp / "mail"),
            # All applicants sign up from 127.0.0.1: a whole campus behind one address.
            "ACCOUNT_EMAIL_LIMIT_PER_CLIENT": "1000000",
            "LOG_LEVEL": "WARNING",
        }
    )
    return env


class Gunicorn:
    def __init__(self, env, workers, log_path):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        self.log = open(log_path, "wb")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(  # noqa: S603
            [
                sys.executable,
                "-m",
                "gunicorn",
                "lsp_portal.wsgi",
                "--workers",
                str(workers),
                "--bind",
                f"127.0.0.1:{self.port}",
                "--no-control-socket",  # gunicorn 27 would otherwise share ~/.gunicorn/gunicorn.ctl
            ],
            cwd=BASE_DIR,
            env={**env, "PORTAL_BASE_URL": self.base},
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: stopped as a whole
        )

    def wait_ready(self, seconds=60):
        deadline = time.monotonic() + seconds
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), _PassThrough())
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"gunicorn exited with {self.process.returncode}:\n{self.tail()}"
                )
            try:
                with opener.open(self.base + "/", timeout=5) as response:
                    if response.status == 200:
                        return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not answer within {seconds} s:\n{self.tail()}")

    def stop(self):
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGTERM)
                self.process.wait(timeout=20)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                try:
                    os.killpg(self.process.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                self.process.wait()
        self.log.close()

    def tail(self, lines=40):
        self.log.flush()
        text = self.log_path.read_text("utf-8", "replace")
        return "\n".join(text.splitlines()[-lines:])

    def error_lines(self):
        """Server-side failures in the log: Django's 'Internal Server Error', tracebacks, and
        gunicorn's own [ERROR]/[CRITICAL] lines (a worker timeout, a worker that died)."""
        self.log.flush()
        text = self.log_path.read_text("utf-8", "replace")
        pattern = re.compile(r"Internal Server Error|Traceback|\[ERROR\]|\[CRITICAL\]")
        return [line for line in text.splitlines() if pattern.search(line)]


# ---------------------------------------------------------------------------------------------
# Checking the result in the database and on disk
# ---------------------------------------------------------------------------------------------


def verify(expected, media_root):
    """Every applicant's application: submitted, complete by the portal's own checks, every
    uploaded file in the database with the uploaded size and hash and on disk with the same."""
    from django.contrib.auth import get_user_model

    from registration import apl02, eligibility
    from registration.models import Application, Document

    applications = (
        Application.objects.filter(applicant__email__endswith="@" + EMAIL_DOMAIN)
        .select_related("applicant", "scheme")
        .prefetch_related("documents__requirement", "self_assessments", "completed_courses")
    )
    unit_count = None
    result = {
        "applications": 0,
        "submitted": 0,
        "complete": 0,
        "files_expected": sum(len(u) for u in expected.values()),
        "files_stored": 0,
        "bytes_stored": 0,
        "problems": [],
    }
    seen = set()
    for application in applications:
        result["applications"] += 1
        number = int(application.applicant.email.split("@")[0].split("-")[1])
        problems = []
        if number in seen:
            problems.append("a second application")
        seen.add(number)
        if application.status == Application.Status.SUBMITTED and application.agreed_at:
            result["submitted"] += 1
        else:
            problems.append(f"status {application.status}")
        failing = [c.code for c in eligibility.completeness_checks(application) if not c.passed]
        failing += [c.code for c in eligibility.eligibility_checks(application) if not c.passed]
        if failing:
            problems.append(f"checks failing: {failing}")
        if unit_count is None:
            unit_count = len(apl02.answer_keys(application))
        if len(application.self_assessments.all()) != unit_count:
            problems.append(f"{len(application.self_assessments.all())} FR-APL-02 answers")
        wanted = {u.filename: u for u in expected.get(number, [])}
        for document in application.documents.all():
            upload = wanted.pop(document.original_name, None)
            if upload is None:
                problems.append(f"unexpected document {document.original_name}")
                continue
            code = document.requirement.code if document.requirement_id else "evidence"
            path = Path(media_root) / document.file.name
            if code != upload.code:
                problems.append(f"{upload.filename} stored as {code}")
            elif (document.size, document.sha256) != (len(upload.content), upload.sha256):
                problems.append(f"{upload.filename}: database size/hash differ from the upload")
            elif not path.is_file():
                problems.append(f"{upload.filename}: missing on disk ({document.file.name})")
            elif hashlib.sha256(path.read_bytes()).hexdigest() != upload.sha256:
                problems.append(f"{upload.filename}: file on disk differs from the upload")
            else:
                result["files_stored"] += 1
                result["bytes_stored"] += path.stat().st_size
        problems += [f"{name}: not in the database" for name in wanted]
        if problems:
            result["problems"].append((number, problems))
        else:
            result["complete"] += 1
    known = set(Document.objects.values_list("file", flat=True))
    on_disk = {str(p.relative_to(media_root)) for p in Path(media_root).rglob("*") if p.is_file()}
    result["orphans"] = len(on_disk - known)
    users = get_user_model().objects.filter(email__endswith="@" + EMAIL_DOMAIN)
    result["users"] = users.count()
    result["confirmed"] = users.filter(email_confirmed_at__isnull=False).count()
    return result


# ---------------------------------------------------------------------------------------------
# Figures
# ---------------------------------------------------------------------------------------------


def percentile(values, q):
    """Nearest-rank percentile of a non-empty list."""
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, int(-(-q * len(ordered) // 100)) - 1))
    return ordered[index]


def print_figures(args, run, stats, checked, server):
    errors = len(run["errors"])
    files_missing = checked["files_expected"] - checked["files_stored"]
    rows = [
        ("applicants", f"{args.applicants} (started {run['started']}, finished {run['finished']})"),
        ("concurrency", f"{args.concurrency} client threads"),
        (
            "gunicorn workers",
            f"{args.workers} sync, DEBUG=0, CONN_MAX_AGE={args.conn_max_age}, "
            f"host {os.cpu_count()} cores, load {run['load_before']:.2f} before",
        ),
        ("wall time", f"{run['wall']:.1f} s (set-up {run['setup']:.1f} s not counted)"),
        (
            "requests total",
            f"{stats.requests} ({stats.posts} POST, {stats.requests - stats.posts} GET)",
        ),
        ("requests/s", f"{stats.requests / run['wall']:.1f}"),
        ("applications/s", f"{run['finished'] / run['wall']:.2f}"),
        (
            "CPU",
            f"gunicorn {server['cpu']:.1f} s (master and workers, start to stop), "
            f"client {run['client_cpu']:.1f} s; the run had "
            f"{run['wall'] * (os.cpu_count() or 1):.0f} core-seconds",
        ),
    ]
    width = max(len(name) for name, _v in rows) + 2
    print()
    print("== Load: sign-up -> FR-APL-01 with uploads -> FR-APL-02 -> submit, over HTTP ==")
    for name, value in rows:
        print(f"{name:<{width}}{value}")
    print(f"\n{'latency (ms)':<16}{'count':>7}{'p50':>9}{'p95':>9}{'p99':>9}{'max':>9}")
    for step in STEPS:
        values = [v * 1000 for v in stats.latencies[step]]
        if not values:
            continue
        label = "page (GETs)" if step == "page" else step
        print(
            f"{label:<16}{len(values):>7}{percentile(values, 50):>9.0f}"
            f"{percentile(values, 95):>9.0f}{percentile(values, 99):>9.0f}{max(values):>9.0f}"
        )
    statuses = ", ".join(f"{k}: {v}" for k, v in sorted(stats.statuses.items(), key=str))
    rows = [
        ("HTTP statuses", statuses),
        ("errors", f"{errors}" + (f" (first: {run['errors'][0]})" if errors else "")),
        ("server log errors", f"{len(server['log_errors'])}"),
        (
            "applications",
            f"{checked['applications']} in the database, {checked['submitted']} submitted, "
            f"{checked['users']} accounts ({checked['confirmed']} confirmed by their link)",
        ),
        ("complete", f"{checked['complete']} of {args.applicants}"),
        (
            "files stored",
            f"{checked['files_stored']} of {checked['files_expected']} "
            f"({checked['bytes_stored'] / 1024:.0f} KiB, size and SHA-256 as uploaded), "
            f"missing {files_missing}, orphans on disk {checked['orphans']}",
        ),
    ]
    print()
    for name, value in rows:
        print(f"{name:<{width}}{value}")
    for line in server["log_errors"][:10]:
        print(f"  server: {line}")
    for error in run["errors"][:10]:
        print(f"  error: {error}")
    for number, problems in checked["problems"][:10]:
        print(f"  incomplete asesi-{number:04d}: {'; '.join(problems)[:300]}")
    print(
        f"applications_complete={checked['complete']} errors={errors} "
        f"files_missing={files_missing} wall_seconds={run['wall']:.1f} "
        f"requests={stats.requests} requests_per_second={stats.requests / run['wall']:.1f} "
        f"applicants={args.applicants} concurrency={args.concurrency} workers={args.workers}"
    )
    ok = (
        errors == 0
        and not server["log_errors"]
        and checked["complete"] == args.applicants
        and files_missing == 0
    )
    return 0 if ok else 1


# ---------------------------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------------------------


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--applicants", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=20, help="client threads")
    parser.add_argument(
        "--timeout", type=float, default=600, help="seconds after which no request starts"
    )
    parser.add_argument("--workers", type=int, default=3, help="gunicorn sync workers (2-4)")
    parser.add_argument("--request-timeout", type=float, default=30)
    parser.add_argument("--conn-max-age", type=int, default=0, help="CONN_MAX_AGE for gunicorn")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL),
        help="dropped and recreated; the name must contain 'bench' (env BENCH_DATABASE_URL)",
    )
    parser.add_argument(
        "--keep-temp", action="store_true", help="keep MEDIA_ROOT and the gunicorn log"
    )
    return parser.parse_args(argv)


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def main(argv=None):
    args = parse_args(argv)
    temp = Path(tempfile.mkdtemp(prefix="lsp-load-"))
    server = None
    stop = threading.Event()
    # SIGTERM ends the run like Ctrl-C does: the finally block below stops gunicorn and cleans up.
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        setup_started = time.perf_counter()
        env = server_environment(args, temp)
        os.environ.update(env)
        (temp / "media").mkdir()
        (temp / "mail").mkdir()
        mailbox = Mailbox(temp / "mail")
        print(f"Recreating {urllib.parse.urlsplit(args.database_url).path.lstrip('/')}, migrating")
        recreate_database(args.database_url)

        import django
        from django.core.management import call_command

        django.setup()
        call_command("migrate", interactive=False, verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)

        from django.db import connections

        from registration.models import Scheme

        scheme = Scheme.objects.get(code=SCHEME)
        requirements = list(
            scheme.required_documents.values("pk", "code", "name", "quantity", "images_only")
        )
        connections.close_all()
        numbers = range(1, args.applicants + 1)
        expected = {n: make_uploads(n, requirements) for n in numbers}

        print(f"Starting gunicorn with {args.workers} workers")
        server = Gunicorn(env, args.workers, temp / "gunicorn.log")
        server.wait_ready()
        warm = Client(server.base, Stats(), stop, args.request_timeout)
        for _ in range(args.workers * 2):  # each worker imports and compiles templates once
            warm.get("page", "/accounts/signup/")
        run = {"setup": time.perf_counter() - setup_started, "errors": []}
        run["load_before"] = os.getloadavg()[0]
        print(
            f"{args.applicants} applicants, {args.concurrency} at a time, against {server.base}"
            f" (set-up took {run['setup']:.1f} s)"
        )

        stats = Stats()
        lock = threading.Lock()
        counters = {"started": 0, "finished": 0}

        def applicant(number):
            if stop.is_set():
                return
            with lock:
                counters["started"] += 1
            client = Client(server.base, stats, stop, args.request_timeout)
            try:
                run_applicant(client, number, requirements, expected[number], mailbox)
            except Deadline:
                return
            except JourneyError as error:
                with lock:
                    run["errors"].append(f"asesi-{number:04d} {error}")
                return
            except Exception as error:  # noqa: BLE001 - counted and reported, never hidden
                with lock:
                    run["errors"].append(f"asesi-{number:04d} {type(error).__name__}: {error}")
                return
            with lock:
                counters["finished"] += 1
                done = counters["finished"]
            if done % max(1, args.applicants // 10) == 0:
                print(f"  {done} submitted, {time.perf_counter() - started:.1f} s", flush=True)

        cpu_before = time.process_time()
        started = time.perf_counter()
        timer = threading.Timer(args.timeout, stop.set)
        timer.daemon = True
        timer.start()
        pool = ThreadPoolExecutor(max_workers=args.concurrency, thread_name_prefix="asesi")
        try:
            futures = [pool.submit(applicant, n) for n in numbers]
            for future in futures:
                future.result()
        except BaseException:
            stop.set()
            server.stop()  # requests in flight fail at once instead of running to the end
            raise
        finally:
            stop.set()
            timer.cancel()
            pool.shutdown(wait=True, cancel_futures=True)
        run["wall"] = time.perf_counter() - started
        run["client_cpu"] = time.process_time() - cpu_before
        run.update(counters)
        stopped = run["started"] - run["finished"] - len(run["errors"])
        if stopped or run["started"] < args.applicants:
            run["errors"].append(
                f"--timeout {args.timeout:.0f} s reached: {stopped} applicants stopped between "
                f"two requests, {args.applicants - run['started']} not started"
            )

        log_errors = server.error_lines()
        server.stop()
        children = os.times()
        server_info = {"cpu": children.children_user + children.children_system}
        server_info["log_errors"] = log_errors
        if log_errors:
            print("--- gunicorn log (tail) ---\n" + server.tail())
        checked = verify(expected, env["MEDIA_ROOT"])
        connections.close_all()
        return print_figures(args, run, stats, checked, server_info)
    except KeyboardInterrupt:
        stop.set()
        print("\nInterrupted: stopping gunicorn and removing temporary files.", file=sys.stderr)
        return 130
    finally:
        stop.set()
        if server is not None:
            server.stop()
        if args.keep_temp:
            print(f"Kept {temp}", file=sys.stderr)
        else:
            shutil.rmtree(temp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
