"""Backup and restore (issue 7): `manage.py backup` writes the PostgreSQL database (pg_dump) and
every file under MEDIA_ROOT into one archive with a manifest of sha256 sums; `manage.py restore`
puts both back into the database and MEDIA_ROOT of the current settings, or refuses and changes
nothing.

The tests are transactional: pg_dump only sees committed data. The round trip restores into a fresh
PostgreSQL database (`<test database>_restore`, dropped afterwards) through `manage.py restore` in a
subprocess, as an operator would run it, with DATABASE_URL and MEDIA_ROOT pointing at the new home.
"""

import hashlib
import io
import json
import os
import subprocess
import sys
import tarfile
from contextlib import closing
from pathlib import Path
from urllib.parse import quote

import psycopg2
import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.db.models import FileField
from psycopg2 import sql

from appeals import services as appeal_services
from appeals.models import AnswerLetter, Appeal, Attachment
from certificates import services as certificate_services
from certificates.models import Certificate, CertificateCard, Signatory
from decisions.models import Decision, Decree, Minutes
from lsp_portal.accounts.roles import Role
from lsp_portal.audit.models import AuditEvent
from lsp_portal.files import check_upload
from lsp_portal.ops import archive as archive_format
from lsp_portal.ops.management.commands.restore import key_counts
from registration import services as registration_services
from registration.models import Application, Document
from tests.appeals.conftest import FINDING, appeal_form
from tests.certificates.conftest import FEE, POINTS, sign_decree_for
from tests.conftest import fill_application, make_user, pdf_upload
from tests.decisions.conftest import make_member, recommended_case

transactional = pytest.mark.django_db(transaction=True)

# Key fields that must survive the round trip unchanged, per model.
KEY_FIELDS = {
    Application: ["id", "public_id", "applicant", "scheme", "status", "submitted_at"],
    Document: ["id", "application", "requirement", "file", "sha256", "size", "uploaded_at"],
    Certificate: ["id", "number", "status", "holder", "token", "issued_on", "pdf", "pdf_hash"],
    CertificateCard: ["id", "certificate", "pdf", "pdf_hash"],
    Minutes: ["id", "pdf", "pdf_hash"],
    Decree: ["id", "number", "pdf", "pdf_hash"],
    Decision: ["id", "assessment", "result", "basis"],
    Appeal: ["id", "decision", "appellant", "status", "outcome", "received_at"],
    Attachment: ["id", "appeal", "file"],
    AnswerLetter: ["id", "pdf", "pdf_hash"],
    AuditEvent: [
        "id", "created_at", "actor", "action", "content_type", "object_id", "from_status",
        "to_status", "reason",
    ],
}  # fmt: skip


def sha256(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def media_snapshot(root):
    """{relative path: sha256} of every file under `root`."""
    return {
        path.relative_to(root).as_posix(): sha256(path)
        for path in sorted(Path(root).rglob("*"))
        if path.is_file()
    }


def leftovers(folder):
    """Hidden work folders a backup or restore would leave behind by mistake."""
    return sorted(path.name for path in Path(folder).iterdir() if path.name.startswith("."))


def connect(name):
    """A plain psycopg2 connection (no Django adapters) to database `name` on the test server."""
    params = connection.settings_dict
    return psycopg2.connect(
        dbname=name,
        host=params["HOST"] or None,
        port=params["PORT"] or None,
        user=params["USER"] or None,
        password=params["PASSWORD"] or None,
    )


def database_url(name):
    params = connection.settings_dict
    credentials = quote(params["USER"] or "", safe="")
    if params["PASSWORD"]:
        credentials += ":" + quote(params["PASSWORD"], safe="")
    host = params["HOST"] or "127.0.0.1"
    return f"postgres://{credentials}@{host}:{params['PORT'] or 5432}/{quote(name, safe='')}"


def all_tables(cursor):
    """Every row of every table in the public schema: {table: sorted rows}."""
    cursor.execute(
        "SELECT table_name FROM information_schema.tables "
        "WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name"
    )
    tables = {}
    for (table,) in cursor.fetchall():
        cursor.execute(sql.SQL("SELECT * FROM {}").format(sql.Identifier(table)))
        tables[table] = sorted(cursor.fetchall(), key=repr)
    return tables


def key_rows(cursor, model):
    columns = [model._meta.get_field(name).column for name in KEY_FIELDS[model]]
    cursor.execute(
        sql.SQL("SELECT {} FROM {} ORDER BY 1").format(
            sql.SQL(", ").join(map(sql.Identifier, columns)),
            sql.Identifier(model._meta.db_table),
        )
    )
    return cursor.fetchall()


def stored_files(cursor):
    """Every name stored in a FileField column: [(table, name)]."""
    found = []
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, FileField):
                cursor.execute(
                    sql.SQL("SELECT {} FROM {} WHERE {} <> ''").format(
                        sql.Identifier(field.column),
                        sql.Identifier(model._meta.db_table),
                        sql.Identifier(field.column),
                    )
                )
                found += [(model._meta.db_table, name) for (name,) in cursor.fetchall()]
    return found


def database_fingerprint():
    """A digest of every table's content in the test database, to show nothing changed."""
    with connection.cursor() as cursor:
        fingerprint = {}
        for table in connection.introspection.table_names(cursor):
            cursor.execute(
                sql.SQL("SELECT count(*), md5(string_agg(t::text, '|' ORDER BY t::text)) FROM {} t")
                .format(sql.Identifier(table))
                .as_string(cursor.connection)
            )
            fingerprint[table] = cursor.fetchone()
    return fingerprint


def manage(*args, database, media_root):
    """`python manage.py <args>` as an operator runs it, on another database and MEDIA_ROOT."""
    env = {**os.environ, "DATABASE_URL": database_url(database), "MEDIA_ROOT": str(media_root)}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def read_manifest(path):
    with tarfile.open(path, "r:gz") as tar:
        return json.load(tar.extractfile(archive_format.MANIFEST))


def rewrite_archive(source, target, change):
    """Copy archive `source` to `target`, passing each member's (info, data) through `change`."""
    with tarfile.open(source, "r:gz") as old, tarfile.open(target, "w:gz") as new:
        for info in old.getmembers():
            data = old.extractfile(info).read()
            info, data = change(info, data)
            info.size = len(data)
            new.addfile(info, io.BytesIO(data))


@pytest.fixture
def fresh_database():
    """An empty PostgreSQL database beside the test database, dropped at the end."""
    name = f"{connection.settings_dict['NAME']}_restore"
    admin = connect("postgres")
    admin.autocommit = True
    drop = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
    try:
        with admin.cursor() as cursor:
            cursor.execute(drop)
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        yield name
    finally:
        with admin.cursor() as cursor:
            cursor.execute(drop)
        admin.close()


@pytest.fixture
def portal(celery_eager, alice, bob, staff, assessor, assessor_profile, tuk, director, appeal):
    """Real data through the services, PDFs rendered by the tasks on commit: alice Kompeten with
    an issued certificate (PDF and card), bob Belum Kompeten with an appeal (FR-AK-04 attachment,
    answer letter PDF), both decided in one meeting (minutes and decree PDFs), and each
    application's uploaded FR-APL-01 documents."""
    members = [
        make_member(make_user("technical@example.org", "Tia Teknis", Role.TECHNICAL_TEAM)),
        make_member(make_user("technical2@example.org", "Tono Teknis", Role.TECHNICAL_TEAM)),
    ]
    alices = recommended_case(alice, staff, assessor, assessor_profile, tuk)
    bobs = recommended_case(bob, staff, assessor, assessor_profile, tuk, result="BK")
    sign_decree_for(staff, director, members, [alices, bobs])
    Signatory.objects.create(name="Dr. Ratna Sari, M.M.", title="Direktur LSP UPJ")
    certificate = Certificate.objects.get(decision__assessment=alices)
    certificate_services.sign_agreement(alice, certificate, points=POINTS)
    certificate_services.record_fee(staff, certificate, amount=FEE)
    decision = Decision.objects.get(assessment=bobs)
    attachment = check_upload(pdf_upload("bukti-banding.pdf", "Bukti banding"))
    filed = appeal_services.file_appeal(bob, decision, appeal_form(), attachments=[attachment])
    appeal_services.appoint(staff, filed, appeal)
    appeal_services.record_finding(appeal, filed, text=FINDING, recommendation="dismissed")
    appeal_services.answer(director, filed, outcome="dismissed", reasons="Asesmen sudah adil.")
    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.ACTIVE and certificate.pdf
    assert CertificateCard.objects.get(certificate=certificate).pdf
    assert all(minutes.pdf for minutes in Minutes.objects.all())
    assert all(decree.pdf for decree in Decree.objects.all())
    return certificate


@pytest.fixture
def backup(tmp_path, submitted):
    """A backup of alice's submitted application (with its uploaded documents)."""
    path = tmp_path / "backups" / "portal.tar.gz"
    path.parent.mkdir()
    call_command("backup", output=str(path))
    return path


def change_after_backup(bob, scheme):
    """bob's application with uploaded documents, added after the backup was made."""
    return fill_application(bob, registration_services.start_application(bob, scheme))


@transactional
def test_backup_restores_every_row_and_file_into_a_fresh_database(portal, fresh_database, tmp_path):
    source_media = Path(settings.MEDIA_ROOT)
    output = tmp_path / "backups" / "portal.tar.gz"
    output.parent.mkdir()

    call_command("backup", output=str(output))

    assert output.stat().st_mode & 0o777 == 0o600  # KTP scans and transcripts: owner only
    assert leftovers(output.parent) == []
    manifest = read_manifest(output)
    assert manifest["database"]["name"] == connection.settings_dict["NAME"]
    assert manifest["created_at"]
    source_files = media_snapshot(source_media)
    assert manifest["file_count"] == len(source_files) == len(manifest["files"])
    assert {name: entry["sha256"] for name, entry in manifest["files"].items()} == source_files
    assert manifest["missing_files"] == []
    graph = MigrationLoader(connection).graph
    assert manifest["migrations"] == {
        app: sorted(name for label, name in graph.leaf_nodes() if label == app)
        for app in {label for label, _name in graph.leaf_nodes()}
    }

    restored_media = tmp_path / "restored" / "media"
    result = manage("restore", str(output), database=fresh_database, media_root=restored_media)

    assert result.returncode == 0, result.stderr
    assert "Restored database" in result.stdout
    assert f"{len(source_files)} files" in result.stdout
    source, restored = connect(connection.settings_dict["NAME"]), connect(fresh_database)
    with closing(source), closing(restored):
        source_cursor, restored_cursor = source.cursor(), restored.cursor()
        for model in KEY_FIELDS:
            rows = key_rows(source_cursor, model)
            assert rows, model  # the fixture built some of each
            assert key_rows(restored_cursor, model) == rows, model
        assert all_tables(restored_cursor) == all_tables(source_cursor)
        files = stored_files(restored_cursor)
        source_cursor.execute("SELECT file, sha256 FROM registration_document")
        documents = source_cursor.fetchall()
    # Uploaded documents + appeal attachment, minutes, decree, certificate, card, answer letter.
    assert len(files) >= len(documents) + 6
    for table, name in files:
        restored_file = restored_media / name
        assert restored_file.read_bytes() == (source_media / name).read_bytes(), (table, name)
    for name, digest in documents:
        assert sha256(restored_media / name) == digest
    assert media_snapshot(restored_media) == source_files
    assert leftovers(restored_media.parent) == []


@transactional
def test_restore_refuses_a_non_empty_target_without_force_and_changes_nothing(backup, bob, scheme):
    change_after_backup(bob, scheme)
    media_before = media_snapshot(settings.MEDIA_ROOT)
    database_before = database_fingerprint()

    with pytest.raises(CommandError, match="not empty.*--force"):
        call_command("restore", str(backup))

    assert database_fingerprint() == database_before
    assert Application.objects.filter(applicant=bob).exists()
    assert media_snapshot(settings.MEDIA_ROOT) == media_before
    assert leftovers(Path(settings.MEDIA_ROOT).parent) == []


def flip_media_byte(info, data):
    if info.name.startswith(archive_format.MEDIA_PREFIX) and info.name.endswith(".jpg"):
        middle = len(data) // 2
        data = data[:middle] + bytes([data[middle] ^ 0x01]) + data[middle + 1 :]
    return info, data


def flip_dump_byte(info, data):
    if info.name == archive_format.DUMP:
        data = data[:-10] + bytes([data[-10] ^ 0x01]) + data[-9:]
    return info, data


def escape_media_root(info, data):
    if info.name.startswith(archive_format.MEDIA_PREFIX) and info.name.endswith(".jpg"):
        info.name = "media/../../escaped.jpg"
    return info, data


@transactional
@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (flip_media_byte, r"media/applications/.*\.jpg does not match its sha256"),
        (flip_dump_byte, r"database\.dump does not match its sha256"),
        (escape_media_root, r"unexpected member 'media/\.\./\.\./escaped\.jpg'"),
        ("truncate", r"cannot be read"),
    ],
    ids=["flipped-byte-in-a-media-file", "flipped-byte-in-the-dump", "path-escape", "truncated"],
)
def test_restore_refuses_a_damaged_archive_even_with_force_and_changes_nothing(
    backup, bob, scheme, tmp_path, damage, message
):
    damaged = tmp_path / "damaged.tar.gz"
    if damage == "truncate":
        damaged.write_bytes(backup.read_bytes()[: backup.stat().st_size * 2 // 3])
    else:
        rewrite_archive(backup, damaged, damage)
    change_after_backup(bob, scheme)
    media_before = media_snapshot(settings.MEDIA_ROOT)
    database_before = database_fingerprint()

    with pytest.raises(CommandError, match=f"cannot be restored: .*{message}.*Nothing was changed"):
        call_command("restore", str(damaged), force=True)

    assert database_fingerprint() == database_before
    assert media_snapshot(settings.MEDIA_ROOT) == media_before
    assert leftovers(Path(settings.MEDIA_ROOT).parent) == []
    assert not (tmp_path / "escaped.jpg").exists()
    assert not (tmp_path.parent / "escaped.jpg").exists()


@transactional
@pytest.mark.parametrize("mounted", [False, True], ids=["folder", "mount-point"])
def test_restore_with_force_replaces_newer_data_and_files(
    backup, bob, scheme, monkeypatch, mounted
):
    media_root = Path(settings.MEDIA_ROOT)
    archived = media_snapshot(media_root)
    change_after_backup(bob, scheme)
    assert media_snapshot(media_root) != archived
    # A shared NFS mount cannot be renamed: its entries are swapped one by one instead.
    monkeypatch.setattr(
        os.path, "ismount", lambda path: mounted and Path(path).resolve() == media_root.resolve()
    )

    call_command("restore", str(backup), force=True)

    assert not Application.objects.filter(applicant=bob).exists()
    assert Application.objects.get(applicant__email="alice@example.org").documents.count() > 0
    assert media_snapshot(media_root) == archived
    assert leftovers(media_root) == [] and leftovers(media_root.parent) == []


@transactional
def test_a_failed_backup_leaves_no_partial_archive(submitted, tmp_path, monkeypatch):
    output = tmp_path / "backups" / "portal.tar.gz"
    output.parent.mkdir()

    def write_then_fail(path, *args):
        Path(path).write_bytes(b"half an archive")
        raise CommandError("disk full")

    monkeypatch.setattr(archive_format, "write_archive", write_then_fail)

    with pytest.raises(CommandError, match="disk full"):
        call_command("backup", output=str(output))

    assert list(output.parent.iterdir()) == []


@transactional
def test_backup_refuses_to_overwrite_an_existing_archive(backup):
    before = backup.read_bytes()

    with pytest.raises(CommandError, match="already exists"):
        call_command("backup", output=str(backup))

    assert backup.read_bytes() == before


@pytest.mark.parametrize("command", ["backup", "restore"])
def test_backup_and_restore_refuse_sqlite_clearly(tmp_path, command):
    archive = tmp_path / "portal.tar.gz"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}
    args = ["--output", str(archive)] if command == "backup" else [str(archive)]

    result = subprocess.run(
        [sys.executable, "manage.py", command, *args],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 1
    assert "Backups need PostgreSQL" in result.stderr
    assert "Traceback" not in result.stderr
    assert not archive.exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "no such backup archive"),
        (b"not an archive at all\n", "cannot be read"),
        ("foreign", "does not start with manifest.json"),
    ],
    ids=["missing", "not-gzip", "foreign-tar"],
)
def test_restore_refuses_a_missing_or_foreign_archive(tmp_path, content, message):
    path = tmp_path / "portal.tar.gz"
    if content == "foreign":
        with tarfile.open(path, "w:gz") as tar:
            data = b"hello"
            info = tarfile.TarInfo("hello.txt")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    elif content is not None:
        path.write_bytes(content)

    with pytest.raises(CommandError, match=message):
        call_command("restore", str(path))

    assert not Path(settings.MEDIA_ROOT).exists()


def test_the_restore_summary_counts_the_records_each_stage_registers():
    """The kernel names no stage: registration, certificates and appeals register their main
    records (lsp_portal/ops/summary.py), counted between the users and the audit events."""
    rows = {
        model._meta.db_table: count
        for model, count in (
            (Application, 5),
            (Document, 9),
            (Certificate, 1),
            (Appeal, 2),
            (AuditEvent, 40),
            (apps.get_model(settings.AUTH_USER_MODEL), 3),
        )
    }
    rows["unrelated_table"] = 7

    assert key_counts(rows) == (
        "users 3, applications 5, documents 9, certificates 1, appeals 2, audit events 40"
    )
    assert key_counts({}) == ""
