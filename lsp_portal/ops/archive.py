"""The backup archive written by `manage.py backup` and read by `manage.py restore`.

One gzip-compressed tar file holding, in this order:

    manifest.json    format and version, created_at, the database (name, server version, dump size
                     and sha256), the Django migrations applied per app (heads), file_count and the
                     size and sha256 of every media file
    database.dump    `pg_dump --format=custom` of the portal database
    media/<path>     every file under MEDIA_ROOT (the "private" storage: uploads and rendered PDFs)

The manifest comes first so that restore reads the archive in one streaming pass and checks every
file against it as it goes.
"""

import hashlib
import io
import json
import os
import shutil
import subprocess
import tarfile
import zlib
from collections import defaultdict
from pathlib import Path, PurePosixPath

from django.core.files.storage import FileSystemStorage, storages
from django.core.management.base import CommandError
from django.db import OperationalError
from django.db.migrations.loader import MigrationLoader

FORMAT = "lsp_portal-backup"
VERSION = 1
MANIFEST = "manifest.json"
DUMP = "database.dump"
MEDIA_PREFIX = "media/"
CHUNK = 1024 * 1024
MANIFEST_MAX_BYTES = 256 * 1024 * 1024


class ArchiveError(Exception):
    """The archive is unreadable, damaged, or not a portal backup."""


def require_postgresql(connection):
    if connection.vendor != "postgresql":
        raise CommandError(
            f"Backups need PostgreSQL: this portal runs on {connection.vendor}. Set "
            "DATABASE_URL=postgres://... to the PostgreSQL database to back up or restore into."
        )
    if connection.in_atomic_block:
        raise CommandError("Backup and restore cannot run inside a database transaction.")


def connect(connection):
    """Open the connection now, turning a failure into a clear message instead of a traceback."""
    try:
        connection.ensure_connection()
    except OperationalError as exc:
        raise CommandError(
            f"Cannot connect to database {connection.settings_dict['NAME']!r}: "
            f"{str(exc).strip()}. (For a restore, create the database first.)"
        ) from exc


def media_root():
    """MEDIA_ROOT, where the private storage keeps its files; refuses other storages (S3)."""
    storage = storages["private"]
    if not isinstance(storage, FileSystemStorage):
        raise CommandError(
            f"The private storage is {type(storage).__name__}, not files under MEDIA_ROOT: back up "
            "its bucket with the provider's tools. These commands cover the local file system only."
        )
    return Path(storage.location)


def pg_tool(program, settings_dict, *args):
    """Run a PostgreSQL client tool (pg_dump, pg_restore) on `settings_dict`'s database (HOST,
    PORT, USER, NAME; the PASSWORD goes through PGPASSWORD, never on the command line), or on no
    database when `settings_dict` is None."""
    executable = shutil.which(program)
    if executable is None:
        raise CommandError(
            f"{program} was not found: install the PostgreSQL client tools of the server's major "
            "version (Debian: postgresql-client-15)."
        )
    settings_dict = settings_dict or {}
    argv = [executable]
    if settings_dict:
        argv.append("--no-password")
        if settings_dict.get("HOST"):
            argv += ["--host", str(settings_dict["HOST"])]
        if settings_dict.get("PORT"):
            argv += ["--port", str(settings_dict["PORT"])]
        if settings_dict.get("USER"):
            argv += ["--username", str(settings_dict["USER"])]
        argv += ["--dbname", str(settings_dict["NAME"])]
    argv += args
    env = dict(os.environ)
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = str(settings_dict["PASSWORD"])
    options = settings_dict.get("OPTIONS") or {}
    for option in ("sslmode", "sslrootcert", "sslcert", "sslkey", "passfile"):
        if options.get(option):
            env[f"PG{option.upper()}"] = str(options[option])
    result = subprocess.run(argv, env=env, capture_output=True, text=True)  # noqa: S603
    if result.returncode != 0:
        raise CommandError(f"{program} failed (exit {result.returncode}): {result.stderr.strip()}")
    return result


def pg_tool_version(program):
    executable = shutil.which(program)
    if executable is None:
        return ""
    result = subprocess.run([executable, "--version"], capture_output=True, text=True)  # noqa: S603
    return result.stdout.strip()


def applied_migration_heads(connection):
    """{app_label: [name, ...]}: the last migration(s) applied to the database, per app."""
    loader = MigrationLoader(connection, ignore_no_migrations=True)
    applied = set(loader.applied_migrations)
    heads = defaultdict(list)
    for node in sorted(applied):
        children = loader.graph.node_map[node].children if node in loader.graph.node_map else ()
        if not any(child[0] == node[0] and child in applied for child in children):
            heads[node[0]].append(node[1])
    return dict(heads)


def unknown_migrations(manifest):
    """Migrations the archive's database has applied that this code does not know (a newer
    version of the portal made the backup)."""
    graph = MigrationLoader(None, ignore_no_migrations=True).graph
    return sorted(
        f"{app}.{name}"
        for app, names in manifest["migrations"].items()
        for name in names
        if (app, name) not in graph.nodes
    )


def sha256_file(path):
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


class HashingReader:
    """A file wrapper that hashes what is read through it."""

    def __init__(self, raw):
        self.raw = raw
        self.digest = hashlib.sha256()

    def read(self, size=-1):
        data = self.raw.read(size)
        self.digest.update(data)
        return data


def media_files(root):
    """(relative POSIX path, absolute path) of every regular file under `root`, sorted. Symbolic
    links are not followed: the storage never creates them."""
    if not root.is_dir():
        return []
    found = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for name in sorted(filenames):
            path = Path(dirpath, name)
            if path.is_file() and not path.is_symlink():
                found.append((path.relative_to(root).as_posix(), path))
    return found


def has_files(root):
    return root.is_dir() and any(files for _dirpath, _dirnames, files in os.walk(root))


def member_media_path(name):
    """The path inside MEDIA_ROOT an archive member stands for, or None if it is not a media member
    or could land outside MEDIA_ROOT (absolute, `..`, backslashes)."""
    if not name.startswith(MEDIA_PREFIX):
        return None
    relative = name[len(MEDIA_PREFIX) :]
    parts = relative.split("/")
    if (
        not relative
        or "\\" in relative
        or "\x00" in relative
        or PurePosixPath(relative).is_absolute()
        or any(part in ("", ".", "..") for part in parts)
    ):
        return None
    return relative


def write_archive(path, manifest, dump_path, root, mtime):
    """Write the archive to `path` (a temporary file the caller renames into place), checking
    that each media file still has the content the manifest lists."""
    with open(path, "wb") as raw:
        with tarfile.open(fileobj=raw, mode="w:gz", compresslevel=6) as tar:
            data = json.dumps(manifest, indent=2, sort_keys=True).encode()
            tar.addfile(_tarinfo(MANIFEST, len(data), mtime), io.BytesIO(data))
            with open(dump_path, "rb") as handle:
                tar.addfile(_tarinfo(DUMP, manifest["database"]["size"], mtime), handle)
            for relative, entry in manifest["files"].items():
                file_path = root / relative
                with open(file_path, "rb") as handle:
                    reader = HashingReader(handle)
                    info = _tarinfo(
                        MEDIA_PREFIX + relative, entry["size"], os.fstat(handle.fileno()).st_mtime
                    )
                    try:
                        tar.addfile(info, reader)
                    except OSError as exc:
                        raise CommandError(f"{file_path} changed during the backup: {exc}") from exc
                if reader.digest.hexdigest() != entry["sha256"]:
                    raise CommandError(f"{file_path} changed during the backup; run it again.")
        raw.flush()
        os.fsync(raw.fileno())


def _tarinfo(name, size, mtime):
    info = tarfile.TarInfo(name)
    info.size = size
    info.mtime = int(mtime)
    info.mode = 0o600
    return info


def _copy_verified(source, target_path, expected_sha256, expected_size, label):
    digest = hashlib.sha256()
    size = 0
    with open(target_path, "xb") as target:
        while chunk := source.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
            target.write(chunk)
    if size != expected_size or digest.hexdigest() != expected_sha256:
        raise ArchiveError(f"{label} does not match its sha256 in the manifest")


def _is_entry(entry):
    return (
        isinstance(entry, dict)
        and isinstance(entry.get("sha256"), str)
        and isinstance(entry.get("size"), int)
    )


def _read_manifest(tar, member):
    if member.name != MANIFEST or not member.isfile():
        raise ArchiveError("it does not start with manifest.json: not an lsp_portal backup")
    if member.size > MANIFEST_MAX_BYTES:
        raise ArchiveError("its manifest is implausibly large")
    return _check_manifest(tar.extractfile(member).read())


def _check_manifest(data):
    try:
        manifest = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ArchiveError(f"its manifest is not valid JSON ({exc})") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise ArchiveError("it is not an lsp_portal backup (no manifest of that format)")
    if manifest.get("version") != VERSION:
        raise ArchiveError(f"backup format version {manifest.get('version')!r} is not supported")
    files = manifest.get("files")
    complete = (
        _is_entry(manifest.get("database"))
        and isinstance(manifest.get("migrations"), dict)
        and isinstance(files, dict)
        and manifest.get("file_count") == len(files)
        and all(
            member_media_path(MEDIA_PREFIX + relative) == relative and _is_entry(entry)
            for relative, entry in files.items()
        )
    )
    if not complete:
        raise ArchiveError("its manifest is incomplete")
    return manifest


def peek_manifest(archive):
    """The manifest alone (the archive's first member), to refuse a foreign file before anything
    else; extract_verified checks the rest."""
    try:
        with tarfile.open(archive, mode="r|gz") as tar:
            member = tar.next()
            if member is None:
                raise ArchiveError("it is empty")
            return _read_manifest(tar, member)
    except (tarfile.TarError, EOFError, zlib.error, OSError) as exc:
        raise ArchiveError(f"it cannot be read ({exc})") from exc


def extract_verified(archive, dump_path, media_dir):
    """Read `archive` in one pass: the manifest, then the dump into `dump_path` and the media
    files under `media_dir`, each checked against the manifest's size and sha256. Returns the
    manifest; raises ArchiveError for anything missing, extra, unsafe or damaged."""
    try:
        with tarfile.open(archive, mode="r|gz") as tar:
            manifest = None
            seen = set()
            dump_seen = False
            for member in tar:
                if manifest is None:
                    manifest = _read_manifest(tar, member)
                    files = manifest["files"]
                    continue
                if member.name == DUMP and member.isfile() and not dump_seen:
                    database = manifest["database"]
                    source = tar.extractfile(member)
                    _copy_verified(source, dump_path, database["sha256"], database["size"], DUMP)
                    dump_seen = True
                    continue
                relative = member_media_path(member.name)
                if relative is None or not member.isfile() or relative in seen:
                    raise ArchiveError(f"unexpected member {member.name!r}")
                if relative not in files:
                    raise ArchiveError(f"{member.name!r} is not listed in the manifest")
                target = media_dir / relative
                target.parent.mkdir(parents=True, exist_ok=True)
                entry = files[relative]
                source = tar.extractfile(member)
                _copy_verified(source, target, entry["sha256"], entry["size"], member.name)
                seen.add(relative)
    except (tarfile.TarError, EOFError, zlib.error, OSError) as exc:
        raise ArchiveError(f"it cannot be read ({exc})") from exc
    if manifest is None:
        raise ArchiveError("it is empty")
    if not dump_seen:
        raise ArchiveError("it holds no database dump")
    missing = sorted(set(files) - seen)
    if missing:
        raise ArchiveError(f"{len(missing)} files of the manifest are missing, e.g. {missing[0]}")
    return manifest
