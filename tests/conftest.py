"""The fixed cast every test can use, and helpers to build applications in any state.

alice and bob are applicants; staff is Admin LSP; assessor/assessor2, technical, appeal and director
hold the other roles. Every test runs against the real PostgreSQL of DATABASE_URL.
"""

import datetime
import importlib
import io
import os
import shutil
import threading
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.contrib.auth.models import Group
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from openpyxl import Workbook

from lsp_portal.accounts.models import User
from lsp_portal.accounts.roles import Role
from lsp_portal.errors import RuleError
from lsp_portal.files import check_upload
from registration import apl02, services
from registration.demo_files import image_bytes, pdf_bytes
from registration.inputs import ExperienceInput, PersonalDataInput, SelfAssessmentInput
from registration.models import Application, Scheme

PASSWORD = "Rahasia-Uji-2026"

# The assessment stage in every state (eligible -> ... -> recommended), for assessment tests and the
# later stages that start from an assessment.
pytest_plugins = ["tests.fixtures_assessment"]


def worker_redis_url(url, worker):
    """The Redis of pytest-xdist worker gwN: the same server, database number (base - N), so
    that two workers never clear each other's cache or take each other's Celery messages."""
    parts = urlsplit(url)
    base = int(parts.path.strip("/") or 0)
    if base - worker < 0:
        raise pytest.UsageError(
            f"REDIS_URL {url}: worker gw{worker} would need Redis database {base - worker}; "
            "use a higher database number or fewer workers (PYTEST_WORKERS)"
        )
    return urlunsplit(parts._replace(path=f"/{base - worker}"))


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node):
    """pytest-xdist, in the controller, before worker `node` imports anything of Django: set the
    worker's REDIS_URL (see worker_redis_url). The settings, the Celery app and every process a
    test starts (os.environ) read it; the PostgreSQL test database is per worker already
    (pytest-django appends _gw0, _gw1, ...)."""
    url = os.environ.get("REDIS_URL")
    if not url:
        return
    own = worker_redis_url(url, int(node.gateway.id.removeprefix("gw")))
    node.workerinput["redis_base_url"] = url
    node.gateway.remote_exec(f"import os; os.environ['REDIS_URL'] = {own!r}").waitclose(30)


@pytest.fixture(autouse=True, scope="session")
def _celery_in_memory():
    """Tests never leave tasks in the real Redis queue: they publish to an in-memory broker, and
    run tasks only where a test asks for `celery_eager`. test_infrastructure checks real Redis."""
    from lsp_portal.celery import app

    app.conf.broker_url = "memory://"
    app.conf.task_always_eager = False


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path, monkeypatch):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media")},
        },
        "private": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media"), "base_url": None},
        },
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.LANGUAGE_CODE = "id"
    # Two-factor sign-in follows DEBUG by default; tests do not depend on how they are run (the
    # tests of two-factor sign-in turn it on).
    settings.TWO_FACTOR_REQUIRED = False
    # The cache (Redis under make test) outlives a test; what one test cached must not leak into
    # the next (e.g. public verification records, keyed by certificate numbers that repeat).
    from django.core.cache import cache

    cache.clear()
    # A FileField resolves its storage once at import: point the private ones at this test's folder.
    from django.apps import apps
    from django.db.models import FileField

    for model in apps.get_models():
        for field in model._meta.get_fields():
            if isinstance(field, FileField):
                monkeypatch.setattr(field, "storage", storages["private"])
    yield
    shutil.rmtree(tmp_path / "media", ignore_errors=True)


@pytest.fixture
def celery_eager(settings):
    """Run Celery tasks in-process for this test (the default in tests is the real broker)."""
    from lsp_portal.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


def ensure_seed_data():
    """Transactional tests (browser, e-mail on commit) end with a flush that also empties what the
    data migrations loaded; load the roles and the scheme again when they are missing."""
    if (
        Scheme.objects.filter(code="mhp").exists()
        and Group.objects.filter(name=Role.STAFF).exists()
    ):
        return
    from django.apps import apps

    roles = importlib.import_module("lsp_portal.accounts.migrations.0002_roles")
    scheme = importlib.import_module("registration.migrations.0002_scheme_mhp")
    sample = importlib.import_module("registration.migrations.0007_standard_mhp_sample")
    bank = importlib.import_module("assessment.migrations.0009_mhp_sample_instrument_bank")
    roles.create_roles(apps, None)
    scheme.load_scheme(apps, None)
    sample.load_sample(apps, None)
    bank.load_sample_bank(apps, None)


def make_user(email, name, *roles):
    ensure_seed_data()
    user = User.objects.create_user(email=email, password=PASSWORD, full_name=name)
    user.groups.set(Group.objects.filter(name__in=roles))
    return user


@pytest.fixture
def alice(db):
    return make_user("alice@example.org", "Alice Applicant", Role.APPLICANT)


@pytest.fixture
def bob(db):
    return make_user("bob@example.org", "Bob Applicant", Role.APPLICANT)


@pytest.fixture
def staff(db):
    return make_user("staff@example.org", "Sam Staff", Role.STAFF)


@pytest.fixture
def assessor(db):
    return make_user("assessor@example.org", "Ana Assessor", Role.ASSESSOR)


@pytest.fixture
def assessor2(db):
    return make_user("assessor2@example.org", "Andi Assessor", Role.ASSESSOR)


@pytest.fixture
def technical(db):
    return make_user("technical@example.org", "Tia Technical", Role.TECHNICAL_TEAM)


@pytest.fixture
def appeal(db):
    return make_user("appeal@example.org", "Abe Appeal", Role.APPEAL_TEAM)


@pytest.fixture
def director(db):
    return make_user("director@example.org", "Dina Director", Role.DIRECTOR)


@pytest.fixture
def scheme(db):
    ensure_seed_data()
    return Scheme.objects.get(code="mhp")


def pdf_upload(name="dokumen.pdf", text="Dokumen"):
    return SimpleUploadedFile(name, pdf_bytes(text), content_type="application/pdf")


def jpeg_upload(name="foto.jpg"):
    return SimpleUploadedFile(name, image_bytes("JPEG"), content_type="image/jpeg")


PERSONAL = {
    "full_name": "Alice Applicant",
    "nik": "3174015201020001",
    "birth_place": "Jakarta",
    "birth_date": datetime.date(2002, 1, 12),
    "gender": "P",
    "address": "Jl. Merdeka 1, Jakarta",
    "phone": "0812 3456 7890",
    "email": "alice@example.org",
    "university": "Universitas Pembangunan Jaya",
    "study_programme": "Manajemen",
    "student_number": "2019001",
    "semester": 7,
}


def personal_input(**values):
    """FR-APL-01 parts a and b for the service: PERSONAL with `values` replaced."""
    return PersonalDataInput(**{**PERSONAL, "completed_courses": (), **values})


def fill_application(user, application, *, hours=400, courses=None, documents=True, answers=True):
    """Fill FR-APL-01/02 through the services, as complete as asked."""
    scheme = application.scheme
    services.save_personal_data(
        user,
        application,
        personal_input(
            full_name=user.full_name,
            email=user.email,
            completed_courses=tuple(scheme.required_courses.all() if courses is None else courses),
        ),
    )
    if hours is not None:
        services.add_experience(
            user,
            application,
            ExperienceInput(
                organisation="PT Contoh",
                field=scheme.experience_fields.first(),
                role="Magang CRM",
                start_date=datetime.date(2024, 1, 1),
                end_date=datetime.date(2024, 4, 30),
                hours=hours,
            ),
        )
    letter = None
    if documents:
        for requirement in scheme.required_documents.all():
            for _ in range(requirement.quantity):
                upload = jpeg_upload() if requirement.images_only else pdf_upload()
                document = services.upload_document(
                    user,
                    application,
                    requirement,
                    check_upload(upload, images_only=requirement.images_only),
                )
                if requirement.code == "surat-magang":
                    letter = document
    if answers:
        services.save_self_assessment(
            user,
            application,
            {
                key: SelfAssessmentInput(answer="K", evidence=letter)
                for key in apl02.answer_keys(application)
            },
        )
    application.refresh_from_db()
    return application


@pytest.fixture
def draft(alice, scheme):
    """Alice's empty draft application."""
    return services.start_application(alice, scheme)


@pytest.fixture
def complete_draft(alice, draft):
    """Alice's draft with everything filled in, eligible, not yet submitted."""
    return fill_application(alice, draft)


@pytest.fixture
def submitted(alice, complete_draft):
    """Alice's complete application, submitted to the LSP."""
    return services.submit(alice, complete_draft, agreed=True)


@pytest.fixture
def bobs_application(bob, scheme):
    return services.start_application(bob, scheme)


@pytest.fixture
def login(client):
    def _login(user):
        client.force_login(user)
        return client

    return _login


def status_of(application):
    return Application.objects.get(pk=application.pk).status


def run_concurrently(*calls):
    """Run each call in its own thread (its own PostgreSQL connection), all released at once.
    Returns the sorted outcomes: "ok" or "refused" (RuleError). Needs a transactional test."""
    barrier = threading.Barrier(len(calls))
    outcomes = [None] * len(calls)

    def worker(index, call):
        try:
            barrier.wait()
            call()
            outcomes[index] = "ok"
        except RuleError:
            outcomes[index] = "refused"
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return sorted(outcomes)


@pytest.fixture
def second_scheme(db):
    """Another scheme, to show nothing assumes there is only one."""
    scheme = Scheme.objects.create(
        code="pemasaran-digital",
        document_number="004-P1UPJ-PD-2026",
        name="Pemasaran Digital",
        fee=500_000,
        validity_years=3,
        eligible_study_programmes="Manajemen\nBisnis Digital",
        min_experience_hours=200,
    )
    scheme.units.create(number=1, code="M.702090.001.01", title="Menyusun Konten Digital")
    scheme.units.create(number=2, code="M.702090.002.01", title="Mengelola Iklan Daring")
    scheme.required_courses.create(number=1, name="Pemasaran Digital")
    scheme.experience_fields.create(name="Pemasaran Digital")
    scheme.required_documents.create(number=1, code="ktp", name="Fotokopi KTP", section="9.1.2.a")
    return scheme


def run_outbox_jobs():
    """Run the outbox jobs that wait, as a worker would once the request's transaction
    committed (in a plain `db` test nothing is committed, so nothing ran); returns their tasks."""
    from lsp_portal.celery import app
    from lsp_portal.outbox.models import Message

    ran = []
    for message in Message.objects.pending():
        app.tasks[message.task].apply(
            args=message.args, kwargs={"outbox_id": message.pk}, throw=True
        )
        ran.append(message.task)
    return ran


def xlsx_upload(rows, header, name):
    """An .xlsx upload of one sheet: the header row, then `rows`; a text starting with "=" stays
    text (not a formula), as a spreadsheet program saves it when typed with a leading quote."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(header))
    for row in rows:
        sheet.append(row)
    for cells in sheet.iter_rows():
        for cell in cells:
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"  # text typed with a leading "=", not a formula
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())
