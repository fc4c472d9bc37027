"""Restore a backup made by `manage.py backup` into the database and MEDIA_ROOT of the current
settings.

    python manage.py restore FILE.tar.gz [--force] [--dry-run]

The target database must exist (it may be empty: `migrate` is not needed first). Refuses, changing
nothing, when the target database has tables or MEDIA_ROOT has files, unless --force; when the
archive was made by a newer version of the portal (migrations this code does not know), unless
--force; and when the archive is damaged (every file is checked against the manifest's sha256
before anything is touched). The files are extracted and verified in a hidden folder beside
MEDIA_ROOT, the database is restored in one transaction (`pg_restore --single-transaction --clean
--if-exists --no-owner --no-privileges`), and only then the verified folder is renamed into place:
a failure at any step leaves the old database and files as they were. --dry-run verifies the
archive (including `pg_restore --list` on the dump) and restores nothing.
"""

import os
import shutil
import tempfile
import time
from pathlib import Path

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor

from lsp_portal.ops import archive, summary
from lsp_portal.ops.management.commands.backup import human_size


def table_rows(connection):
    """{table: row count} of every table of the database."""
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
        counts = {}
        for table in tables:
            cursor.execute(f"SELECT count(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608
            counts[table] = cursor.fetchone()[0]
    return counts


def key_counts(rows):
    """The row counts of the users, the stages' main records (lsp_portal/ops/summary.py) and the
    audit events, of those whose tables `rows` has."""
    found = []
    for label, model in summary.models():
        table = model._meta.db_table
        if table in rows:
            found.append(f"{label} {rows[table]}")
    return ", ".join(found)


class Command(BaseCommand):
    help = "Restore a backup archive into the current database and MEDIA_ROOT."

    def add_arguments(self, parser):
        parser.add_argument(
            "archive_path", metavar="archive", help="The .tar.gz written by `manage.py backup`."
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Replace a database that has tables and files already in MEDIA_ROOT.",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Verify the archive; restore nothing."
        )
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, *args, archive_path, force, dry_run, database, **options):
        started = time.perf_counter()
        connection = connections[database]
        archive_path = Path(archive_path)
        archive.require_postgresql(connection)
        # Resolved: when MEDIA_ROOT is a symbolic link, the folder it points to is replaced.
        root = archive.media_root().resolve()
        if not archive_path.is_file():
            raise CommandError(f"{archive_path}: no such backup archive.")
        try:
            archive.peek_manifest(archive_path)
        except archive.ArchiveError as exc:
            raise CommandError(
                f"{archive_path} cannot be restored: {exc}. Nothing was changed."
            ) from exc
        if not dry_run:
            archive.connect(connection)
            self.check_target(connection, root, force)

        # The verified files are renamed into place, so they are extracted on MEDIA_ROOT's file
        # system: beside it, or inside it when it is a mount point (a shared NFS mount).
        mounted = os.path.ismount(root)
        parent = root if mounted else root.parent
        parent.mkdir(parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(prefix=f".{root.name}.restore-", dir=parent))
        try:
            staged = work / "media"
            staged.mkdir()
            dump = work / archive.DUMP
            try:
                manifest = archive.extract_verified(archive_path, dump, staged)
            except archive.ArchiveError as exc:
                raise CommandError(
                    f"{archive_path} cannot be restored: {exc}. Nothing was changed."
                ) from exc
            unknown = archive.unknown_migrations(manifest)
            if unknown and not force:
                raise CommandError(
                    f"{archive_path} was made by a newer version of the portal: this code does "
                    f"not know the migrations {', '.join(unknown)}. Deploy that version first "
                    "(or use --force). Nothing was changed."
                )
            archive.pg_tool("pg_restore", None, "--list", str(dump))
            files = manifest["files"]
            size = sum(entry["size"] for entry in files.values())
            if dry_run:
                self.stdout.write(
                    self.style.SUCCESS(
                        f"{archive_path} is a complete backup of database "
                        f"{manifest['database']['name']!r} made {manifest['created_at']}: "
                        f"dump {human_size(manifest['database']['size'])} and {len(files)} files "
                        f"({human_size(size)}) match the manifest. Nothing was restored."
                    )
                )
                return

            connection.close()
            try:
                archive.pg_tool(
                    "pg_restore",
                    connection.settings_dict,
                    "--single-transaction",
                    "--clean",
                    "--if-exists",
                    "--no-owner",
                    "--no-privileges",
                    str(dump),
                )
            except CommandError as exc:
                raise CommandError(
                    f"{exc}\nThe restore ran in one transaction: the database is as it was, and "
                    "MEDIA_ROOT was not touched."
                ) from exc
            ContentType.objects.clear_cache()
            restored_at = time.perf_counter()
            self.fix_permissions(staged, root)
            self.move_into_place(staged, root, mounted, work)
        finally:
            shutil.rmtree(work, ignore_errors=True)

        rows = table_rows(connection)
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored database {connection.settings_dict['NAME']!r} from {archive_path} "
                f"(backup of {manifest['database']['name']!r} made {manifest['created_at']}): "
                f"{len(rows)} tables, {sum(rows.values())} rows ({key_counts(rows)}) in "
                f"{restored_at - started:.1f} s; {len(files)} files ({human_size(size)}) into "
                f"{root}; {time.perf_counter() - started:.1f} s in all."
            )
        )
        for name in manifest.get("missing_files", []):
            self.stderr.write(self.style.WARNING(f"Missing already when backed up: {name}"))
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
        if pending:
            self.stdout.write(
                self.style.WARNING(
                    f"{len(pending)} migrations of this code are not applied yet: "
                    "run `python manage.py migrate`."
                )
            )

    def check_target(self, connection, root, force):
        """Refuse to overwrite a database with tables or a MEDIA_ROOT with files, unless --force."""
        rows = table_rows(connection)
        has_files = archive.has_files(root)
        if (rows or has_files) and not force:
            details = key_counts(rows)
            raise CommandError(
                f"The target is not empty: database {connection.settings_dict['NAME']!r} has "
                f"{len(rows)} tables{f' ({details})' if details else ''} and MEDIA_ROOT {root} "
                f"{'holds files' if has_files else 'is empty'}. A restore replaces them: run it "
                "again with --force if that is what you want. Nothing was changed."
            )

    def fix_permissions(self, staged, root):
        """Files get the storage's permissions; the folder keeps MEDIA_ROOT's current mode."""
        file_mode = settings.FILE_UPLOAD_PERMISSIONS or 0o644
        for _relative, path in archive.media_files(staged):
            os.chmod(path, file_mode)
        if root.is_dir():
            shutil.copymode(root, staged)
        else:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(staged, 0o777 & ~umask)

    def move_into_place(self, staged, root, mounted, work):
        """Swap the verified folder in by renames: the whole folder at once, or, when MEDIA_ROOT is
        a mount point that cannot be renamed, each of its top-level entries."""
        if not mounted:
            old = work / "replaced"
            if root.exists():
                os.rename(root, old)
            try:
                os.rename(staged, root)
            except OSError:
                if old.exists():
                    os.rename(old, root)
                raise
            return
        old = work / "replaced"
        old.mkdir()
        for entry in root.iterdir():
            if entry != work:
                os.rename(entry, old / entry.name)
        for entry in staged.iterdir():
            os.rename(entry, root / entry.name)
