"""Settings for lsp_portal, driven by environment variables.

DEBUG is off unless the environment sets it: development sets DEBUG=1 (`make run` does) and needs
nothing else (SQLite, in-process Celery tasks, console e-mail, a development SECRET_KEY with a
warning). Production sets at least SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL, REDIS_URL and EMAIL_URL
(see README)."""

import os
import sys
import tempfile
from datetime import timedelta
from pathlib import Path
from typing import Any

import environ
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

# Off unless set: a server started without DEBUG gets the production settings (and needs a key).
DEBUG = env.bool("DEBUG", default=False)

SECRET_KEY = env.str("SECRET_KEY", default="")
# Without DEBUG and a key, SECRET_KEY stays empty: what serves or works refuses to start, saying
# why (lsp_portal/secret_key.py); tooling that signs nothing (makemigrations) still runs.
if not SECRET_KEY and DEBUG:
    SECRET_KEY = "django-insecure-development-only-key-never-use-in-production"  # noqa: S105
    # Said once per process (runserver's reloaded child, RUN_MAIN, stays quiet).
    if os.environ.get("RUN_MAIN") != "true":
        sys.stderr.write(
            "Warning: SECRET_KEY is not set; DEBUG=1 uses a fixed development key. "
            "Never run like this in production.\n"
        )

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    # django.contrib.admin, whose site also asks for the second step of two-factor sign-in.
    "lsp_portal.twofactor.admin_site.PortalAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "lsp_portal.accounts",
    "lsp_portal.audit",
    "lsp_portal.workdays",
    "registration",
    "assessment",
    "decisions",
    "certificates",
    "appeals",
    # Above the stages: the root URLconf, demo data and benchmark tooling.
    "lsp_site",
    "lsp_portal.ops",
    "lsp_portal.outbox",
    # After django_otp's plugins: its admin replaces theirs (view and audited delete only).
    "lsp_portal.twofactor",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "lsp_portal.middleware.PortalLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    # request.user.is_verified(): the session passed the second step (django-otp).
    "django_otp.middleware.OTPMiddleware",
    # An idle staff session ends (STAFF_IDLE_MINUTES); then, until the second step is passed,
    # only the two-factor pages, log-out and public pages answer (TWO_FACTOR_*).
    "lsp_portal.twofactor.middleware.IdleSessionMiddleware",
    "lsp_portal.twofactor.middleware.TwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "lsp_portal.middleware.SignedInNoStoreMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last: turns a log-in refused for too many failures into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "lsp_site.urls"
WSGI_APPLICATION = "lsp_portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "lsp_portal.accounts.context_processors.roles",
                "lsp_portal.twofactor.context_processors.two_factor",
            ],
        },
    },
]

# --- Database: SQLite unless DATABASE_URL names another (PostgreSQL in production and tests) ---
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache: Redis when REDIS_URL is set, memory otherwise ---
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "lsp",
        }
    }
    # Sessions read from Redis, written through to the database (one query less per page).
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# A user's role names are cached between requests only in a cache every process shares (Redis):
# a change of groups forgets them at once everywhere.
ROLE_CACHE_SECONDS = 300 if REDIS_URL else 0

# --- Accounts ---
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "home"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Password reset links and e-mail confirmation links are valid this long (Django's tokens).
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24
# Sign-up, the confirmation link's resend and the password reset (the requests that e-mail an
# address) are limited together, whether or not the address has an account (issue 12.7): at most
# ACCOUNT_EMAIL_LIMIT_PER_TARGET requests for one e-mail address and ACCOUNT_EMAIL_LIMIT_PER_CLIENT
# from one client address in ACCOUNT_EMAIL_LIMIT_MINUTES; beyond them a 429 page. The per-address
# limit bounds the e-mails anyone can make the portal send to a victim (and the guesses at which
# addresses have accounts); the trade-off is that someone can use it up for an hour and so delay
# the victim's own reset - who still has the e-mails already sent. The per-client limit bounds
# one machine's probing and password hashing; a class signing up together behind one campus NAT
# address shares it, so raise it for such a day.
ACCOUNT_EMAIL_LIMIT_PER_TARGET = env.int("ACCOUNT_EMAIL_LIMIT_PER_TARGET", default=5)
ACCOUNT_EMAIL_LIMIT_PER_CLIENT = env.int("ACCOUNT_EMAIL_LIMIT_PER_CLIENT", default=20)
ACCOUNT_EMAIL_LIMIT_MINUTES = env.int("ACCOUNT_EMAIL_LIMIT_MINUTES", default=60)
# Log-in throttling (django-axes, with lsp_portal.accounts.security.PortalAxesHandler): after
# LOGIN_FAILURE_LIMIT failures within LOGIN_LOCKOUT_MINUTES the account (from any address), and
# separately the address + browser (for any account), are refused until LOGIN_LOCKOUT_MINUTES have
# passed since the last failure. A successful log-in clears the failures of that account only, never
# those of other accounts guessed from the same browser (issue 12.1).
# LOGIN_ADDRESS_FAILURE_LIMIT failures from one address, whatever the browser and account, lock the
# whole address: it stops spraying many accounts with a new User-Agent each time. The trade-off: a
# campus or office behind one NAT address shares that counter, so it is kept well above the
# per-account limit (50: 50 mistyped passwords in 15 minutes); an attacker still gets up to 49
# guesses per cool-off from one address, each against a different account. Raise it for a large
# campus behind a single address; lower it when sign-ins come from many addresses.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOGIN_LOCKOUT_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = ["username", ["ip_address", "user_agent"]]
LOGIN_ADDRESS_FAILURE_LIMIT = env.int("LOGIN_ADDRESS_FAILURE_LIMIT", default=50)
AXES_HANDLER = "lsp_portal.accounts.security.PortalAxesHandler"
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_CALLABLE = "lsp_portal.accounts.security.login_username"
AXES_CLIENT_IP_CALLABLE = "lsp_portal.accounts.security.client_ip"
AXES_LOCKOUT_CALLABLE = "lsp_portal.accounts.security.locked_out"
AXES_VERBOSE = False

# Two-factor sign-in (django-otp: a TOTP app such as Google Authenticator or FreeOTP, and 10
# single-use recovery codes), for the roles that can change or see every case. Required: after the
# password a user of TWO_FACTOR_ROLES (or a superuser) must enter a code, and one without an app
# must set it up before any other page. Not required: only those who turned it on (any role, on
# the "Security" page) are asked. Off by default in development so that `make run`'s demo logins
# stay one step; on by default whenever DEBUG is off.
TWO_FACTOR_ROLES = env.list("TWO_FACTOR_ROLES", default=["Admin LSP", "Direktur LSP"])
TWO_FACTOR_REQUIRED = env.bool("TWO_FACTOR_REQUIRED", default=not DEBUG)
TWO_FACTOR_RECOVERY_CODES = 10
# Wrong codes: the next attempt waits 1, 2, 4, 8... times this many seconds (django-otp), so that
# guessing one of a million codes is out of reach; a right code resets it.
OTP_TOTP_THROTTLE_FACTOR = env.int("TWO_FACTOR_THROTTLE_SECONDS", default=1)
OTP_STATIC_THROTTLE_FACTOR = OTP_TOTP_THROTTLE_FACTOR
OTP_TOTP_ISSUER = "LSP Portal"
# The admin never shows a TOTP secret, its QR code or recovery codes (the superuser only removes
# a lost device).
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
# Sessions of these roles end after STAFF_IDLE_MINUTES without a request (0: never): a screen left
# signed in at a TUK or in the office must not show applicants' NIK to the next person. Wider than
# TWO_FACTOR_ROLES: every role that sees other people's data (not applicants, who see only their
# own and keep Django's two-week session). The last request is written to the session at most once
# a minute, so the limit holds to within a minute.
STAFF_IDLE_ROLES = env.list(
    "STAFF_IDLE_ROLES",
    default=["Admin LSP", "Direktur LSP", "Asesor", "Tim Teknis", "Tim Banding"],
)
STAFF_IDLE_MINUTES = env.int("STAFF_IDLE_MINUTES", default=30)

# --- Internationalisation: Bahasa Indonesia by default, English available ---
LANGUAGE_CODE = "id"
LANGUAGES = [("id", "Bahasa Indonesia"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Jakarta"
USE_I18N = True
USE_TZ = True
# One date format per language, in one place (lsp_portal/formats): "2 Des 2026" and "2 Des 2026
# 00.58 WIB" (English "2 Dec 2026", "2 Dec 2026 00:58 WIB"). Django's own rendering ({{ value }},
# the date filter, the admin) and lsp_portal.dates read it, always on the Asia/Jakarta clock.
FORMAT_MODULE_PATH = ["lsp_portal.formats"]

# --- Static and uploaded files ---
STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploads (KTP, transcripts, photos...) never get a public URL: they live in the "private" storage
# and are served only through permission-checked views. With several web/worker machines, point
# PRIVATE_STORAGE_BACKEND at S3-compatible storage (django-storages) or MEDIA_ROOT at a shared
# mount.
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "private-media")
PRIVATE_STORAGE_BACKEND = env.str(
    "PRIVATE_STORAGE_BACKEND", default="django.core.files.storage.FileSystemStorage"
)
if PRIVATE_STORAGE_BACKEND.endswith("FileSystemStorage"):
    _private_options: dict[str, Any] = {"location": str(MEDIA_ROOT), "base_url": None}
else:
    _private_options = {
        "bucket_name": env.str("AWS_STORAGE_BUCKET_NAME", default=""),
        "endpoint_url": env.str("AWS_S3_ENDPOINT_URL", default=None),
        "default_acl": "private",
        "querystring_auth": True,
        "file_overwrite": False,
    }
STORAGES = {
    "default": {"BACKEND": PRIVATE_STORAGE_BACKEND, "OPTIONS": _private_options},
    "private": {"BACKEND": PRIVATE_STORAGE_BACKEND, "OPTIONS": _private_options},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Largest accepted upload, per file (FR-APL-01 documents and FR-APL-02 evidence).
UPLOAD_MAX_BYTES = env.int("UPLOAD_MAX_BYTES", default=5 * 1024 * 1024)
# Largest spreadsheet of a scheme's competency standard (units, elements, KUK) staff may import;
# the 15 units of a scheme with every KUK are some tens of kilobytes.
STANDARD_IMPORT_MAX_BYTES = env.int("STANDARD_IMPORT_MAX_BYTES", default=2 * 1024 * 1024)
# Most rows (one a KUK) such a spreadsheet may hold: a small file may still unpack to very many.
STANDARD_IMPORT_MAX_ROWS = env.int("STANDARD_IMPORT_MAX_ROWS", default=5000)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_PERMISSIONS = 0o640

# --- E-mail ---
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="LSP Portal <no-reply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
PORTAL_BASE_URL = env.str("PORTAL_BASE_URL", default="http://127.0.0.1:8000")

# --- Celery: Redis broker when REDIS_URL is set, tasks run in-process otherwise ---
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 120
CELERY_TASK_SOFT_TIME_LIMIT = 100
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {"max_retries": 2, "interval_start": 0, "interval_step": 0.5}
# Periodic jobs (run exactly one `celery -A lsp_portal beat` per deployment).
# Beat keeps its state (when each job last ran) in a file: outside the work tree, so that
# `make run` with Redis leaves no celerybeat-schedule.* files behind.
CELERY_BEAT_SCHEDULE_FILENAME = env.str(
    "CELERY_BEAT_SCHEDULE_FILENAME",
    default=str(Path(tempfile.gettempdir()) / "lsp_portal-celerybeat-schedule"),
)
CELERY_BEAT_SCHEDULE = {
    "certificate-notices-daily": {
        "task": "certificates.tasks.daily_certificate_notices",
        "schedule": crontab(hour=7, minute=0),
    },
    "appeal-deadline-notices": {
        "task": "appeals.tasks.appeal_deadline_notices",
        "schedule": crontab(minute=15),
    },
    "outbox-sweep": {"task": "lsp_portal.outbox.tasks.outbox_sweep", "schedule": 60.0},
}
# The outbox (lsp_portal/outbox): e-mails and PDFs are recorded with the change that causes them
# and handed to Celery after the commit; the sweep hands over again what waits. A running job holds
# a lease (longer than any task's time limit); a job handed over but not done after
# OUTBOX_REDISPATCH_SECONDS is handed over again (the queue may have been lost).
OUTBOX_LEASE_SECONDS = env.int("OUTBOX_LEASE_SECONDS", default=300)
OUTBOX_REDISPATCH_SECONDS = env.int("OUTBOX_REDISPATCH_SECONDS", default=600)
OUTBOX_MAX_ATTEMPTS = env.int("OUTBOX_MAX_ATTEMPTS", default=20)

# --- Security: strict whenever DEBUG is off (check --deploy is clean) ---
# Content-Security-Policy (django-csp), in development too so tests see what production sends: no
# inline script or style, nothing from other origins, no framing (an uploaded document, shown in
# an iframe of its review page, sends its own stricter policy).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
# Powerful browser features the portal never uses are switched off for its pages and anything
# they embed (django-permissions-policy); fullscreen stays for the portal's own PDF previews.
PERMISSIONS_POLICY: dict[str, list[str]] = {
    feature: []
    for feature in (
        "accelerometer", "autoplay", "browsing-topics",
        "camera", "clipboard-read", "display-capture", "encrypted-media", "geolocation",
        "gyroscope", "hid", "idle-detection", "local-fonts", "magnetometer", "microphone", "midi",
        "payment", "publickey-credentials-get", "screen-wake-lock", "serial", "usb",
        "xr-spatial-tracking",
    )
} | {"fullscreen": ["self"]}  # fmt: skip
SESSION_COOKIE_HTTPONLY = True
# The language switch's cookie: never sent over plain http in production, not readable by
# scripts, not sent with cross-site requests.
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_SECURE = not DEBUG
X_FRAME_OPTIONS = "DENY"  # the document view alone allows same-origin framing (previews)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
    if env.bool("BEHIND_TLS_PROXY", default=True):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Behind the TLS proxy, the visitor's address is the last one it appended to X-Forwarded-For.
LOGIN_TRUST_FORWARDED_FOR = not DEBUG and env.bool("BEHIND_TLS_PROXY", default=True)

# --- Dates people enter (lsp_portal/dates.py): checked in forms and services, so that no stored
# value can break a page (a year-1 meeting did). Events (meetings, tests, freezes, TUK and
# assessor registration, closure days) lie between these years; a person's own history
# (internships, date of birth) may start in PERSON_DATE_MIN_YEAR.
DATE_INPUT_MIN_YEAR = env.int("DATE_INPUT_MIN_YEAR", default=2000)
DATE_INPUT_MAX_YEAR = env.int("DATE_INPUT_MAX_YEAR", default=2100)
PERSON_DATE_MIN_YEAR = env.int("PERSON_DATE_MIN_YEAR", default=1900)

# --- PDFs: WeasyPrint loads only data: URLs and files under the static folders and these
# font folders (lsp_portal/pdf.py); nothing from the network.
PDF_FONT_DIRS = env.list("PDF_FONT_DIRS", default=["/usr/share/fonts"])

# --- Forms ---
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- Logging: everything to stderr, so gunicorn/systemd/containers collect it ---
LOGGING: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"refusals": {"()": "lsp_portal.logging.RefusalsOnOneLine"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["refusals"]}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # WeasyPrint and fontTools log every rendering step at INFO.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        # django-axes logs every log-in at INFO; lockouts are logged at WARNING.
        "axes": {"level": "WARNING"},
    },
}

PORTAL_NAME = _("LSP Certification Portal")

# --- The LSP itself (printed on minutes, decrees and certificates) ---
LSP_NAME = env.str("LSP_NAME", default="LSP Universitas Pembangunan Jaya")
LSP_CITY = env.str("LSP_CITY", default="Tangerang Selatan")

# --- Decisions (9.4) ---
# Members of the technical team who must be present for decisions to count.
DECISION_QUORUM = env.int("DECISION_QUORUM", default=2)
# How many minutes before its scheduled time staff may open a meeting (members arriving early).
# Earlier, the minutes would record a session held before the time announced to its members; a
# larger value lets a meeting start early when everyone is there, 0 holds it to the minute.
MEETING_OPEN_EARLY_MINUTES = env.int("MEETING_OPEN_EARLY_MINUTES", default=30)
# Decree number: {seq} running number per year, {year}, {month}, {roman_month}.
DECREE_NUMBER_PATTERN = env.str(
    "DECREE_NUMBER_PATTERN", default="{seq:03d}/SK/LSP-UPJ/{roman_month}/{year}"
)

# --- Appeals (9.9.2): hours after a decision's publication during which it can be appealed ---
APPEAL_WINDOW_HOURS = env.int("APPEAL_WINDOW_HOURS", default=24)
# 9.9.8.e (calendar days) and 9.9.6 (working days) from receipt; reminders this many days before.
APPEAL_COMPLETION_DAYS = env.int("APPEAL_COMPLETION_DAYS", default=7)
APPEAL_DECISION_WORKING_DAYS = env.int("APPEAL_DECISION_WORKING_DAYS", default=14)
APPEAL_REMINDER_DAYS_BEFORE = env.int("APPEAL_REMINDER_DAYS_BEFORE", default=2)
# Non-working days from the `holidays` package: public holidays and joint leave (cuti bersama).
APPEAL_HOLIDAY_CATEGORIES = env.list("APPEAL_HOLIDAY_CATEGORIES", default=["public", "government"])
APPEAL_MAX_ATTACHMENTS = env.int("APPEAL_MAX_ATTACHMENTS", default=5)
ANSWER_LETTER_NUMBER_PATTERN = env.str(
    "ANSWER_LETTER_NUMBER_PATTERN", default="{seq:03d}/BND/LSP-UPJ/{roman_month}/{year}"
)

# Public verification records are cached this long (each change of a certificate forgets them).
VERIFY_CACHE_SECONDS = env.int("VERIFY_CACHE_SECONDS", default=300)
# Look-ups by certificate number one client (address) may make a minute; beyond it the page
# answers 429. Numbers run per year and scheme, so without a limit they can be walked in order
# (issue 12.8). An employer checking a few certificates by hand stays far below 30; clients behind
# one NAT address share the count. The QR code's link (an unguessable token) is never limited.
VERIFY_NUMBER_LIMIT_PER_MINUTE = env.int("VERIFY_NUMBER_LIMIT_PER_MINUTE", default=30)

# --- Certificates (9.4.6): number; {seq} runs per year, with {scheme} {year} {month} {roman_month}
CERTIFICATE_NUMBER_PATTERN = env.str(
    "CERTIFICATE_NUMBER_PATTERN", default="{seq:05d}/LSP-UPJ/{scheme}/{roman_month}/{year}"
)

# --- Uploads: PDF check, storage quota and retention (issue 12; one block, easy to merge) ---
# lsp_portal/pdfcheck.py reads uploaded PDFs with pikepdf (qpdf); it logs its start at INFO.
LOGGING["loggers"]["pikepdf"] = {"level": "WARNING"}
# What one account may keep stored: its FR-APL-01 documents, FR-APL-02 evidence and appeal
# attachments together (withdrawn and rejected applications' files count until they are deleted).
# 50 MB holds a complete application (22 files: 7 documents, evidence for 15 units) at 2.2 MB a
# file, while scans are typically 0.2-1 MB; higher lets open sign-up fill the disk faster (about
# 95 MB an apply-upload-withdraw cycle at the 5 MB file limit), lower refuses large phone photos.
UPLOAD_QUOTA_BYTES = env.int("UPLOAD_QUOTA_BYTES", default=50 * 1024 * 1024)
# Retention (UU 27/2022 on personal data: keep it no longer than its purpose needs). The files of a
# withdrawn or rejected application are deleted UPLOAD_RETENTION_DAYS after it closed (time for
# questions and complaints); a draft unchanged for DRAFT_ABANDONED_DAYS is abandoned, and its files
# are deleted UPLOAD_RETENTION_DAYS later. Longer keeps personal data longer; shorter can delete
# what a late complaint needs. An application that reached assessment or an appeal keeps them.
UPLOAD_RETENTION_DAYS = env.int("UPLOAD_RETENTION_DAYS", default=90)
DRAFT_ABANDONED_DAYS = env.int("DRAFT_ABANDONED_DAYS", default=90)
CELERY_BEAT_SCHEDULE["upload-retention-daily"] = {
    "task": "registration.tasks.delete_expired_files",
    "schedule": crontab(hour=2, minute=30),
}

# --- Assessment events (issue 16) ---
# The most candidates one assessor takes in one event: an event's quota is at most its assessors
# times this.
SCHEDULE_MAX_CANDIDATES_PER_ASSESSOR = env.int("SCHEDULE_MAX_CANDIDATES_PER_ASSESSOR", default=10)
