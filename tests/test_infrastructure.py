"""The running environment: settings, PostgreSQL, Redis, deploy checks, demo data, the catalogue."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils import timezone

from appeals.models import Appeal
from assessment.coverage import coverage
from assessment.models import Assessment, ObservationRecord, Schedule, ScheduleCandidate
from certificates.models import Certificate
from decisions.models import Decision, Decree
from decisions.services import available_recommendations
from lsp_portal.accounts.models import User
from lsp_portal.accounts.roles import Role
from lsp_portal.audit.models import AuditEvent
from registration.models import Application, Scheme

ROOT = Path(__file__).resolve().parent.parent


def test_the_suite_runs_on_postgresql(db):
    assert connection.vendor == "postgresql"


def test_redis_cache_and_broker_answer(db):
    if not os.environ.get("REDIS_URL"):
        pytest.fail("make test sets REDIS_URL; run the suite through make test")
    cache.set("lsp-portal-test", "ok", 5)
    assert cache.get("lsp-portal-test") == "ok"
    from kombu import Connection

    with Connection(settings.CELERY_BROKER_URL, connect_timeout=3) as conn:
        conn.ensure_connection(max_retries=1)
        queue = conn.SimpleQueue("lsp-portal-selftest")
        queue.put({"hello": "redis"})
        assert queue.get(timeout=3).payload == {"hello": "redis"}
        queue.clear()
        queue.close()


def test_each_test_worker_has_its_own_redis_database(request, db):
    """Under pytest-xdist worker gwN uses Redis database (base - N) of the REDIS_URL make test
    set (tests/conftest.py): the cache, the broker and the REDIS_URL that processes started by a
    test inherit all point there, and what the cache stores lands in that database."""
    import redis

    url = os.environ["REDIS_URL"]
    assert settings.CACHES["default"]["LOCATION"] == url
    assert settings.CELERY_BROKER_URL == url
    workerinput = getattr(request.config, "workerinput", None)
    if workerinput is not None:
        base = int(workerinput["redis_base_url"].rsplit("/", 1)[1])
        worker = int(workerinput["workerid"].removeprefix("gw"))
        assert url.rsplit("/", 1)[1] == str(base - worker)
    cache.set("lsp-portal-worker-db", "ok", 5)
    client = redis.Redis.from_url(url)
    try:
        assert client.exists(cache.make_key("lsp-portal-worker-db")) == 1
    finally:
        client.close()


def run_manage(*args, **env):
    # The browser tests' DJANGO_ALLOW_ASYNC_UNSAFE must not leak into a "production" process.
    base = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_deploy_check_is_clean_in_production_settings():
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="0",
        SECRET_KEY="x" * 20 + "-production-secret-" + "y" * 30,
        ALLOWED_HOSTS="lsp.example.ac.id",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "WARNINGS" not in result.stdout + result.stderr


def test_production_refuses_to_start_without_a_secret_key():
    result = run_manage("check", "--deploy", DEBUG="0", SECRET_KEY="")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def start_django(script=None, **env):
    """`django.setup()` in a fresh interpreter, the environment without DEBUG and SECRET_KEY
    unless given; prints settings.DEBUG."""
    unset = {"DEBUG", "SECRET_KEY", "RUN_MAIN", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    base = {k: v for k, v in os.environ.items() if k not in unset}
    script = script or (
        "import django; django.setup(); from django.conf import settings as s; print(s.DEBUG)"
    )
    return subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env={**base, "DJANGO_SETTINGS_MODULE": "lsp_portal.settings", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_without_debug_and_a_secret_key_the_web_application_refuses_to_start_and_says_why():
    result = start_django(script="import lsp_portal.wsgi; print('served')")
    assert result.returncode != 0
    assert "ImproperlyConfigured: SECRET_KEY must be set when DEBUG is off" in result.stderr
    assert "for development set DEBUG=1" in result.stderr
    assert result.stdout == ""


def test_without_debug_and_a_secret_key_the_migrations_check_still_runs():
    """Tooling that signs nothing runs as with plain Django (the migrations check of make test
    and of a reviewer's checkout)."""
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY", "DATABASE_URL"}}
    result = subprocess.run(
        [sys.executable, "manage.py", "makemigrations", "--check", "--dry-run"],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "lsp_portal.settings"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No changes detected" in result.stdout


def test_debug_is_off_unless_set():
    result = start_django(SECRET_KEY="k" * 50)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"
    assert result.stderr == ""


def test_debug_without_a_secret_key_starts_with_one_warning_about_the_development_key():
    result = start_django(DEBUG="1")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True"
    assert result.stderr.count("Warning: SECRET_KEY is not set") == 1
    assert "development key" in result.stderr


def test_debug_with_a_secret_key_starts_without_a_warning():
    result = start_django(DEBUG="1", SECRET_KEY="k" * 50)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True"
    assert result.stderr == ""


def test_scheme_from_the_seed_document(db):
    scheme = Scheme.objects.get(code="mhp")
    assert scheme.name == "Pengelolaan Sistem Manajemen Hubungan Pelanggan"
    assert scheme.document_number == "003-P1UPJ-MHP-10-2021"
    assert (scheme.fee, scheme.validity_years, scheme.min_experience_hours) == (350_000, 3, 400)
    units = list(scheme.units.values_list("code", flat=True))
    assert len(units) == 15
    assert units[0] == "M.702093.001.01" and units[-1] == "M.702093.015.01"
    assert list(scheme.required_courses.values_list("name", flat=True)) == [
        "Manajemen Pemasaran",
        "Perilaku Konsumen",
        "Manajemen Jasa",
    ]
    documents = {d.code: d.quantity for d in scheme.required_documents.all()}
    assert documents == {"ktp": 1, "ktm": 1, "transkrip": 1, "pasfoto": 3, "surat-magang": 1}


def test_roles_exist_as_groups(db):
    from django.contrib.auth.models import Group

    assert set(Group.objects.values_list("name", flat=True)) >= set(Role.values)


def test_seed_demo_refuses_without_debug(db, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG=0"):
        call_command("seed_demo")
    assert not User.objects.exists()


def test_seed_demo_creates_one_user_per_role_and_a_case_per_status(db, settings, capsys):
    settings.DEBUG = False
    call_command("seed_demo", "--force")
    call_command("seed_demo", "--force")  # running twice changes nothing
    output = capsys.readouterr().out
    assert "direktur@demo.test" in output and "Direktur-Demo-2026" in output
    for role in Role.values:
        assert User.objects.with_role(role).exists(), role
    assert User.objects.with_role(Role.APPLICANT).count() >= 2
    assert User.objects.with_role(Role.ASSESSOR).count() == 2
    assert not User.objects.filter(email_confirmed_at__isnull=True).exists()  # all can log in
    statuses = set(Application.objects.values_list("status", flat=True))
    assert statuses == {
        "draft",
        "submitted",
        "revision_requested",
        "eligible",
        "rejected",
        "withdrawn",
    }
    assert Application.objects.count() == 12
    # Budi's withdrawn application: the retention job deleted its files and recorded it
    withdrawn = Application.objects.get(status="withdrawn")
    assert withdrawn.applicant.email == "asesi2@demo.test" and not withdrawn.documents.exists()
    deleted = AuditEvent.objects.for_object(withdrawn).get(action="application.files_deleted")
    assert deleted.data["count"] == 2
    # the assessment stage: a case waiting for the applicant's agreement, one agreed, one with the
    # results recorded in part (6 of 15), three submitted
    steps = sorted(Assessment.objects.values_list("status", flat=True))
    assert steps == [
        "assigned",
        "assigned",
        "evidence_reviewed",
        "plan_agreed",
        "recommended",
        "recommended",
        "recommended",
    ]
    # the assessment event: upcoming at the verified campus TUK with both assessors; gita, eligible
    # and waiting for an assessor, placed in it and assigned to one of them
    schedule = Schedule.objects.get()
    assert schedule.starts_at > timezone.now() and schedule.tuk.is_verified_on(schedule.event_date)
    assert schedule.assessors.count() == 2
    seat = ScheduleCandidate.objects.get(schedule=schedule, is_active=True)
    assert seat.application.applicant.email == "gita@demo.test"
    gitas = Assessment.objects.get(application=seat.application, is_current=True)
    assert gitas.assessor == seat.assessor and gitas.status == "assigned"
    in_progress = Assessment.objects.get(status="evidence_reviewed")
    assert in_progress.application.applicant.email == "rudi@demo.test"
    assert sorted(in_progress.results.values_list("result", flat=True)) == ["BK"] + ["K"] * 5
    # FR.IA.01 observed for those 6 units, one KUK of unit 4 not achieved
    observed = ObservationRecord.objects.filter(assessment=in_progress)
    assert observed.values("kuk__element__unit").distinct().count() == 6
    assert list(
        observed.filter(achieved=False).values_list("kuk__element__unit__number", flat=True)
    ) == [4]
    # unit 7: evidence from FR.IA.02/07/08/10 covers every KUK, no result recorded yet (9.3.3)
    unit7 = in_progress.application.scheme.units.get(number=7)
    unit7_coverage = coverage(in_progress, [unit7])[unit7.pk]
    assert unit7_coverage.rows and not unit7_coverage.missing
    assert unit7_coverage.instruments == ["IA.01", "IA.02", "IA.07", "IA.08", "IA.10"]
    assert not any(row.cells.get("IA.01") is not None for row in unit7_coverage.rows)
    assert not in_progress.results.filter(unit=unit7).exists()
    # the decision stage: fajar's K and indra's BK published under a signed decree; hana's BK waits
    decided = {
        d.assessment.application.applicant.email: d.result
        for d in Decision.objects.filter(published_at__isnull=False)
    }
    assert decided == {"fajar@demo.test": "K", "indra@demo.test": "BK"}
    assert Decree.objects.get().number.startswith("001/SK/")
    assert [a.application.full_name for a in available_recommendations()] == ["Hana Lestari"]
    # the certificate stage: fajar signed the agreement, the fee is recorded, the certificate issued
    certificate = Certificate.objects.get()
    assert certificate.holder.email == "fajar@demo.test"
    assert certificate.status == "active"
    assert certificate.number.startswith("00001/")
    assert certificate.scope.count() == 15
    # the appeal stage: indra appealed within the window; the appeal team is appointed
    appeal = Appeal.objects.get()
    assert appeal.appellant.email == "indra@demo.test"
    assert appeal.status == "under_review"
    assert [m.user.email for m in appeal.team.all()] == ["banding@demo.test"]
    assert User.objects.get(email="asesi@demo.test").check_password("Asesi-Demo-2026")


def test_uploads_can_live_on_s3_compatible_storage():
    """Several web/worker machines share uploads through S3-compatible storage (README)."""
    result = run_manage(
        "shell",
        "-c",
        "from django.core.files.storage import storages; s = storages['private']; "
        "print(type(s).__name__, s.bucket_name, s.endpoint_url, s.default_acl)",
        PRIVATE_STORAGE_BACKEND="storages.backends.s3.S3Storage",
        AWS_STORAGE_BUCKET_NAME="lsp-uploads",
        AWS_S3_ENDPOINT_URL="http://127.0.0.1:9000",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1].split() == [
        "S3Storage",
        "lsp-uploads",
        "http://127.0.0.1:9000",
        "private",
    ]
