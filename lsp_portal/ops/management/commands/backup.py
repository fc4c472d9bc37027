"""Back up the portal: its PostgreSQL database and every file under MEDIA_ROOT, in one archive.

    python manage.py backup [--output FILE.tar.gz]

The archive (see lsp_portal/ops/archive.py) holds a `pg_dump --format=custom` of the database,
every file of the private storage and a manifest with each file's sha256. It is written to a
temporary file beside FILE and renamed into place only when complete, readable by its owner only
(it holds personal data: KTP scans, transcripts, photos). Needs PostgreSQL and pg_dump of the
server's major version; refuses SQLite.

The dump and the list of files the database refers to come from one snapshot; a referenced file
that is missing from MEDIA_ROOT (e.g. an old PDF version deleted during the backup) is named in
the output and in the manifest's `missing_files`.
"""

import datetime
import os
import shutil
import tempfile
import time
from pathlib import Path

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models import FileField
from django.utils import timezone

from lsp_portal.ops import archive


def human_size(size):
    for unit in ("B", "KiB", "MiB", "GiB"):
        if size < 1024 or unit == "GiB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024


def referenced_files(using):
    """Names stored in every FileField of every model (the files the database refers to)."""
    names = set()
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, FileField):
                names.update(
                    model._base_manager.using(using)
                    .exclude(**{field.attname: ""})
                    .values_list(field.attname, flat=True)
                )
    return names


class Command(BaseCommand):
    help = "Write the database (pg_dump) and every file under MEDIA_ROOT into one .tar.gz archive."

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            help="Archive to write (default: lsp_portal-<database>-<YYYYmmdd-HHMMSS>.tar.gz here).",
        )
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, *args, output, database, **options):
        started = time.perf_counter()
        connection = connections[database]
        archive.require_postgresql(connection)
        archive.connect(connection)
        root = archive.media_root()
        settings_dict = connection.settings_dict
        created_at = timezone.now()
        if not output:
            stamp = timezone.localtime(created_at).strftime("%Y%m%d-%H%M%S")
            output = f"lsp_portal-{settings_dict['NAME']}-{stamp}.tar.gz"
        output = Path(output)
        if output.exists():
            raise CommandError(f"{output} already exists; choose another --output.")
        if not output.parent.is_dir():
            raise CommandError(f"{output.parent} is not a directory.")

        # Hidden, owner-only work folder beside the output: the rename at the end stays on one
        # file system, and nothing half-written ever carries the output's name.
        work = Path(tempfile.mkdtemp(prefix=f".{output.name}.", dir=output.parent))
        try:
            dump = work / archive.DUMP
            with transaction.atomic(using=database):
                # One snapshot for pg_dump and for the list of files the database refers to.
                with connection.cursor() as cursor:
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                    cursor.execute("SELECT pg_export_snapshot(), current_setting('server_version')")
                    snapshot, server_version = cursor.fetchone()
                heads = archive.applied_migration_heads(connection)
                if not heads:
                    raise CommandError(
                        f"Database {settings_dict['NAME']!r} has no migrations applied: "
                        "nothing to back up."
                    )
                archive.pg_tool(
                    "pg_dump", settings_dict, "--format=custom", f"--snapshot={snapshot}",
                    f"--file={dump}",
                )  # fmt: skip
                referenced = referenced_files(database)
            dumped_at = time.perf_counter()

            files = {}
            for relative, path in archive.media_files(root):
                files[relative] = {"sha256": archive.sha256_file(path), "size": path.stat().st_size}
            missing = sorted(referenced - set(files))
            manifest = {
                "format": archive.FORMAT,
                "version": archive.VERSION,
                "created_at": created_at.astimezone(datetime.UTC).isoformat(),
                "database": {
                    "name": settings_dict["NAME"],
                    "server_version": server_version,
                    "pg_dump": archive.pg_tool_version("pg_dump"),
                    "sha256": archive.sha256_file(dump),
                    "size": dump.stat().st_size,
                },
                "migrations": heads,
                "media_root": str(root),
                "file_count": len(files),
                "files": files,
                "missing_files": missing,
            }
            part = work / "archive.part"
            archive.write_archive(part, manifest, dump, root, created_at.timestamp())
            os.chmod(part, 0o600)
            os.replace(part, output)
        finally:
            shutil.rmtree(work, ignore_errors=True)

        for name in missing:
            self.stderr.write(
                self.style.WARNING(f"Referenced by the database but not in MEDIA_ROOT: {name}")
            )
        total = sum(entry["size"] for entry in files.values())
        elapsed = time.perf_counter() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"Backup written to {output} ({human_size(output.stat().st_size)}): database "
                f"{settings_dict['NAME']!r} (dump {human_size(manifest['database']['size'])}, "
                f"{dumped_at - started:.1f} s), {len(files)} files ({human_size(total)}) from "
                f"{root}, {len(missing)} missing; {elapsed:.1f} s."
            )
        )
