"""Bulk data generator (issue 8): a realistic, large LSP in PostgreSQL in minutes.

    make_cases(n, stage, ...)   n cases brought to `stage`, for tests (1 row vs 50 rows)
    generate(total, seed=1)     a whole LSP: `total` applications across three schemes
    bench_targets()             representative users and objects for the web benchmark

Rows are written in bulk - `bulk_create`, or PostgreSQL COPY for large batches - never one save per
row and never through the services: no signals, no e-mail, no PDF rendering. Each row still looks
like one the services would have written at that stage: statuses, timestamps in the order the
workflow sets them (spread over the last ~3 years, in working hours, Asia/Jakarta), references,
`is_current`, numbers taken from the year counters (DecreeCounter, CertificateCounter,
AnswerLetterCounter, under their row lock) and one AuditEvent per transition with the actor, the
statuses and the details `record()` is given by the service.

What is shared rather than real: every generated user has the same password (PASSWORD, hashed once
per call with the configured hasher), every uploaded document and every rendered PDF points to one
small real file written once into the private storage (SAMPLE_PDF / SAMPLE_JPEG, ensure_samples()),
PDF fingerprints (pdf_hash) are empty, and no outbox rows or notices are written (the e-mails,
renders and reminders of the past count as sent). Generated users have e-mail
addresses at @gen.example; `flush()` removes everything that hangs off them.

Primary keys are taken from the tables' sequences before the rows are built (so children can point
at parents without RETURNING), and `auto_now`/`auto_now_add` are switched off while the generator
inserts, so the historic timestamps are kept. This module imports every app: it is tooling, used by
the bench_generate command and by tests, never by the apps.

Stages (make_cases): draft, submitted, revision_requested, rejected, withdrawn, eligible, assigned
(an assessment under way), recommended (submitted to the LSP, 9.3.5), decided_k (published
Kompeten, certificate pending 9.4.7), decided_bk (published Belum Kompeten), certified (issued;
active/expired/frozen/revoked/restored), appealed (FR-AK-04 filed; received, under review,
dismissed or upheld with a reassessment).
"""

# Random numbers here make test data, not secrets (S311); SQL is built from model metadata and
# constant conditions only, identifiers quoted (S608).
# ruff: noqa: S311, S608

import datetime
import hashlib
import io
import json
import math
import queue
import random
import threading
import time
import uuid
import zoneinfo
from collections import Counter, defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.db import connection, models, transaction
from django.db.models import Count, Q
from django.utils import timezone, translation

from appeals.models import (
    AnswerLetter,
    AnswerLetterCounter,
    Appeal,
    Attachment,
    Finding,
    TeamMember,
)
from appeals.models import Notice as AppealNotice
from assessment.models import (
    TUK,
    Assessment,
    Assessor,
    Assignment,
    EvidenceReview,
    Feedback,
    PlanItem,
    UnitResult,
)
from certificates.models import (
    Certificate,
    CertificateCard,
    CertificateCounter,
    CertificateWarning,
    Signatory,
    add_years,
)
from certificates.models import Notice as CertificateNotice
from decisions.models import (
    AgendaItem,
    Attendance,
    ConflictDeclaration,
    Decision,
    Decree,
    DecreeCounter,
    Meeting,
    Minutes,
    MinutesSignature,
    TechnicalTeamMember,
)
from lsp_portal.accounts.models import User
from lsp_portal.accounts.roles import Role
from lsp_portal.audit.models import AuditEvent
from lsp_portal.dates import format_date
from lsp_portal.numbering import ROMAN_MONTHS
from lsp_portal.workdays import is_working_day
from lsp_portal.workdays.models import ClosureDay
from registration.demo_files import image_bytes, pdf_bytes
from registration.models import (
    Application,
    Document,
    Experience,
    ExperienceField,
    RequiredCourse,
    RequiredDocument,
    Scheme,
    SchemeClause,
    SelfAssessment,
    Unit,
)

GEN_DOMAIN = "gen.example"
PASSWORD = "Bench-Gen-2026"  # noqa: S105 - documented test password of generated users
SAMPLE_PDF = "bench/sample.pdf"
SAMPLE_JPEG = "bench/sample.jpg"

STAGES = (
    "draft",
    "submitted",
    "revision_requested",
    "rejected",
    "withdrawn",
    "eligible",
    "assigned",
    "recommended",
    "decided_k",
    "decided_bk",
    "certified",
    "appealed",
)
DECIDED_STAGES = ("decided_k", "decided_bk", "certified", "appealed")

# generate(): share of the applications at each stage (percent). 100,000 applications give about
# 50,000 certificates (certified + decided_k, plus reassessments decided K) and ~3,000 appeals.
STAGE_SHARES = {
    "draft": 8.0,
    "submitted": 4.0,
    "revision_requested": 1.5,
    "rejected": 2.0,
    "withdrawn": 1.5,
    "eligible": 3.0,
    "assigned": 7.0,
    "recommended": 3.0,
    "decided_k": 3.0,
    "decided_bk": 17.0,
    "certified": 47.0,
    "appealed": 3.0,
}

# The ways a case can be at its stage, with their weights.
VARIANTS = {
    "draft": {"started": 20, "personal": 30, "documents": 25, "self_assessment": 25},
    "submitted": {"first": 90, "resubmitted": 10},
    "revision_requested": {"revision": 1},
    "rejected": {"hours": 60, "programme": 40},
    "withdrawn": {"from_draft": 50, "from_submitted": 50},
    "eligible": {"eligible": 1},
    "assigned": {
        "assigned": 15,
        "declared": 10,
        "plan_set": 15,
        "agreed_one": 5,
        "plan_agreed": 20,
        "evidence_reviewed": 15,
        "results_partial": 10,
        "not_proceed": 10,
    },
    "recommended": {"k": 75, "bk": 25},
    "decided_k": {"no_agreement": 50, "no_fee": 50},
    "decided_bk": {"old": 95, "recent": 5},
    "certified": {"active": 84, "expired": 9, "frozen": 3, "revoked": 2, "restored": 2},
    "appealed": {
        "submitted": 1,
        "under_review": 2,
        "dismissed": 70,
        "upheld": 25,
        "upheld_recent": 2,
    },
}

# When the technical-team meeting of a decided case is held: (class, days ago from, to). Cases of
# one class share meetings; the windows leave room for what follows the meeting (publication,
# certificate requirements, incidents, appeals) to have happened before now.
MEETING_WINDOWS = {
    ("certified", "active"): ("old", 1090, 25),
    ("certified", "expired"): ("expired", 1200, 1125),
    ("certified", "frozen"): ("old", 1060, 200),
    ("certified", "revoked"): ("old", 1060, 200),
    ("certified", "restored"): ("old", 1060, 200),
    ("decided_bk", "old"): ("old", 1200, 25),
    ("decided_bk", "recent"): ("recent", 24, 8),
    ("decided_k", "no_agreement"): ("recent", 24, 8),
    ("decided_k", "no_fee"): ("recent", 24, 8),
    ("appealed", "submitted"): ("recent", 15, 8),
    ("appealed", "under_review"): ("recent", 15, 8),
    ("appealed", "dismissed"): ("old", 1200, 40),
    ("appealed", "upheld"): ("old", 1000, 240),
    ("appealed", "upheld_recent"): ("mid", 60, 26),
}
# The last event of a case at an early stage happened this many days ago (from, to).
AGE_DAYS = {
    "draft": (0.5, 180),
    "submitted": (0.5, 21),
    "revision_requested": (0.5, 30),
    "rejected": (1, 1150),
    "withdrawn": (1, 1150),
    "eligible": (0.5, 14),
    "assigned": (0.5, 40),
    "recommended": (0.5, 14),
}
MEETING_SIZE = 60

H = 3600.0
D = 86400.0
UTC = datetime.UTC
TZ = zoneinfo.ZoneInfo(settings.TIME_ZONE)
# Asia/Jakarta has no daylight saving time: one offset for every moment.
OFFSET = TZ.utcoffset(datetime.datetime(2025, 1, 1)).total_seconds()
EPOCH_DAY = datetime.date(1970, 1, 1)

# ------------------------------------------------------------------------------------------------
# Names and places
# ------------------------------------------------------------------------------------------------

MALE = (
    "Budi Agus Andi Dimas Fajar Indra Yoga Rizky Arif Bayu Eko Hendra Joko Rudi Teguh Wahyu "
    "Ahmad Fikri Gilang Hafiz Ilham Kevin Reza Taufik Aditya Bagus Dani Farhan Galih Raka"
).split()
FEMALE = (
    "Sari Putri Nadia Gita Hana Dewi Ayu Rina Wulan Maya Lestari Fitri Intan Kartika Larasati "
    "Mega Nur Ratna Siti Tari Anisa Bella Citra Dinda Eka Indah Melati Nabila Rahma Salsabila"
).split()
FAMILY = (
    "Santoso Wibowo Saputra Pratama Nugroho Wulandari Rahmawati Kusuma Permatasari Anggraini "
    "Hidayat Setiawan Gunawan Siregar Nasution Harahap Simanjuntak Sitompul Wijaya Halim Tanjung "
    "Lubis Rangkuti Hutapea Manurung Purba Sinaga Pangaribuan Syahputra Firmansyah Ramadhan "
    "Maulana Kurniawan Susanto Hakim Effendi Sembiring Tarigan Ginting Wardhana"
).split()
# (NIK region code: province, city/regency, district; the city as a place of birth)
REGIONS = (
    ("317401", "Jakarta Selatan"),
    ("317101", "Jakarta Pusat"),
    ("317501", "Jakarta Timur"),
    ("317301", "Jakarta Barat"),
    ("317201", "Jakarta Utara"),
    ("367401", "Tangerang Selatan"),
    ("367101", "Tangerang"),
    ("327501", "Bekasi"),
    ("327601", "Depok"),
    ("327101", "Bogor"),
    ("327301", "Bandung"),
    ("337401", "Semarang"),
    ("347101", "Yogyakarta"),
    ("357801", "Surabaya"),
    ("127101", "Medan"),
    ("167101", "Palembang"),
    ("737101", "Makassar"),
    ("517101", "Denpasar"),
    ("367301", "Serang"),
    ("147101", "Pekanbaru"),
)
STREETS = (
    "Jl. Merdeka",
    "Jl. Jend. Sudirman",
    "Jl. Gatot Subroto",
    "Jl. Diponegoro",
    "Jl. Ahmad Yani",
    "Jl. Veteran",
    "Jl. Pahlawan",
    "Jl. Kenanga",
    "Jl. Melati Raya",
    "Jl. Cendrawasih",
    "Jl. Boulevard Bintaro Jaya",
    "Jl. Raya Serpong",
    "Jl. Kebon Jeruk",
    "Jl. Margonda Raya",
    "Jl. Pemuda",
)
UNIVERSITIES = (
    ("Universitas Pembangunan Jaya", 8),
    ("Universitas Indonesia", 1),
    ("Universitas Gadjah Mada", 1),
    ("Universitas Padjadjaran", 1),
    ("Universitas Airlangga", 1),
    ("Universitas Bina Nusantara", 1),
    ("Universitas Trisakti", 1),
    ("Universitas Brawijaya", 1),
    ("Universitas Diponegoro", 1),
    ("Universitas Tarumanagara", 1),
)
ORGANISATIONS = (
    "PT Pelanggan Setia Indonesia",
    "PT Nusantara Retail Sejahtera",
    "PT Sinar Jaya Abadi",
    "CV Maju Bersama",
    "PT Telekomunikasi Prima",
    "PT Bank Mitra Usaha",
    "PT Garuda Logistik",
    "PT Kopi Kenangan Nusantara",
    "PT Bintaro Properti",
    "PT Media Digital Kreatif",
)
PHONE_PREFIXES = ("0811", "0812", "0813", "0821", "0822", "0852", "0857", "0877", "0878", "0896")
OTHER_PROGRAMMES = ("Akuntansi", "Teknik Informatika", "Desain Komunikasi Visual", "Hukum")
EVIDENCE_OBSERVED = (
    "Demonstrasi dan tanya jawab sesuai kriteria unjuk kerja.",
    "Mendemonstrasikan pengelolaan data pelanggan di aplikasi CRM.",
    "Portofolio laporan magang lengkap dan diverifikasi atasan.",
    "Menjawab pertanyaan lisan dengan tepat; observasi sesuai SOP.",
    "Studi kasus diselesaikan sesuai standar unit.",
)
WEAK_OBSERVED = (
    "Belum dapat menunjukkan bukti yang memadai untuk unit ini.",
    "Demonstrasi belum lengkap; beberapa kriteria unjuk kerja belum tercapai.",
    "Portofolio belum menunjukkan pengalaman yang relevan.",
)
SELF_NOTES = (
    "Pernah dilakukan selama magang.",
    "Dikerjakan rutin di tempat magang.",
    "Dipelajari di mata kuliah dan dipraktikkan saat magang.",
    "",
)
DECLINE_COMMENTS = (
    "Waktu demonstrasi terlalu singkat dibanding rencana asesmen.",
    "Pertanyaan lisan tidak sesuai dengan unit yang diuji.",
    "Saya tidak sempat menunjukkan portofolio dari tempat magang.",
)
APPEAL_REASONS = (
    "Waktu demonstrasi hanya 10 menit, padahal rencana asesmen menyebut 30 menit. Saya tidak "
    "sempat menunjukkan laporan dari tempat magang.",
    "Asesor tidak memeriksa portofolio yang sudah saya unggah sebagai bukti unit ini.",
    "Pertanyaan tertulis tidak sesuai dengan kriteria unjuk kerja unit yang diujikan.",
    "TUK berganti pada hari uji tanpa pemberitahuan sehingga waktu uji saya dipotong.",
)
FINDINGS = (
    "Rekaman asesmen menunjukkan waktu demonstrasi sesuai rencana; keputusan tetap.",
    "Bukti portofolio tidak diperiksa asesor; peserta diberi kesempatan asesmen ulang.",
    "Tidak ditemukan perlakuan tidak adil dalam proses asesmen.",
    "Jadwal uji berubah tanpa pemberitahuan yang cukup; asesmen ulang disarankan.",
)

# The two schemes added next to registration's mhp (0002_scheme_mhp): (code, data, units,
# courses, experience fields).
EXTRA_SCHEMES = (
    (
        "pmd",
        {
            "document_number": "004-P1UPJ-PMD-03-2022",
            "name": "Pemasaran Digital",
            "summary": "Skema sertifikasi Klaster Pemasaran Digital, mengacu pada SKKNI bidang "
            "Pemasaran Digital, untuk pekerjaan perencanaan dan pengelolaan kampanye digital.",
            "approved_on": datetime.date(2022, 3, 14),
            "fee": 400_000,
            "eligible_study_programmes": "Manajemen\nIlmu Komunikasi",
            "min_experience_hours": 300,
            "experience_requirement": "Memiliki pengalaman kerja/magang dalam bidang pemasaran "
            "digital atau media sosial selama minimal 300 jam.",
        },
        (
            ("M.702090.001.01", "Melakukan Riset Pasar Digital"),
            ("M.702090.002.01", "Menyusun Strategi Pemasaran Digital"),
            ("M.702090.003.01", "Mengelola Konten Media Sosial"),
            ("M.702090.004.01", "Mengoptimalkan Mesin Pencari"),
            ("M.702090.005.01", "Mengelola Iklan Digital Berbayar"),
            ("M.702090.006.01", "Mengelola Pemasaran Melalui Surel"),
            ("M.702090.007.01", "Menganalisis Data Kampanye Digital"),
            ("M.702090.008.01", "Mengelola Situs Web Pemasaran"),
            ("M.702090.009.01", "Mengelola Hubungan Pelanggan Daring"),
            ("M.702090.010.01", "Menyusun Laporan Kinerja Pemasaran Digital"),
        ),
        ("Pemasaran Digital", "Komunikasi Pemasaran", "Riset Pemasaran"),
        ("Pemasaran Digital", "Media Sosial", "Perdagangan Elektronik"),
    ),
    (
        "sdm",
        {
            "document_number": "005-P1UPJ-SDM-08-2022",
            "name": "Pengelolaan Sumber Daya Manusia",
            "summary": "Skema sertifikasi Klaster Pengelolaan SDM, mengacu pada SKKNI bidang "
            "Manajemen Sumber Daya Manusia, untuk pekerjaan staf pengelola SDM.",
            "approved_on": datetime.date(2022, 8, 22),
            "fee": 375_000,
            "eligible_study_programmes": "Manajemen\nPsikologi",
            "min_experience_hours": 400,
            "experience_requirement": "Memiliki pengalaman kerja/magang dalam bidang pengelolaan "
            "sumber daya manusia selama minimal 400 jam.",
        },
        (
            ("M.701001.001.02", "Menyusun Rencana Kebutuhan SDM"),
            ("M.701001.002.02", "Melaksanakan Rekrutmen dan Seleksi"),
            ("M.701001.003.02", "Menyusun Program Orientasi Karyawan"),
            ("M.701001.004.02", "Mengelola Administrasi Kepegawaian"),
            ("M.701001.005.02", "Menyusun Program Pelatihan"),
            ("M.701001.006.02", "Mengelola Penilaian Kinerja"),
            ("M.701001.007.02", "Mengelola Sistem Remunerasi"),
            ("M.701001.008.02", "Menangani Hubungan Industrial"),
        ),
        ("Manajemen Sumber Daya Manusia", "Hukum Ketenagakerjaan", "Perilaku Organisasi"),
        ("Sumber Daya Manusia", "Rekrutmen", "Administrasi Kepegawaian"),
    ),
)
SCHEME_WEIGHTS = {"mhp": 50, "pmd": 30, "sdm": 20}

# ------------------------------------------------------------------------------------------------
# Time: moments are float seconds since the epoch. The workflow is laid out on a "raw" time line
# and every moment written is mapped into working hours (07:00-21:00 Jakarta) by `_out`, which is
# strictly increasing: the order of events is kept, and gaps shrink to 14/24.
# ------------------------------------------------------------------------------------------------


def _out(x):
    local = x + OFFSET
    day = local - local % D
    return day + 7 * H + (local - day) * (14 / 24) - OFFSET


def _raw(y):
    """The raw moment that `_out` maps to `y` (a moment in working hours)."""
    local = y + OFFSET
    day = local - local % D
    frac = min(max((local - day - 7 * H) / (14 * H), 0.0), 0.999999)
    return day + frac * D - OFFSET


def _dt(y):
    return datetime.datetime.fromtimestamp(y, UTC)


def _date(y):
    """The Jakarta calendar date of moment `y`."""
    return EPOCH_DAY + datetime.timedelta(days=int((y + OFFSET) // D))


def _ts(value):
    return value.timestamp()


# ------------------------------------------------------------------------------------------------
# Writing rows: COPY for large batches, bulk_create otherwise; ids from the sequences
# ------------------------------------------------------------------------------------------------

COPY_THRESHOLD = 1000


class _Table:
    """How to write one model's rows (dicts keyed by attname) as COPY text. A row without "id"
    leaves the primary key to the column's default (its sequence): rows nobody points at need no
    id drawn beforehand. The formatter is compiled once per table: one f-string per row."""

    def __init__(self, model, *, with_pk=True):
        self.model = model
        self.fields = [f for f in model._meta.concrete_fields if with_pk or not f.primary_key]
        self.columns = ", ".join(connection.ops.quote_name(f.column) for f in self.fields)
        self.table = connection.ops.quote_name(model._meta.db_table)
        namespace = {}
        parts = []
        for i, f in enumerate(self.fields):
            name = f.attname
            if f.has_default() and callable(f.default):
                namespace[f"make{i}"] = f.default
                value = f"(r[{name!r}] if {name!r} in r else make{i}())"
            else:
                namespace[f"default{i}"] = f.get_default()
                value = f"r.get({name!r}, default{i})"
            namespace[f"to{i}"] = _converter(f)
            parts.append(f"{{to{i}({value})}}")
        line = "\\t".join(parts) + "\\n"
        source = f'def format_rows(rows, write):\n    for r in rows:\n        write(f"{line}")\n'
        exec(source, namespace)  # noqa: S102 - code built above from the model's own fields
        self.format_rows = namespace["format_rows"]

    def copy_text(self, rows):
        out = io.StringIO()
        self.format_rows(rows, out.write)
        out.seek(0)
        return out


def _escape(text):
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        text = (
            text.replace("\\", "\\\\")
            .replace("\t", "\\t")
            .replace("\n", "\\n")
            .replace("\r", "\\r")
        )
    return text


_json = json.JSONEncoder(ensure_ascii=False).encode


def _text(value):
    return "\\N" if value is None else _escape(value if type(value) is str else str(value))


def _plain(value):
    return "\\N" if value is None else str(value)


def _boolean(value):
    return "\\N" if value is None else ("t" if value else "f")


def _moment(value):
    return "\\N" if value is None else value.isoformat()


def _json_text(value):
    return _escape(_json(value))


def _converter(f):
    """The COPY text of one field's value."""
    if isinstance(f, models.JSONField):
        return _json_text
    if isinstance(f, models.BooleanField):
        return _boolean
    if isinstance(f, (models.DateTimeField, models.DateField)):
        return _moment
    if isinstance(f, (models.IntegerField, models.AutoField, models.ForeignKey, models.UUIDField)):
        return _plain
    return _text


_TABLES = {}


def _table(model, with_pk=True):
    key = (model, with_pk)
    if key not in _TABLES:
        _TABLES[key] = _Table(model, with_pk=with_pk)
    return _TABLES[key]


def _auto_time_fields(model_list):
    return [
        f
        for model in model_list
        for f in model._meta.concrete_fields
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    ]


@contextmanager
def _keep_timestamps(model_list):
    """bulk_create would overwrite auto_now/auto_now_add with the current time: switch them off
    while the generator writes its historic timestamps (single-threaded use only)."""
    saved = [(f, f.auto_now, f.auto_now_add) for f in _auto_time_fields(model_list)]
    for f, _now, _add in saved:
        f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, auto_now, auto_now_add in saved:
            f.auto_now, f.auto_now_add = auto_now, auto_now_add


def _insert(model, rows, *, use_copy=None):
    if not rows:
        return
    if use_copy is None:
        use_copy = len(rows) >= COPY_THRESHOLD
    if use_copy:
        table = _table(model, with_pk="id" in rows[0])
        with connection.cursor() as cursor:
            cursor.copy_expert(
                f"COPY {table.table} ({table.columns}) FROM STDIN", table.copy_text(rows)
            )
    else:
        with _keep_timestamps([model]):
            model.objects.bulk_create([model(**row) for row in rows], batch_size=2000)


class _Ids:
    """Primary keys drawn from the table's own sequence in blocks (a block that is not used up
    leaves a gap in the numbers, as a rolled-back insert would)."""

    def __init__(self, block=16, max_block=5000):
        self.pools = {}
        self.sizes = {}
        self.block = block
        self.max_block = max_block

    def __call__(self, model):
        pool = self.pools.get(model)
        if not pool:
            size = self.sizes.get(model, self.block)
            self.sizes[model] = min(size * 2, self.max_block)
            pool = self._fetch(model, size)
            self.pools[model] = pool
        return pool.pop()

    @staticmethod
    def _fetch(model, size):
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [model._meta.db_table, model._meta.pk.column, size],
            )
            ids = [row[0] for row in cursor.fetchall()]
        ids.sort(reverse=True)
        return ids


INSERT_ORDER = (
    User,
    User.groups.through,
    Application,
    Application.completed_courses.through,
    Experience,
    Document,
    SelfAssessment,
    Meeting,
    Attendance,
    Assessment,
    Assignment,
    PlanItem,
    EvidenceReview,
    UnitResult,
    Feedback,
    AgendaItem,
    Decision,
    Minutes,
    MinutesSignature,
    Decree,
    Certificate,
    Certificate.scope.through,
    CertificateCard,
    CertificateWarning,
    Appeal,
    Attachment,
    TeamMember,
    Finding,
    AnswerLetter,
    AuditEvent,
)


class _Rows:
    def __init__(self):
        self.rows = defaultdict(list)

    def add(self, model, **values):
        self.rows[model].append(values)
        return values

    def flush(self, use_copy=None):
        written = Counter()
        unknown = set(self.rows) - set(INSERT_ORDER)
        if unknown:
            raise RuntimeError(f"no insert order for {unknown}")
        for model in INSERT_ORDER:
            rows = self.rows.pop(model, None)
            if rows:
                _insert(model, rows, use_copy=use_copy)
                written[model._meta.label] += len(rows)
        return written


class _YearCounter:
    """Running numbers per year from a counter model (year primary key, `last`), like
    lsp_portal.numbering.next_number: the numbers are handed out in memory from the year's `last`
    and the new `last` is written back by save(). With `lock`, the year's row is locked for the
    caller's transaction (make_cases); generate() reads it once and is the only one numbering
    while it runs (its batches are written by another connection)."""

    def __init__(self, model, *, lock=True):
        self.model = model
        self.lock = lock
        self.last = {}

    def take(self, year):
        if year not in self.last:
            if self.lock:
                self.model.objects.bulk_create([self.model(year=year)], ignore_conflicts=True)
                self.last[year] = self.model.objects.select_for_update().get(year=year).last
            else:
                row = self.model.objects.filter(year=year).values_list("last", flat=True).first()
                self.last[year] = row or 0
        self.last[year] += 1
        return self.last[year]

    def snapshot(self):
        return self.model, dict(self.last)

    @staticmethod
    def save_snapshot(model, last):
        if not last:
            return
        model.objects.bulk_create([model(year=year) for year in last], ignore_conflicts=True)
        for year, value in last.items():
            model.objects.filter(year=year, last__lt=value).update(last=value)

    def save(self):
        self.save_snapshot(*self.snapshot())


def _number(pattern, seq, moment, **fields):
    day = _date(moment)
    return pattern.format(
        seq=seq, year=day.year, month=day.month, roman_month=ROMAN_MONTHS[day.month - 1], **fields
    )


# ------------------------------------------------------------------------------------------------
# The world: schemes, people, TUK - created once, found again on later calls
# ------------------------------------------------------------------------------------------------


@dataclass
class SchemeInfo:
    scheme: Scheme
    units: list  # (id, code, number)
    courses: list  # ids
    fields: list  # ids
    documents: list  # (id, code, name, quantity, images_only)
    programmes: list
    evidence_document: str  # the document code used as FR-APL-02 evidence

    @property
    def code(self):
        return self.scheme.code


@dataclass
class World:
    schemes: dict  # code -> SchemeInfo
    staff: list
    director: User
    members: list  # TechnicalTeamMember with user
    appeal_team: list  # users
    assessors: list  # Assessor with user and scheme ids
    tuks: list
    signatory: Signatory
    showcase: User  # an applicant with a case in every scheme (bench_targets)
    password_hash: str
    groups: dict  # role -> group id
    content_types: dict  # model -> id
    samples: dict  # name -> (size, sha256)
    assessor_schemes: dict = field(default_factory=dict)  # assessor id -> set of scheme ids


def _gen_email(local_part):
    return f"{local_part}@{GEN_DOMAIN}"


STAFF = (
    ("admin1", "Rina Kartika"),
    ("admin2", "Yusuf Maulana"),
    ("admin3", "Dewi Anggraini"),
)
DIRECTOR = ("direktur", "Hastuti Naibaho")
MEMBERS = (
    ("teknis1", "Hendra Gunawan", "Dosen Manajemen Pemasaran; asesor kompetensi BNSP 2016-2022."),
    ("teknis2", "Wulan Sari", "Praktisi CRM 12 tahun; pernah anggota komite skema LSP."),
    ("teknis3", "Bambang Suryadi", "Dosen Manajemen SDM; master asesor BNSP."),
    ("teknis4", "Lina Marlina", "Konsultan pemasaran digital 10 tahun."),
    ("teknis5", "Arief Budiman", "Manajer SDM industri ritel 15 tahun."),
    ("teknis6", "Sri Mulyani Harahap", "Dosen Ilmu Komunikasi; asesor kompetensi sejak 2018."),
    ("teknis7", "Yohanes Siregar", "Praktisi layanan pelanggan perbankan 12 tahun."),
    ("teknis8", "Nurul Hidayati", "Anggota komite skema; auditor internal LSP."),
)
APPEAL_TEAM = (
    ("banding1", "Lestari Rahayu"),
    ("banding2", "Gregorius Tanoto"),
    ("banding3", "Fitriani Lubis"),
    ("banding4", "Hadi Prasetyo"),
    ("banding5", "Sekar Ayuningtyas"),
)
TUKS = (
    (
        "TUK Sewaktu Kampus UPJ",
        "Gedung B lantai 3, Universitas Pembangunan Jaya, Bintaro",
        "sewaktu",
    ),
    (
        "TUK Tempat Kerja PT Pelanggan Setia",
        "Jl. TB Simatupang Kav. 1, Jakarta Selatan",
        "tempat_kerja",
    ),
    ("TUK Mandiri Laboratorium Bisnis", "Jl. Cendrawasih Raya B7/P, Tangerang Selatan", "mandiri"),
    ("TUK Sewaktu Gedung Serbaguna", "Jl. Raya Serpong Km 7, Tangerang Selatan", "sewaktu"),
    ("TUK Tempat Kerja PT Nusantara Retail", "Jl. Gatot Subroto Kav. 52, Jakarta", "tempat_kerja"),
)
ASSESSOR_COUNT = 30
SHOWCASE = ("asesi.lengkap", "Sari Wulandari")


def ensure_samples():
    """The one small PDF and JPEG every generated document and PDF points to, written once into
    the private storage (the storage the FileFields use); call it again for a web server whose
    MEDIA_ROOT is not the one the data was generated with. Returns name -> (size, sha256)."""
    storage = Document._meta.get_field("file").storage
    samples = {}
    for name, make in (
        (SAMPLE_PDF, lambda: pdf_bytes("Dokumen contoh - data generator")),
        (SAMPLE_JPEG, lambda: image_bytes("JPEG", "Pasfoto contoh")),
    ):
        if not storage.exists(name):
            stored = storage.save(name, ContentFile(make()))
            if stored != name:
                raise RuntimeError(f"the storage renamed {name} to {stored}")
        with storage.open(name, "rb") as handle:
            content = handle.read()
        samples[name] = (len(content), hashlib.sha256(content).hexdigest())
    return samples


def _ensure_schemes():
    mhp = Scheme.objects.filter(code="mhp").first()
    if mhp is None:
        raise RuntimeError("The mhp scheme (registration migration 0002) is missing.")
    mhp_documents = list(mhp.required_documents.all())
    mhp_clauses = list(mhp.clauses.all())
    for (
        code,
        data,
        units,
        courses,
        fields,
    ) in EXTRA_SCHEMES:
        scheme, created = Scheme.objects.get_or_create(
            code=code, defaults={**data, "scheme_type": "Klaster", "validity_years": 3}
        )
        if not created:
            continue
        Unit.objects.bulk_create(
            Unit(scheme=scheme, number=i, code=unit_code, title=title)
            for i, (unit_code, title) in enumerate(units, start=1)
        )
        RequiredCourse.objects.bulk_create(
            RequiredCourse(scheme=scheme, number=i, name=name)
            for i, name in enumerate(courses, start=1)
        )
        ExperienceField.objects.bulk_create(
            ExperienceField(scheme=scheme, name=name) for name in fields
        )
        field_names = " dan ".join(fields[:2])
        RequiredDocument.objects.bulk_create(
            RequiredDocument(
                scheme=scheme,
                number=doc.number,
                code=doc.code,
                name=(
                    f"Fotokopi transkrip nilai ({', '.join(courses)})"
                    if doc.code == "transkrip"
                    else f"Surat keterangan pengalaman kerja/magang bidang {field_names} "
                    f"(minimal {data['min_experience_hours']} jam)"
                    if doc.code == "surat-magang"
                    else doc.name
                ),
                section=doc.section,
                quantity=doc.quantity,
                images_only=doc.images_only,
            )
            for doc in mhp_documents
        )
        SchemeClause.objects.bulk_create(
            SchemeClause(scheme=scheme, kind=c.kind, section=c.section, text=c.text, order=c.order)
            for c in mhp_clauses
        )
    infos = {}
    for scheme in Scheme.objects.filter(code__in=SCHEME_WEIGHTS).prefetch_related(
        "units", "required_courses", "experience_fields", "required_documents"
    ):
        documents = [
            (d.pk, d.code, d.name, d.quantity, d.images_only)
            for d in scheme.required_documents.all()
        ]
        codes = [d[1] for d in documents]
        infos[scheme.code] = SchemeInfo(
            scheme=scheme,
            units=[(u.pk, u.code, u.number) for u in scheme.units.all()],
            courses=[c.pk for c in scheme.required_courses.all()],
            fields=[f.pk for f in scheme.experience_fields.all()],
            documents=documents,
            programmes=scheme.study_programme_list(),
            evidence_document="surat-magang" if "surat-magang" in codes else codes[-1],
        )
    return infos


def _ensure_users(specs, password_hash, groups, joined):
    """Users by e-mail local part: (local, full name, roles, is_staff); created in bulk."""
    emails = {_gen_email(local): (name, roles, is_staff) for local, name, roles, is_staff in specs}
    existing = {u.email: u for u in User.objects.filter(email__in=emails)}
    new = []
    for email, (name, _roles, is_staff) in emails.items():
        if email not in existing:
            new.append(
                User(
                    email=email,
                    full_name=name,
                    password=password_hash,
                    is_staff=is_staff,
                    date_joined=joined,
                    email_confirmed_at=joined,
                )
            )
    if new:
        User.objects.bulk_create(new)
        created = {u.email: u for u in User.objects.filter(email__in=[u.email for u in new])}
        User.groups.through.objects.bulk_create(
            User.groups.through(user_id=created[email].pk, group_id=groups[role])
            for email in created
            for role in emails[email][1]
        )
        existing.update(created)
    return {email.split("@")[0]: user for email, user in existing.items()}


def world(*, now=None):
    """The generator's fixed cast and catalogue, created on first use: three schemes, staff, the
    director, the technical and appeal teams, ~30 assessors, TUKs and a current signatory."""
    now = now or time.time()
    today = _date(now)
    password_hash = make_password(PASSWORD)
    groups = dict(Group.objects.filter(name__in=Role.values).values_list("name", "pk"))
    schemes = _ensure_schemes()
    joined = _dt(now - 1300 * D)
    people = [(local, name, [Role.STAFF], local == "admin1") for local, name in STAFF]
    people.append((DIRECTOR[0], DIRECTOR[1], [Role.DIRECTOR], False))
    people += [(local, name, [Role.TECHNICAL_TEAM], False) for local, name, _q in MEMBERS]
    people += [(local, name, [Role.APPEAL_TEAM], False) for local, name in APPEAL_TEAM]
    people.append((SHOWCASE[0], SHOWCASE[1], [Role.APPLICANT], False))
    rng = random.Random("world")
    assessor_names = []
    for i in range(1, ASSESSOR_COUNT + 1):
        gender = rng.random() < 0.5
        first = rng.choice(MALE if gender else FEMALE)
        assessor_names.append((f"asesor{i:02d}", f"{first} {rng.choice(FAMILY)}"))
    people += [(local, name, [Role.ASSESSOR], False) for local, name in assessor_names]
    users = _ensure_users(people, password_hash, groups, joined)

    members = {m.user_id: m for m in TechnicalTeamMember.objects.select_related("user")}
    new_members = [
        TechnicalTeamMember(user=users[local], qualification=qualification)
        for local, _name, qualification in MEMBERS
        if users[local].pk not in members
    ]
    TechnicalTeamMember.objects.bulk_create(new_members)
    member_users = [users[local].pk for local, _n, _q in MEMBERS]
    members = list(
        TechnicalTeamMember.objects.filter(user_id__in=member_users).select_related("user")
    )

    assessor_users = [users[local] for local, _name in assessor_names]
    have = set(Assessor.objects.filter(user__in=assessor_users).values_list("user_id", flat=True))
    new_assessors = []
    for i, user in enumerate(assessor_users):
        if user.pk in have:
            continue
        new_assessors.append(
            Assessor(
                user=user,
                registration_number=f"MET.000.{900100 + 37 * i:06d} {2015 + i % 8}",
                registration_valid_until=today + datetime.timedelta(days=200 + 30 * (i % 25)),
            )
        )
    Assessor.objects.bulk_create(new_assessors)
    assessors = list(
        Assessor.objects.filter(user__in=assessor_users).select_related("user").order_by("pk")
    )
    scheme_ids = {code: info.scheme.pk for code, info in schemes.items()}
    through = Assessor.schemes.through
    linked = defaultdict(set)
    for assessor_id, scheme_id in through.objects.filter(assessor__in=assessors).values_list(
        "assessor_id", "scheme_id"
    ):
        linked[assessor_id].add(scheme_id)
    links = []
    codes = sorted(scheme_ids)
    for i, assessor in enumerate(assessors):
        if linked[assessor.pk]:
            continue
        # Everyone assesses mhp or one other scheme; one in three assesses two schemes.
        wanted = {codes[i % len(codes)]}
        if i % 3 == 0:
            wanted.add(codes[(i + 1) % len(codes)])
        for code in wanted:
            links.append(through(assessor_id=assessor.pk, scheme_id=scheme_ids[code]))
            linked[assessor.pk].add(scheme_ids[code])
    through.objects.bulk_create(links)

    tuks = list(TUK.objects.filter(name__in=[name for name, _a, _k in TUKS]))
    if len(tuks) < len(TUKS):
        known = {t.name for t in tuks}
        TUK.objects.bulk_create(
            TUK(
                name=name,
                address=address,
                kind=kind,
                verified_by=users["admin1"],
                verified_on=today - datetime.timedelta(days=1500),
                verified_until=today + datetime.timedelta(days=700),
            )
            for name, address, kind in TUKS
            if name not in known
        )
        tuks = list(TUK.objects.filter(name__in=[name for name, _a, _k in TUKS]))

    signatory = Signatory.objects.filter(is_current=True).first()
    if signatory is None:
        signatory = Signatory.objects.create(
            name=DIRECTOR[1], title="Direktur LSP Universitas Pembangunan Jaya", is_current=True
        )
    content_types = {
        model: ContentType.objects.get_for_model(model, for_concrete_model=False).pk
        for model in (User, Application, Assessment, Meeting, Certificate, Appeal)
    }
    return World(
        schemes=schemes,
        staff=[users[local] for local, _n in STAFF],
        director=users[DIRECTOR[0]],
        members=members,
        appeal_team=[users[local] for local, _n in APPEAL_TEAM],
        assessors=assessors,
        tuks=tuks,
        signatory=signatory,
        showcase=users[SHOWCASE[0]],
        password_hash=password_hash,
        groups=groups,
        content_types=content_types,
        samples=ensure_samples(),
        assessor_schemes=dict(linked),
    )


# ------------------------------------------------------------------------------------------------
# Planning: what happens to each case
# ------------------------------------------------------------------------------------------------


@dataclass(eq=False)
class _Spec:
    stage: str
    variant: str
    scheme: SchemeInfo
    assessor: Assessor
    applicant: User | None = None
    anchor: float | None = None  # raw moment of the last event (stages before a decision)
    meeting: "_MeetingPlan | None" = None
    drawn: float | None = None  # raw moment wanted for the meeting (decided stages)
    state: dict = field(default_factory=dict)  # what the builder wrote (ids, times)
    reassessment: "_Spec | None" = None  # upheld appeal: the second attempt, decided later
    first: "_Spec | None" = None  # on the second attempt: the first one
    on_planned_meeting: bool = False


@dataclass(eq=False)
class _MeetingPlan:
    scheduled: float  # output moment (working hours)
    cases: list
    status: str = "decree_issued"
    existing: Meeting | None = None
    state: dict = field(default_factory=dict)


def _squeeze(times, start, first, last):
    """Move milestones `first`..`last` into [start, times[last]] when they begin before `start`
    (keeping their order)."""
    if times[first] >= start:
        return
    names = CHAIN[CHAIN.index(first) : CHAIN.index(last) + 1]
    end = times[last]
    for i, name in enumerate(names):
        times[name] = start + (end - start) * (i / max(1, len(names) - 1)) * 0.999


def _pick(rng, weights):
    keys = list(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys])[0]


def _working_day_before(moment):
    """The same moment on the last weekday on or before it (meetings are held Monday-Friday)."""
    while _date(moment).weekday() >= 5:
        moment -= D
    return moment


def _group_meetings(specs, *, period_days, rng, now, by_variant=False):
    """Decided cases into meetings: by meeting class (or by stage and variant) and period, at most
    MEETING_SIZE each, held on a weekday at the latest moment wanted by a case of the group
    (earlier never breaks what must follow the meeting before now)."""
    groups = defaultdict(list)
    for spec in specs:
        if spec.first is not None:
            klass = "reassessment"
        elif by_variant:
            klass = (spec.stage, spec.variant)
        else:
            klass = MEETING_WINDOWS[(spec.stage, spec.variant)][0]
        index = int((now - spec.drawn) // (period_days * D)) if period_days else 0
        groups[(klass, index)].append(spec)
    plans = []
    for _key, members in groups.items():
        members.sort(key=lambda s: s.drawn)
        latest = max(s.drawn for s in members)
        chunks = math.ceil(len(members) / MEETING_SIZE)
        size = math.ceil(len(members) / chunks)
        for k in range(chunks):
            # Up to four sessions a day (09:00, 12:00, 15:00, 18:00 Jakarta), then the day before.
            day = _working_day_before(latest - (k // 4) * D) + OFFSET
            day = day - day % D - OFFSET
            start = day + (9 + 3 * (k % 4)) * H + rng.uniform(0, 30) * 60
            chunk = members[k * size : (k + 1) * size]
            plan = _MeetingPlan(scheduled=start, cases=chunk)
            for spec in chunk:
                spec.meeting = plan
            plans.append(plan)
    plans.sort(key=lambda p: p.scheduled)
    return plans


# ------------------------------------------------------------------------------------------------
# The builder: the rows of each case, in the order the services would have written them
# ------------------------------------------------------------------------------------------------

GAP_HOURS = {  # raw hours between a milestone and the one before it (min, max)
    "created": (0.05, 0.5),
    "personal": (0.1, 48),
    "documents": (0.2, 72),
    "self_assessment": (0.2, 72),
    "submitted": (0.1, 120),
    "reviewed": (4, 168),
    "assigned": (2, 144),
    "impartiality": (1, 48),
    "plan_set": (0.2, 48),
    "agreed_first": (1, 72),
    "agreed_second": (0.2, 48),
    "evidence_reviewed": (2, 120),
    "results": (4, 144),
    "recommended": (0.2, 48),
}
CHAIN = list(GAP_HOURS)
METHODS = ("lisan", "observasi", "portofolio", "tertulis", "wawancara")
ASSIGNED_LAST = {
    "assigned": "assigned",
    "declared": "impartiality",
    "plan_set": "plan_set",
    "agreed_one": "agreed_first",
    "plan_agreed": "agreed_second",
    "evidence_reviewed": "evidence_reviewed",
    "results_partial": "results",
    "not_proceed": "evidence_reviewed",
}


class _Builder:
    def __init__(self, world_, *, rng, now, ids, rows=None):
        self.w = world_
        self.rng = rng
        self.now = now
        # No raw moment after this: its working-hours moment is at least an hour before now.
        self.limit = now - 8 * H
        self.ids = ids
        self.rows = rows or _Rows()
        self.decrees = _YearCounter(DecreeCounter)
        self.certificates = _YearCounter(CertificateCounter)
        self.letters = _YearCounter(AnswerLetterCounter)
        self.niks = set()
        self.closures = frozenset(ClosureDay.objects.values_list("date", flat=True))
        with translation.override(settings.LANGUAGE_CODE):
            self.pending_label = str(Certificate.Status.PENDING.label)
        self.stage_counts = Counter()

    # -- small helpers ---------------------------------------------------------------------------

    def gap(self, name):
        low, high = GAP_HOURS[name]
        return self.rng.uniform(low, high) * H

    def after(self, start, low_h, high_h):
        """A raw moment `low_h`..`high_h` hours after `start`, never later than the limit; None
        when there is no room left before the limit."""
        if start >= self.limit:
            return None
        moment = start + self.rng.uniform(low_h, high_h) * H
        if moment > self.limit:
            moment = start + (self.limit - start) * self.rng.uniform(0.2, 1.0)
        return moment

    def audit(self, raw, actor, action, model, pk, text, *, frm="", to="", reason="", **data):
        self.rows.add(
            AuditEvent,
            created_at=_dt(_out(raw)),
            actor_id=actor,
            action=action,
            content_type_id=self.w.content_types[model],
            object_id=str(pk),
            object_repr=text[:200],
            from_status=frm,
            to_status=to,
            reason=reason,
            data=data,
        )

    def uuid4(self):
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)

    def sample(self, name):
        return self.w.samples[name]

    # -- people ----------------------------------------------------------------------------------

    def person(self, gender_male):
        first = self.rng.choice(MALE if gender_male else FEMALE)
        return f"{first} {self.rng.choice(FAMILY)}"

    def nik(self, birth_date, male):
        while True:
            region, place = self.rng.choice(REGIONS)
            day = birth_date.day + (0 if male else 40)
            nik = (
                f"{region}{day:02d}{birth_date.month:02d}{birth_date.year % 100:02d}"
                f"{self.rng.randint(1, 9999):04d}"
            )
            if nik not in self.niks:
                self.niks.add(nik)
                return nik, place

    def applicant(self, spec, joined):
        """The applicant's account (sign-up), unless the spec names an existing user."""
        if spec.applicant is not None:
            user = spec.applicant
            return user.pk, user.full_name, user.email, None
        male = self.rng.random() < 0.48
        name = self.person(male)
        pk = self.ids(User)
        email = _gen_email(f"asesi{pk}")
        row = self.rows.add(
            User,
            id=pk,
            password=self.w.password_hash,
            last_login=None,
            is_superuser=False,
            is_staff=False,
            is_active=True,
            date_joined=_dt(_out(joined)),
            email=email,
            full_name=name,
            # Signed up and confirmed the address the same day (issue 12.7).
            email_confirmed_at=_dt(_out(joined)),
        )
        self.rows.add(
            User.groups.through,
            user_id=pk,
            group_id=self.w.groups[Role.APPLICANT],
        )
        self.audit(joined, pk, "account.signed_up", User, pk, name)
        return pk, name, email, (row, male)

    # -- timelines -------------------------------------------------------------------------------

    def backward(self, last, moment):
        """Raw moments of the registration and assessment milestones up to `last`, which happens
        at `moment`, walking back through the gaps."""
        times = {last: moment}
        index = CHAIN.index(last)
        for i in range(index, 0, -1):
            times[CHAIN[i - 1]] = times[CHAIN[i]] - self.gap(CHAIN[i])
        times["joined"] = times["created"] - self.gap("created")
        return times

    # -- registration ----------------------------------------------------------------------------

    def registration(self, spec, times, *, upto):
        """FR-APL-01/02 up to `upto` (started, personal, documents, self_assessment, submitted,
        reviewed): the application row is returned, not yet final (the caller sets status)."""
        rng = self.rng
        info = spec.scheme
        user_id, name, email, new_user = self.applicant(spec, times["joined"])
        app_id = self.ids(Application)
        male = new_user[1] if new_user else rng.random() < 0.5
        birth = datetime.date(rng.randint(1996, 2005), rng.randint(1, 12), rng.randint(1, 28))
        created = times["created"]
        app = self.rows.add(
            Application,
            id=app_id,
            public_id=self.uuid4(),
            applicant_id=user_id,
            scheme_id=info.scheme.pk,
            status="draft",
            full_name=name,
            email=email,
            submission_count=0,
            created_at=_dt(_out(created)),
            updated_at=_dt(_out(created)),
        )
        reference = f"APL-{app_id:06d}"
        text = f"{reference} {name}"
        state = spec.state
        state.update(
            app=app, app_id=app_id, user_id=user_id, name=name, text=text, new_user=new_user
        )
        self.audit(created, user_id, "application.created", Application, app_id, text, to="draft")
        last = created
        steps = ("personal", "documents", "self_assessment", "submitted", "reviewed")
        reach = steps[: steps.index(upto) + 1] if upto in steps else ()
        wrong_programme = spec.stage == "rejected" and spec.variant == "programme"
        short_hours = spec.stage == "rejected" and spec.variant == "hours"
        if "personal" in reach:
            nik, place = self.nik(birth, male)
            entry = rng.randint(2018, 2023)
            app.update(
                nik=nik,
                birth_place=place,
                birth_date=birth,
                gender="L" if male else "P",
                address=f"{rng.choice(STREETS)} No. {rng.randint(1, 250)}, {place}",
                phone=f"{rng.choice(PHONE_PREFIXES)} {rng.randint(1000, 9999)} "
                f"{rng.randint(1000, 9999)}",
                university=rng.choices(
                    [u for u, _w in UNIVERSITIES], weights=[w for _u, w in UNIVERSITIES]
                )[0],
                study_programme=rng.choice(OTHER_PROGRAMMES)
                if wrong_programme
                else rng.choice(info.programmes),
                student_number=f"{entry}{rng.randint(10000, 99999)}{app_id % 100:02d}",
                semester=rng.randint(5, 8),
                updated_at=_dt(_out(times["personal"])),
            )
            for course_id in info.courses:
                self.rows.add(
                    Application.completed_courses.through,
                    application_id=app_id,
                    requiredcourse_id=course_id,
                )
            minimum = info.scheme.min_experience_hours
            hours = (
                rng.randint(max(minimum // 4, 40), max(minimum - 1, 41))
                if short_hours
                else (rng.randint(minimum, minimum + 320))
            )
            start = _date(_out(times["personal"])) - datetime.timedelta(days=rng.randint(60, 700))
            self.rows.add(
                Experience,
                application_id=app_id,
                organisation=rng.choice(ORGANISATIONS),
                field_id=rng.choice(info.fields),
                role=rng.choice(
                    ("Magang divisi pemasaran", "Staf magang", "Asisten proyek", "Magang layanan")
                ),
                start_date=start,
                end_date=start + datetime.timedelta(days=rng.randint(60, 150)),
                hours=hours,
            )
            if rng.random() < 0.3:  # work in another field: its hours do not count (6.2)
                other = start - datetime.timedelta(days=rng.randint(200, 400))
                self.rows.add(
                    Experience,
                    application_id=app_id,
                    organisation=rng.choice(ORGANISATIONS),
                    field_id=None,
                    role="Pekerja paruh waktu",
                    start_date=other,
                    end_date=other + datetime.timedelta(days=rng.randint(30, 120)),
                    hours=rng.randint(40, 300),
                )
            state["hours_ok"] = not short_hours
            state["programme_ok"] = not wrong_programme
            last = times["personal"]
        evidence_id = None
        if "documents" in reach:
            moment = times["documents"]
            first_name = name.split()[0]
            for doc_id, code, doc_name, quantity, images_only in info.documents:
                for index in range(quantity):
                    pk = self.ids(Document)
                    if images_only:
                        file, kind, original = SAMPLE_JPEG, "image/jpeg", f"pasfoto-{index + 1}.jpg"
                    else:
                        file, kind = SAMPLE_PDF, "application/pdf"
                        original = f"{code}-{first_name.lower()}.pdf"
                    size, sha = self.sample(file)
                    self.rows.add(
                        Document,
                        id=pk,
                        application_id=app_id,
                        requirement_id=doc_id,
                        file=file,
                        original_name=original,
                        content_type=kind,
                        size=size,
                        sha256=sha,
                        uploaded_at=_dt(_out(moment)),
                    )
                    self.audit(
                        moment,
                        user_id,
                        "document.uploaded",
                        Application,
                        app_id,
                        text,
                        document=f"{doc_name}: {original}",
                        document_id=pk,
                    )
                    if code == info.evidence_document:
                        evidence_id = pk
                    moment += rng.uniform(0.5, 8) * 60
            last = moment
        if "self_assessment" in reach:
            moment = times["self_assessment"]
            for unit_id, _code, _number in info.units:
                self.rows.add(
                    SelfAssessment,
                    application_id=app_id,
                    unit_id=unit_id,
                    answer="K" if rng.random() < 0.96 else "BK",
                    evidence_id=evidence_id,
                    note=rng.choice(SELF_NOTES),
                    updated_at=_dt(_out(moment)),
                )
            self.audit(
                moment,
                user_id,
                "self_assessment.saved",
                Application,
                app_id,
                text,
                units=len(info.units),
            )
            last = moment
        if "submitted" in reach:
            moment = times["submitted"]
            app.update(
                status="submitted",
                agreed_at=_dt(_out(moment)),
                submitted_at=_dt(_out(moment)),
                submission_count=1,
                updated_at=_dt(_out(moment)),
            )
            eligibility = {"study_programme": not wrong_programme}
            eligibility.update({f"course_{c}": True for c in info.courses})
            eligibility["experience_hours"] = not short_hours
            self.audit(
                moment,
                user_id,
                "application.submitted",
                Application,
                app_id,
                text,
                frm="draft",
                to="submitted",
                eligibility=eligibility,
            )
            state["eligibility"] = eligibility
            last = moment
        if new_user:
            new_user[0]["last_login"] = _dt(_out(last))
        return app

    def review(self, spec, moment, to_status, action, note):
        state = spec.state
        staff = self.rng.choice(self.w.staff).pk
        state["app"].update(
            status=to_status,
            review_note=note,
            reviewed_at=_dt(_out(moment)),
            reviewed_by_id=staff,
            updated_at=_dt(_out(moment)),
        )
        self.audit(
            moment,
            staff,
            action,
            Application,
            state["app_id"],
            state["text"],
            frm="submitted",
            to=to_status,
            reason=note,
        )

    def resubmission(self, spec, times):
        """A revision asked for and the application submitted again (submission_count 2)."""
        state = spec.state
        asked = times["submitted"] - self.rng.uniform(24, 120) * H
        first = asked - self.rng.uniform(4, 96) * H
        app = state["app"]
        self.audit(
            first,
            state["user_id"],
            "application.submitted",
            Application,
            state["app_id"],
            state["text"],
            frm="draft",
            to="submitted",
            eligibility=state["eligibility"],
        )
        staff = self.rng.choice(self.w.staff).pk
        note = "Transkrip nilai kurang jelas; unggah ulang dengan resolusi lebih tinggi."
        self.audit(
            asked,
            staff,
            "application.revision_requested",
            Application,
            state["app_id"],
            state["text"],
            frm="submitted",
            to="revision_requested",
            reason=note,
        )
        self.audit(
            times["submitted"],
            state["user_id"],
            "application.submitted",
            Application,
            state["app_id"],
            state["text"],
            frm="revision_requested",
            to="submitted",
            eligibility=state["eligibility"],
        )
        app.update(
            submission_count=2, review_note=note, reviewed_at=_dt(_out(asked)), reviewed_by_id=staff
        )

    # -- assessment ------------------------------------------------------------------------------

    def assessment(self, spec, times, *, upto, attempt=1, outcome=None, partial=False):
        """The assessment attempt up to milestone `upto` (assigned ... recommended); `outcome`:
        "k", "bk" (some units BK), "not_proceed" or "against_k"/"against_bk" (the decision will
        differ from the recommendation)."""
        rng = self.rng
        state = spec.state
        info = spec.scheme
        assessor = spec.assessor
        staff = rng.choice(self.w.staff).pk
        pk = self.ids(Assessment)
        assigned = times["assigned"]
        row = self.rows.add(
            Assessment,
            id=pk,
            application_id=state["app_id"],
            attempt=attempt,
            is_current=True,
            status="assigned",
            assessor_id=assessor.pk,
            assigned_by_id=staff,
            assigned_at=_dt(_out(assigned)),
            created_at=_dt(_out(assigned)),
            updated_at=_dt(_out(assigned)),
        )
        # Who holds the attempt (assessment.services.assign keeps it as a row).
        self.rows.add(
            Assignment,
            assessment_id=pk,
            assessor_id=assessor.pk,
            assigned_by_id=staff,
            started_at=_dt(_out(assigned)),
        )
        reference = f"ASM-{pk:06d}"
        text = f"{reference} {state['name']}"
        state.update(assessment=row, assessment_id=pk, assessment_text=text, reference=reference)
        assessor_text = f"{assessor.user.full_name} ({assessor.registration_number})"
        self.audit(
            assigned,
            staff,
            "assessment.assigned",
            Assessment,
            pk,
            text,
            to="assigned",
            assessor=assessor_text,
            application=f"APL-{state['app_id']:06d}",
        )
        order = CHAIN.index(upto)
        applicant_id, assessor_user = state["user_id"], assessor.user_id
        if order >= CHAIN.index("impartiality"):
            moment = times["impartiality"]
            row.update(impartiality_declared_at=_dt(_out(moment)), updated_at=_dt(_out(moment)))
            self.audit(
                moment, assessor_user, "assessment.impartiality_declared", Assessment, pk, text
            )
        if order < CHAIN.index("plan_set"):
            return row
        moment = times["plan_set"]
        if "results" in times and order >= CHAIN.index("results"):
            test_day = _date(_out(times["results"]))
        else:
            test_day = _date(_out(moment)) + datetime.timedelta(days=rng.randint(2, 14))
            if "evidence_reviewed" in times and order >= CHAIN.index("evidence_reviewed"):
                test_day = max(
                    test_day,
                    _date(_out(times["evidence_reviewed"]))
                    + datetime.timedelta(days=rng.randint(1, 7)),
                )
        tuk = rng.choice(self.w.tuks)
        methods = sorted(rng.sample(METHODS, rng.randint(2, 3)))
        for unit_id, _code, _number in info.units:
            self.rows.add(
                PlanItem,
                assessment_id=pk,
                unit_id=unit_id,
                methods=methods,
                date=test_day,
                tuk_id=tuk.pk,
            )
        row.update(plan_set_at=_dt(_out(moment)), updated_at=_dt(_out(moment)))
        self.audit(
            moment,
            assessor_user,
            "assessment.plan_set",
            Assessment,
            pk,
            text,
            units=len(info.units),
            agreements_reset=False,
        )
        if order < CHAIN.index("agreed_first"):
            return row
        applicant_first = rng.random() < 0.7
        parties = [("applicant", applicant_id), ("assessor", assessor_user)]
        if not applicant_first:
            parties.reverse()
        for step, (party, actor) in zip(("agreed_first", "agreed_second"), parties, strict=True):
            if order < CHAIN.index(step):
                break
            moment = times[step]
            column = "applicant_agreed_at" if party == "applicant" else "assessor_agreed_at"
            both = step == "agreed_second"
            row.update({column: _dt(_out(moment)), "updated_at": _dt(_out(moment))})
            if both:
                row["status"] = "plan_agreed"
            self.audit(
                moment,
                actor,
                "assessment.plan_agreed",
                Assessment,
                pk,
                text,
                frm="assigned",
                to="plan_agreed" if both else "assigned",
                party=party,
            )
        if order < CHAIN.index("evidence_reviewed"):
            return row
        moment = times["evidence_reviewed"]
        proceed = outcome != "not_proceed"
        failing = set()
        if not proceed:
            failing = {u[0] for u in rng.sample(info.units, rng.randint(1, 3))}
        for unit_id, _code, _number in info.units:
            ok = unit_id not in failing
            self.rows.add(
                EvidenceReview,
                assessment_id=pk,
                unit_id=unit_id,
                valid=True,
                authentic=True,
                current=ok or rng.random() < 0.5,
                sufficient=ok,
                note="" if ok else "Bukti belum memadai untuk unit ini.",
            )
        reason = "" if proceed else "Bukti magang belum memadai untuk beberapa unit (9.2.6)."
        row.update(
            status="evidence_reviewed",
            evidence_reviewed_at=_dt(_out(moment)),
            proceed_to_test=proceed,
            not_recommended_reason=reason,
            updated_at=_dt(_out(moment)),
        )
        self.audit(
            moment,
            assessor_user,
            "assessment.evidence_reviewed",
            Assessment,
            pk,
            text,
            frm="plan_agreed",
            to="evidence_reviewed",
            reason=reason,
            proceed=proceed,
            units_meeting_vatm=len(info.units) - len(failing),
        )
        bk_codes = []
        if proceed and order >= CHAIN.index("results"):
            moment = times["results"]
            units = info.units
            if partial:
                units = units[: rng.randint(1, max(1, len(units) - 1))]
            weak = set()
            if outcome in ("bk", "against_bk"):
                weak = {u[0] for u in rng.sample(info.units, rng.randint(1, 3))}
            recorded = {}
            for unit_id, code, _number in units:
                k = unit_id not in weak
                self.rows.add(
                    UnitResult,
                    assessment_id=pk,
                    unit_id=unit_id,
                    methods=methods,
                    evidence_observed=rng.choice(EVIDENCE_OBSERVED if k else WEAK_OBSERVED),
                    valid=True,
                    authentic=True,
                    current=True,
                    sufficient=k,
                    result="K" if k else "BK",
                    recorded_at=_dt(_out(moment)),
                )
                recorded[code] = "K" if k else "BK"
                if not k:
                    bk_codes.append(code)
            row["updated_at"] = _dt(_out(moment))
            self.audit(
                moment,
                assessor_user,
                "assessment.results_recorded",
                Assessment,
                pk,
                text,
                units=recorded,
            )
            state["k_units"] = [u[0] for u in info.units if u[0] not in weak]
        if order < CHAIN.index("recommended"):
            return row
        moment = times["recommended"]
        recommendation = "BK" if (not proceed or bk_codes) else "K"
        row.update(
            status="recommended",
            recommendation=recommendation,
            recommendation_note="Asesi kompeten pada seluruh unit."
            if recommendation == "K"
            else "Belum kompeten pada sebagian unit.",
            submitted_at=_dt(_out(moment)),
            updated_at=_dt(_out(moment)),
        )
        state["recommendation"] = recommendation
        state["bk_codes"] = bk_codes
        state["recommended_at"] = moment
        self.audit(
            moment,
            assessor_user,
            "assessment.submitted",
            Assessment,
            pk,
            text,
            frm="evidence_reviewed",
            to="recommended",
            recommendation=recommendation,
            bk_units=bk_codes,
        )
        # 9.9.8.a: the applicant signs the result or declines, then gives feedback (FR-AK-03).
        respond = self.after(moment, 1, 72)
        if respond is not None:
            declines = recommendation == "BK" and rng.random() < 0.45
            if declines:
                comment = rng.choice(DECLINE_COMMENTS)
                row.update(
                    signature_declined_at=_dt(_out(respond)),
                    signature_decline_comment=comment,
                    updated_at=_dt(_out(respond)),
                )
                self.audit(
                    respond,
                    applicant_id,
                    "assessment.signature_declined",
                    Assessment,
                    pk,
                    text,
                    reason=comment,
                )
            elif rng.random() < 0.94:
                row.update(applicant_signed_at=_dt(_out(respond)), updated_at=_dt(_out(respond)))
                self.audit(respond, applicant_id, "assessment.result_signed", Assessment, pk, text)
            given = self.after(respond, 0.1, 2)
            if given is not None and rng.random() < 0.8:
                answers = [{"yes": rng.random() < 0.93, "comment": ""} for _q in Feedback.QUESTIONS]
                comment = "" if rng.random() < 0.7 else "Proses asesmen jelas dan tertib."
                self.rows.add(
                    Feedback,
                    assessment_id=pk,
                    answers=answers,
                    comment=comment,
                    submitted_at=_dt(_out(given)),
                )
                self.audit(
                    given,
                    applicant_id,
                    "assessment.feedback_given",
                    Assessment,
                    pk,
                    text,
                    negative=sum(1 for a in answers if not a["yes"]),
                )
        return row

    # -- one case before any meeting ---------------------------------------------------------------

    def early_case(self, spec):
        """Every stage up to `recommended`: the case laid out backwards from its last event."""
        rng = self.rng
        stage, variant = spec.stage, spec.variant
        self.stage_counts[stage] += 1
        if stage == "draft":
            last = {
                "started": "created",
                "personal": "personal",
                "documents": "documents",
                "self_assessment": "self_assessment",
            }[variant]
            times = self.backward(last, spec.anchor)
            upto = last if last != "created" else "started"
            self.registration(spec, times, upto=upto)
            return
        if stage == "withdrawn":
            last = "personal" if variant == "from_draft" else "submitted"
            withdrawn = spec.anchor
            times = self.backward(last, withdrawn - rng.uniform(2, 400) * H)
            app = self.registration(spec, times, upto=last)
            previous = app["status"]
            app.update(status="withdrawn", updated_at=_dt(_out(withdrawn)))
            state = spec.state
            self.audit(
                withdrawn,
                state["user_id"],
                "application.withdrawn",
                Application,
                state["app_id"],
                state["text"],
                frm=previous,
                to="withdrawn",
                reason=rng.choice(("", "Sedang magang di luar kota.", "Pindah skema.")),
            )
            return
        if stage == "submitted":
            times = self.backward("submitted", spec.anchor)
            self.registration(spec, times, upto="submitted")
            if variant == "resubmitted":
                self.resubmission(spec, times)
            return
        if stage in ("revision_requested", "rejected", "eligible"):
            times = self.backward("reviewed", spec.anchor)
            self.registration(spec, times, upto="submitted")
            if stage == "revision_requested":
                self.review(
                    spec,
                    times["reviewed"],
                    "revision_requested",
                    "application.revision_requested",
                    rng.choice(
                        (
                            "Transkrip nilai kurang jelas; unggah ulang.",
                            "Pasfoto harus berlatar merah; unggah ulang.",
                            "Surat magang belum ditandatangani pimpinan.",
                        )
                    ),
                )
            elif stage == "rejected":
                reason = (
                    "Jam magang kurang dari yang dipersyaratkan (6.2)."
                    if variant == "hours"
                    else "Program studi tidak sesuai persyaratan skema (6.1)."
                )
                self.review(spec, times["reviewed"], "rejected", "application.rejected", reason)
            else:
                self.review(
                    spec,
                    times["reviewed"],
                    "eligible",
                    "application.eligible",
                    "Berkas lengkap dan memenuhi syarat.",
                )
            return
        if stage == "assigned":
            last = ASSIGNED_LAST[variant]
            times = self.backward(last, spec.anchor)
            self.registration(spec, times, upto="submitted")
            self.review(
                spec,
                times["reviewed"],
                "eligible",
                "application.eligible",
                "Berkas lengkap dan memenuhi syarat.",
            )
            outcome = "not_proceed" if variant == "not_proceed" else "k"
            self.assessment(
                spec, times, upto=last, outcome=outcome, partial=variant == "results_partial"
            )
            return
        if stage == "recommended":
            times = self.backward("recommended", spec.anchor)
            self.pre_meeting(spec, times, "k" if variant == "k" else self.bk_outcome())
            return
        raise ValueError(f"{stage} is decided in a meeting")

    def bk_outcome(self):
        return "not_proceed" if self.rng.random() < 0.15 else "bk"

    def pre_meeting(self, spec, times, outcome, *, attempt=1):
        if attempt == 1:
            self.registration(spec, times, upto="submitted")
            self.review(
                spec,
                times["reviewed"],
                "eligible",
                "application.eligible",
                "Berkas lengkap dan memenuhi syarat.",
            )
        self.assessment(spec, times, upto="recommended", outcome=outcome, attempt=attempt)

    # -- meetings, decisions, minutes, decree (9.4) ------------------------------------------------

    def decided_outcome(self, spec):
        """(assessment outcome, decision result) of a case on a meeting's agenda."""
        rng = self.rng
        if spec.stage == "recommended":  # on the agenda of a meeting still to be held
            return ("k", None) if spec.variant == "k" else (self.bk_outcome(), None)
        if spec.first is not None:  # the reassessment after an upheld appeal
            return ("k", "K") if spec.variant == "k" else (self.bk_outcome(), "BK")
        if spec.stage in ("decided_k", "certified"):
            return ("against_bk", "K") if rng.random() < 0.01 else ("k", "K")
        if rng.random() < 0.03:
            return ("against_k", "BK")
        return (self.bk_outcome(), "BK")

    def meeting(self, plan):
        """A meeting with its cases: planned, opened, each case decided, closed, minutes signed by
        every present member, decree drafted and signed by the director (decisions published)."""
        rng = self.rng
        w = self.w
        scheduled = plan.scheduled  # output (working-hours) moment
        raw_scheduled = _raw(scheduled)
        existing = plan.existing
        if existing is None:
            planned = min(
                raw_scheduled - rng.uniform(1, 6) * D, self.limit - rng.uniform(0, 48) * H
            )
        else:
            planned = _raw(_ts(existing.created_at))
        outcomes = []
        for spec in plan.cases:
            self.stage_counts[spec.stage if spec.first is None else "reassessment"] += 1
            outcome, result = self.decided_outcome(spec)
            recommended = planned - rng.uniform(12, 144) * H
            if spec.first is not None:
                # The new attempt starts after the director's answer (9.9.8.d).
                times = self.backward("recommended", recommended)
                start = spec.first.state["answered_raw"] + rng.uniform(12, 96) * H
                _squeeze(times, start, "assigned", "recommended")
                spec.state.update(
                    {k: spec.first.state[k] for k in ("app_id", "user_id", "name", "text")}
                )
                self.pre_meeting(spec, times, outcome, attempt=2)
            else:
                times = self.backward("recommended", recommended)
                self.pre_meeting(spec, times, outcome)
            outcomes.append((spec, result))
        if existing is None:
            meeting_id = self.ids(Meeting)
            local = _dt(scheduled).astimezone(TZ)
            title = f"Rapat Tim Teknis {local.day} {_MONTHS_ID[local.month - 1]} {local.year}"
            if local.hour >= 12:
                title += " (Sesi Siang)"
            online = rng.random() < 0.3
            invited = rng.sample(w.members, rng.randint(3, min(5, len(w.members))))
            absent = invited[-1] if len(invited) > 3 and rng.random() < 0.3 else None
            present = [m for m in invited if m is not absent]
            staff = rng.choice(w.staff).pk
            meeting = self.rows.add(
                Meeting,
                id=meeting_id,
                title=title,
                scheduled_at=_dt(scheduled),
                location=f"https://meet.google.com/gen-{meeting_id % 1000:03d}-lsp"
                if online
                else "Ruang Rapat LSP, Gedung B lantai 2",
                is_online=online,
                status=plan.status,
                quorum=settings.DECISION_QUORUM,
                planned_by_id=staff,
                created_at=_dt(_out(planned)),
            )
            with translation.override(settings.LANGUAGE_CODE):  # str(meeting), as record() keeps
                meeting_text = f"{title} ({format_date(local.date())})"
            for member in invited:
                self.rows.add(
                    Attendance,
                    meeting_id=meeting_id,
                    member_id=member.pk,
                    present=None if plan.status == "planned" else member is not absent,
                )
            first_order = 1
            self.audit(
                planned,
                staff,
                "meeting.planned",
                Meeting,
                meeting_id,
                meeting_text,
                to="planned",
                members=[m.user.full_name for m in invited],
                agenda=[s.state["reference"] for s, _r in outcomes],
            )
        else:
            meeting_id = existing.pk
            meeting = None
            meeting_text = str(existing)
            present = [
                a.member for a in existing.attendances.select_related("member__user") if a.present
            ]
            first_order = (existing.agenda.aggregate(n=models.Max("order"))["n"] or 0) + 1
            staff = existing.planned_by_id
        for order, (spec, _result) in enumerate(outcomes, start=first_order):
            self.rows.add(
                AgendaItem,
                meeting_id=meeting_id,
                assessment_id=spec.state["assessment_id"],
                order=order,
            )
        plan.state.update(meeting_id=meeting_id, text=meeting_text, present=present)
        if plan.status == "planned":
            return
        if existing is None:
            opened = raw_scheduled + rng.uniform(0, 0.25) * H
            meeting["opened_at"] = _dt(_out(opened))
            self.audit(
                opened,
                staff,
                "meeting.opened",
                Meeting,
                meeting_id,
                meeting_text,
                frm="planned",
                to="held",
                present=len(present),
                quorum=settings.DECISION_QUORUM,
            )
            moment = opened
        else:
            moment = _raw(_ts(existing.opened_at))
        decided_at = []
        for spec, result in outcomes:
            moment += rng.uniform(2, 6) * 60
            decided_at.append(moment)
            self.decision(spec, result, plan, moment, present)
        if existing is not None:
            decree = existing.minutes.decree
            self.publish(
                plan,
                _raw(_ts(decree.signed_at)),
                decree.number,
                outcomes,
                existing.minutes.decree.signed_by_id,
            )
            return
        closed = moment + rng.uniform(5, 30) * 60
        meeting.update(closed_at=_dt(_out(closed)), status="decree_issued")
        self.audit(
            closed,
            staff,
            "meeting.closed",
            Meeting,
            meeting_id,
            meeting_text,
            frm="held",
            to="closed",
        )
        minutes_id = self.ids(Minutes)
        signatures = []
        for member in present:
            signed = closed + rng.uniform(0.2, 30) * H
            signatures.append((signed, member))
        signatures.sort(key=lambda s: s[0])
        final = signatures[-1][0]
        self.rows.add(
            Minutes,
            id=minutes_id,
            meeting_id=meeting_id,
            created_at=_dt(_out(closed)),
            final_at=_dt(_out(final)),
            **self.rendered(final),
        )
        for signed, member in signatures:
            self.rows.add(
                MinutesSignature,
                minutes_id=minutes_id,
                member_id=member.pk,
                signed_at=_dt(_out(signed)),
            )
            self.audit(signed, member.user_id, "minutes.signed", Meeting, meeting_id, meeting_text)
        self.audit(
            final,
            signatures[-1][1].user_id,
            "minutes.final",
            Meeting,
            meeting_id,
            meeting_text,
            frm="closed",
            to="minutes_signed",
        )
        drafted = final + rng.uniform(0.5, 30) * H
        decree_id = self.ids(Decree)
        self.audit(
            drafted, staff, "decree.drafted", Meeting, meeting_id, meeting_text, decree=decree_id
        )
        signed = drafted + rng.uniform(1, 48) * H
        signed_out = _out(signed)
        year = _date(signed_out).year
        sequence = self.decrees.take(year)
        number = _number(settings.DECREE_NUMBER_PATTERN, sequence, signed_out)
        self.rows.add(
            Decree,
            id=decree_id,
            minutes_id=minutes_id,
            status="signed",
            year=year,
            sequence=sequence,
            number=number,
            drafted_by_id=staff,
            drafted_at=_dt(_out(drafted)),
            signed_by_id=w.director.pk,
            signed_at=_dt(signed_out),
            **self.rendered(signed),
        )
        self.publish(plan, signed, number, outcomes, w.director.pk)
        self.audit(
            signed,
            w.director.pk,
            "decree.signed",
            Meeting,
            meeting_id,
            meeting_text,
            frm="minutes_signed",
            to="decree_issued",
            number=number,
        )

    def rendered(self, raw):
        """A PDF rendered shortly after `raw` and stored (the shared sample file)."""
        return {
            "pdf": SAMPLE_PDF,
            "pdf_status": "ready",
            "pdf_version": 1,
            "pdf_rendered_at": _dt(_out(raw) + self.rng.uniform(5, 90)),
            "pdf_render_ms": self.rng.randint(40, 400),
        }

    def decision(self, spec, result, plan, moment, present):
        rng = self.rng
        state = spec.state
        member = rng.choice(present)
        against = result != state["recommendation"]
        info = spec.scheme
        reason = ""
        if result == "K" and not against:
            basis = (
                f"Seluruh {len(info.units)} unit K dengan bukti memenuhi VATM; rekomendasi "
                "asesor diterima."
            )
        elif result == "K":
            basis = f"Bukti tambahan unit {', '.join(state['bk_codes'])} memenuhi VATM."
            reason = "Tim teknis menilai bukti tambahan cukup; berbeda dengan rekomendasi asesor."
        elif against:
            basis = "Bukti portofolio tidak memenuhi aturan bukti (VATM) pada verifikasi ulang."
            reason = "Verifikasi tim teknis menemukan bukti yang tidak asli."
        elif state["bk_codes"]:
            basis = (
                f"Unit {', '.join(state['bk_codes'])} belum kompeten: bukti belum memadai; "
                "rekomendasi asesor diterima."
            )
        else:
            basis = (
                "Tidak direkomendasikan untuk uji kompetensi (9.2.6); rekomendasi asesor diterima."
            )
        pk = self.ids(Decision)
        decision = self.rows.add(
            Decision,
            id=pk,
            meeting_id=plan.state["meeting_id"],
            assessment_id=state["assessment_id"],
            result=result,
            basis=basis,
            against_recommendation_reason=reason,
            decided_by_id=member.pk,
            decided_at=_dt(_out(moment)),
        )
        state.update(decision=decision, decision_id=pk, result=result)
        self.audit(
            moment,
            member.user_id,
            "decision.recorded",
            Assessment,
            state["assessment_id"],
            state["assessment_text"],
            frm="",
            to=result,
            reason=reason or basis,
            meeting=f"RTT-{plan.state['meeting_id']:05d}",
            against_recommendation=against,
        )

    def publish(self, plan, signed, number, outcomes, director_id):
        """9.4.5: the signed decree publishes every decision; a competent one gets its pending
        certificate (certificates.services.create_pending, actor None)."""
        for spec, result in outcomes:
            state = spec.state
            state["decision"]["published_at"] = _dt(_out(signed))
            state["published_raw"] = signed
            self.audit(
                signed,
                director_id,
                "decision.published",
                Application,
                state["app_id"],
                state["text"],
                to=result,
                decree=number,
            )
            if result == "K":
                self.pending_certificate(spec, signed)

    # -- certificates (9.4.6-9.5) ------------------------------------------------------------------

    def pending_certificate(self, spec, published):
        state = spec.state
        info = spec.scheme
        pk = self.ids(Certificate)
        cert = self.rows.add(
            Certificate,
            id=pk,
            decision_id=state["decision_id"],
            holder_id=state["user_id"],
            holder_name=state["name"],
            scheme_name=info.scheme.name,
            scheme_number=info.scheme.document_number,
            status="pending",
            token=self.uuid4(),
            number=None,
            created_at=_dt(_out(published)),
        )
        units = state.get("k_units") or [u[0] for u in info.units]
        for unit_id in units:
            self.rows.add(
                Certificate.scope.through,
                certificate_id=pk,
                unit_id=unit_id,
            )
        state.update(certificate=cert, certificate_id=pk)
        text = f"{state['name']} ({self.pending_label})"
        self.audit(published, None, "certificate.pending", Certificate, pk, text, to="pending")

    def after_decision(self, spec):
        """What follows publication: the certificate requirements and issue, incidents, or the
        appeal."""
        state = spec.state
        if "certificate" in state:
            if spec.stage == "decided_k":
                if spec.variant == "no_fee":
                    self.agreement(spec, self.after(state["published_raw"], 1, 240))
            else:
                self.issue(spec)
                if spec.stage == "certified":
                    self.incidents(spec)
        if spec.stage == "appealed" and spec.first is None:
            self.appeal(spec)

    def agreement(self, spec, moment):
        """9.8: the holder signs the certificate-use agreement."""
        if moment is None:
            return
        state = spec.state
        state["certificate"]["agreement_signed_at"] = _dt(_out(moment))
        self.audit(
            moment,
            state["user_id"],
            "certificate.agreement_signed",
            Certificate,
            state["certificate_id"],
            f"{state['name']} ({self.pending_label})",
        )

    def issue(self, spec):
        """The agreement (9.8) and the fee (8.1, recorded by staff); when the second is in, the
        certificate is issued: number, dates, signatory, PDF and card (9.4.6-9.4.7)."""
        rng = self.rng
        state = spec.state
        info = spec.scheme
        cert = state["certificate"]
        pk = state["certificate_id"]
        published = state["published_raw"]
        agreed = self.after(published, 1, 240)
        paid = self.after(published, 2, 336)
        if agreed is None or paid is None:
            raise RuntimeError("A certified case needs time after its decision.")
        if paid < agreed:
            staff = rng.choice(self.w.staff).pk
            self.fee(spec, paid, staff)
            self.agreement(spec, agreed)
            issued, actor = agreed, state["user_id"]
        else:
            self.agreement(spec, agreed)
            staff = rng.choice(self.w.staff).pk
            self.fee(spec, paid, staff)
            issued, actor = paid, staff
        issued_out = _out(issued)
        issued_on = _date(issued_out)
        sequence = self.certificates.take(issued_on.year)
        number = _number(
            settings.CERTIFICATE_NUMBER_PATTERN, sequence, issued_out, scheme=info.code.upper()
        )
        cert.update(
            status="active",
            number=number,
            year=issued_on.year,
            sequence=sequence,
            issued_on=issued_on,
            valid_until=add_years(issued_on, info.scheme.validity_years),
            signatory_id=self.w.signatory.pk,
            **self.rendered(issued),
        )
        self.rows.add(
            CertificateCard,
            certificate_id=pk,
            **self.rendered(issued),
        )
        self.audit(
            issued,
            actor,
            "certificate.issued",
            Certificate,
            pk,
            number,
            frm="pending",
            to="active",
            number=number,
        )
        state["issued_raw"] = issued

    def fee(self, spec, moment, staff):
        state = spec.state
        amount = spec.scheme.scheme.fee
        state["certificate"].update(
            fee_paid_at=_dt(_out(moment)), fee_amount=amount, fee_recorded_by_id=staff
        )
        self.audit(
            moment,
            staff,
            "certificate.fee_recorded",
            Certificate,
            state["certificate_id"],
            f"{state['name']} ({self.pending_label})",
            amount=amount,
        )

    def incidents(self, spec):
        """Frozen, revoked or restored certificates (9.5), with their warnings; laid out in the
        time between the issue and now."""
        rng = self.rng
        variant = spec.variant
        if variant not in ("frozen", "revoked", "restored"):
            return
        state = spec.state
        cert = state["certificate"]
        pk = state["certificate_id"]
        number = cert["number"]
        issued = state["issued_raw"]
        span = self.limit - issued
        if span < 20 * D:
            return  # issued too recently for anything to have happened
        staff = rng.choice(self.w.staff).pk
        ground = rng.choice(("a", "b", "c"))
        if variant == "frozen":
            frozen = max(issued + span * rng.uniform(0.3, 0.95), self.limit - 150 * D)
            if rng.random() < 0.5:
                self.warning(
                    spec, issued + (frozen - issued) * rng.uniform(0.5, 0.95), ground, staff
                )
            self.freeze(spec, frozen, ground, staff, resolve_days=rng.randint(30, 90))
            return
        if variant == "restored":
            frozen = issued + span * rng.uniform(0.1, 0.6)
            self.freeze(spec, frozen, ground, staff, resolve_days=30)
            restored = frozen + (self.limit - frozen) * rng.uniform(0.02, 0.3)
            cert.update(status="active", resolve_by=None)
            self.audit(
                restored,
                staff,
                "certificate.restored",
                Certificate,
                pk,
                number,
                frm="frozen",
                to="active",
                reason="Pemegang sertifikat telah memenuhi kewajibannya.",
            )
            return
        warned = issued + span * rng.uniform(0.1, 0.6)
        self.warning(spec, warned, ground, staff)
        previous = "active"
        revoked = warned + (self.limit - warned) * rng.uniform(0.1, 0.5)
        if rng.random() < 0.5:
            frozen = warned + (revoked - warned) * rng.uniform(0.05, 0.3)
            days = max(1, (_date(_out(revoked)) - _date(_out(frozen))).days - 1)
            self.freeze(spec, frozen, ground, staff, resolve_days=rng.randint(1, days))
            previous = "frozen"
        reason = "Peringatan tidak diindahkan; sertifikat disalahgunakan (9.5.5)."
        cert.update(status="revoked", revoked_at=_dt(_out(revoked)), revoke_reason=reason)
        self.audit(
            revoked,
            self.w.director.pk,
            "certificate.revoked",
            Certificate,
            pk,
            number,
            frm=previous,
            to="revoked",
            reason=reason,
        )
        returned = self.after(revoked, 72, 720)
        if returned is not None and rng.random() < 0.4:
            cert["returned_at"] = _dt(_out(returned))
            self.audit(returned, staff, "certificate.returned", Certificate, pk, number)

    def warning(self, spec, moment, ground, staff):
        state = spec.state
        text = "Penggunaan sertifikat di luar ruang lingkup unit yang diberikan (9.8.2)."
        self.rows.add(
            CertificateWarning,
            certificate_id=state["certificate_id"],
            ground=ground,
            text=text,
            issued_by_id=staff,
            issued_at=_dt(_out(moment)),
        )
        self.audit(
            moment,
            staff,
            "certificate.warned",
            Certificate,
            state["certificate_id"],
            state["certificate"]["number"],
            reason=text,
            ground=ground,
        )

    def freeze(self, spec, moment, ground, staff, *, resolve_days):
        state = spec.state
        cert = state["certificate"]
        reason = "Laporan penyalahgunaan sertifikat sedang diperiksa (9.5.1)."
        resolve_by = _date(_out(moment)) + datetime.timedelta(days=resolve_days)
        cert.update(
            status="frozen",
            freeze_ground=ground,
            freeze_reason=reason,
            frozen_at=_dt(_out(moment)),
            resolve_by=resolve_by,
        )
        self.audit(
            moment,
            staff,
            "certificate.frozen",
            Certificate,
            state["certificate_id"],
            cert["number"],
            frm="active",
            to="frozen",
            reason=reason,
            ground=ground,
            resolve_by=str(resolve_by),
        )

    # -- appeals (9.9) ---------------------------------------------------------------------------

    def appeal(self, spec):
        rng = self.rng
        w = self.w
        state = spec.state
        variant = spec.variant
        published = state["published_raw"]
        # A raw gap under 24 hours stays under 24 hours in working time: within the window (9.9.2).
        received = published + rng.uniform(0.2, 23) * H
        received_out = _out(received)
        received_on = _date(received_out)
        completion_due = received_on + datetime.timedelta(days=settings.APPEAL_COMPLETION_DAYS)
        decision_due = self.working_days(received_on, settings.APPEAL_DECISION_WORKING_DAYS)
        pk = self.ids(Appeal)
        reference = f"BND-{received_on.year}-{pk:04d}"
        text = f"{reference} {state['name']}"
        involve = rng.random() < 0.15
        appeal = self.rows.add(
            Appeal,
            id=pk,
            decision_id=state["decision_id"],
            application_id=state["app_id"],
            appellant_id=state["user_id"],
            status="submitted",
            process_explained=rng.random() < 0.8,
            discussed_with_assessor=rng.random() < 0.5,
            involve_other_person=involve,
            other_person="Dosen pembimbing magang" if involve else "",
            reasons=rng.choice(APPEAL_REASONS),
            received_at=_dt(received_out),
            completion_due=completion_due,
            decision_due=decision_due,
        )
        attachments = 1 if rng.random() < 0.5 else 0
        if attachments:
            size, sha = self.sample(SAMPLE_PDF)
            self.rows.add(
                Attachment,
                appeal_id=pk,
                file=SAMPLE_PDF,
                original_name="bukti-pendukung-banding.pdf",
                content_type="application/pdf",
                size=size,
                sha256=sha,
                uploaded_at=_dt(received_out),
            )
        self.audit(
            received,
            state["user_id"],
            "appeal.filed",
            Appeal,
            pk,
            text,
            to="submitted",
            decision=state["decision_id"],
            attachments=attachments,
            completion_due=str(completion_due),
            decision_due=str(decision_due),
        )
        state.update(appeal=appeal, appeal_id=pk)
        if variant == "submitted":
            return
        team = rng.sample(w.appeal_team, 1 if variant == "under_review" else rng.randint(1, 3))
        appointer = rng.choice([*w.staff, w.director]).pk
        appointed = self.after(received, 1, 30)
        if appointed is None:
            return
        status = "submitted"
        findings = []
        for user in team:
            member_id = self.ids(TeamMember)
            self.rows.add(
                TeamMember,
                id=member_id,
                appeal_id=pk,
                user_id=user.pk,
                appointed_by_id=appointer,
                appointed_at=_dt(_out(appointed)),
            )
            self.audit(
                appointed,
                appointer,
                "appeal.member_appointed",
                Appeal,
                pk,
                text,
                frm=status,
                to="under_review",
                member=user.full_name,
            )
            status = "under_review"
            findings.append((member_id, user))
            appointed += rng.uniform(0.02, 0.3) * H
        appeal["status"] = "under_review"
        last = appointed
        upheld = variant in ("upheld", "upheld_recent")
        for member_id, user in findings:
            if variant == "under_review" and rng.random() < 0.5:
                continue
            found = self.after(appointed, 24, 120)
            if found is None:
                continue
            recommendation = "upheld" if upheld else "dismissed"
            self.rows.add(
                Finding,
                member_id=member_id,
                text=rng.choice(FINDINGS[1::2] if upheld else FINDINGS[0::2]),
                recommendation=recommendation,
                recorded_at=_dt(_out(found)),
            )
            self.audit(
                found,
                user.pk,
                "appeal.finding_recorded",
                Appeal,
                pk,
                text,
                recommendation=recommendation,
            )
            last = max(last, found)
        if variant == "under_review":
            return
        answered = last + rng.uniform(2, 72) * H
        answered_out = _out(answered)
        answered_on = _date(answered_out)
        outcome = "upheld" if upheld else "dismissed"
        answer = (
            "Ditemukan perlakuan tidak adil dalam proses asesmen; peserta diberi kesempatan "
            "asesmen ulang (9.9.8.d)."
            if upheld
            else "Proses asesmen telah sesuai rencana dan aturan bukti; keputusan sertifikasi "
            "tetap (9.9.7)."
        )
        appeal.update(
            status="answered",
            outcome=outcome,
            answer=answer,
            answered_by_id=w.director.pk,
            answered_at=_dt(answered_out),
        )
        if upheld:
            appeal["reassessment_opened_at"] = _dt(answered_out)
            state["assessment"]["is_current"] = False
            self.audit(
                answered,
                w.director.pk,
                "assessment.reopened",
                Application,
                state["app_id"],
                state["text"],
                reason=f"Banding {reference} dikabulkan (9.9.8.d).",
                assessment=state["assessment_id"],
                attempt=1,
            )
        sequence = self.letters.take(answered_on.year)
        number = _number(settings.ANSWER_LETTER_NUMBER_PATTERN, sequence, answered_out)
        self.rows.add(
            AnswerLetter,
            appeal_id=pk,
            year=answered_on.year,
            sequence=sequence,
            number=number,
            created_at=_dt(answered_out),
            **self.rendered(answered),
        )
        self.audit(
            answered,
            w.director.pk,
            "appeal.answered",
            Appeal,
            pk,
            text,
            frm="under_review",
            to="answered",
            reason=answer,
            outcome=outcome,
            letter=number,
            within_7_days=answered_on <= completion_due,
            within_14_working_days=answered_on <= decision_due,
        )
        state["answered_raw"] = answered
        if variant == "upheld_recent":
            self.reassessment_in_progress(spec, answered)

    def reassessment_in_progress(self, spec, answered):
        """9.9.8.d: staff assigned a new attempt after the upheld appeal; it is under way."""
        rng = self.rng
        last = rng.choice(list(ASSIGNED_LAST.values())[:5])
        end = self.after(answered, 24, 24 * 20)
        if end is None:
            return
        times = self.backward(last, end)
        _squeeze(times, min(answered + rng.uniform(12, 96) * H, end - H), "assigned", last)
        second = _Spec(
            stage="appealed",
            variant="reassessment",
            scheme=spec.scheme,
            assessor=self.other_assessor(spec),
        )
        second.state.update({k: spec.state[k] for k in ("app_id", "user_id", "name", "text")})
        self.assessment(second, times, upto=last, attempt=2)

    def other_assessor(self, spec):
        candidates = [
            a
            for a in self.w.assessors
            if spec.scheme.scheme.pk in self.w.assessor_schemes.get(a.pk, ())
            and a.pk != spec.assessor.pk
        ]
        return self.rng.choice(candidates) if candidates else spec.assessor

    def working_days(self, start, count):
        day = start
        while count > 0:
            day += datetime.timedelta(days=1)
            if is_working_day(day, self.closures):
                count -= 1
        return day

    def save_counters(self):
        for counter in (self.decrees, self.certificates, self.letters):
            counter.save()


_MONTHS_ID = (
    "Januari Februari Maret April Mei Juni Juli Agustus September Oktober November Desember"
).split()


# ------------------------------------------------------------------------------------------------
# The public API
# ------------------------------------------------------------------------------------------------


@dataclass
class Case:
    """What make_cases built for one application (None where the stage has not got that far)."""

    application: Application
    assessment: Assessment | None = None
    meeting: Meeting | None = None
    decision: Decision | None = None
    certificate: Certificate | None = None
    appeal: Appeal | None = None


def _qualified(world_, scheme_info, rng, weights=None):
    candidates = [
        a
        for a in world_.assessors
        if scheme_info.scheme.pk in world_.assessor_schemes.get(a.pk, ())
    ]
    if weights:
        return rng.choices(candidates, weights=[weights.get(a.pk, 1) for a in candidates])[0]
    return rng.choice(candidates)


def _variant(stage, rng):
    return _pick(rng, VARIANTS[stage])


def _decided_draw(spec, rng, now):
    klass, start, end = MEETING_WINDOWS[(spec.stage, spec.variant)]
    spec.drawn = now - rng.uniform(end, start) * D


def _plan_reassessment(spec, rng, world_, now):
    """An upheld appeal (not recent): the second attempt, decided in a later meeting (9.9.8.d)."""
    second = _Spec(
        stage="reassessed",
        variant="k" if rng.random() < 0.8 else "bk",
        scheme=spec.scheme,
        assessor=spec.assessor,
        first=spec,
    )
    others = [
        a
        for a in world_.assessors
        if spec.scheme.scheme.pk in world_.assessor_schemes.get(a.pk, ()) and a != spec.assessor
    ]
    if others:
        second.assessor = rng.choice(others)
    second.drawn = min(spec.drawn + rng.uniform(90, 200) * D, now - 30 * D)
    spec.reassessment = second
    return second


def _sequence_value(model):
    with connection.cursor() as cursor:
        cursor.execute("SELECT last_value FROM " + connection.ops.quote_name(_sequence_name(model)))
        return cursor.fetchone()[0]


def _sequence_name(model):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_get_serial_sequence(%s, %s)", [model._meta.db_table, model._meta.pk.column]
        )
        return cursor.fetchone()[0].split(".")[-1]


def _require_postgresql():
    if connection.vendor != "postgresql":
        raise RuntimeError("The data generator writes with PostgreSQL sequences and COPY.")


def _build(builder, early, plans):
    """Every case of `early` (stages before a decision) and every meeting of `plans` (in order),
    with what follows each decision."""
    for spec in early:
        builder.early_case(spec)
    for plan in plans:
        builder.meeting(plan)
        if plan.status == "decree_issued":
            for spec in plan.cases:
                builder.after_decision(spec)


def make_cases(
    n,
    stage,
    *,
    scheme=None,
    applicant=None,
    assessor=None,
    meeting=None,
    variant=None,
    seed=None,
    now=None,
):
    """Create `n` cases brought to `stage` (see STAGES, plus the assessed-again reassessments of
    upheld appeals) in bulk, each with what a real case at that stage has. Returns the
    Applications, each with `.case` (a Case with its current assessment, meeting, decision,
    certificate and appeal).

    scheme: a Scheme or its code (default: mhp, pmd or sdm at random); applicant: one existing
    user for every case (each case then needs a scheme of its own while open); assessor: an
    Assessor (or their user) for every assessment, registered for the scheme if not yet;
    meeting: an existing meeting to put the cases on - decided stages need one whose decree is
    signed, "recommended" one still planned or in session; variant: one of VARIANTS[stage]
    (default: drawn with the generator's weights); seed: for the random choices (default: from
    the database's application sequence, so repeated calls differ)."""
    _require_postgresql()
    if stage not in STAGES:
        raise ValueError(f"Unknown stage {stage!r}; one of {', '.join(STAGES)}.")
    if variant is not None and variant not in VARIANTS[stage]:
        raise ValueError(f"Unknown variant {variant!r} of {stage}: {', '.join(VARIANTS[stage])}.")
    now = now or time.time()
    with transaction.atomic():
        world_ = world(now=now)
        if seed is None:
            seed = _sequence_value(Application)
        rng = random.Random(f"make_cases:{seed}:{stage}:{n}")
        if isinstance(scheme, str):
            scheme = Scheme.objects.get(code=scheme)
        if assessor is not None and not isinstance(assessor, Assessor):
            assessor = assessor.assessor_profile
        if applicant is not None and not applicant.groups.filter(name=Role.APPLICANT).exists():
            applicant.groups.add(world_.groups[Role.APPLICANT])
        specs = []
        taken = set()
        if applicant is not None:
            taken = set(
                Application.objects.active()
                .filter(applicant=applicant)
                .values_list("scheme__code", flat=True)
            )
        for _i in range(n):
            if scheme is not None:
                info = world_.schemes.get(scheme.code) or _scheme_info(scheme)
            elif applicant is not None and stage not in ("rejected", "withdrawn"):
                free = [code for code in SCHEME_WEIGHTS if code not in taken]
                if not free:
                    raise ValueError(
                        f"{applicant} already has an open application in every scheme."
                    )
                info = world_.schemes[free[0]]
                taken.add(free[0])
            else:
                info = world_.schemes[_pick(rng, SCHEME_WEIGHTS)]
            chosen = assessor
            if chosen is None:
                chosen = _qualified(world_, info, rng)
            elif info.scheme.pk not in world_.assessor_schemes.get(chosen.pk, ()):
                chosen.schemes.add(info.scheme)
                world_.assessor_schemes.setdefault(chosen.pk, set()).add(info.scheme.pk)
            if chosen not in world_.assessors:
                world_.assessors.append(chosen)
            spec = _Spec(
                stage=stage,
                variant=variant or _variant(stage, rng),
                scheme=info,
                assessor=chosen,
                applicant=applicant,
            )
            specs.append(spec)
        early, decided, planned = [], [], []
        for spec in specs:
            if stage in DECIDED_STAGES:
                _decided_draw(spec, rng, now)
                decided.append(spec)
            elif stage == "recommended" and meeting is not None:
                planned.append(spec)
            else:
                low, high = AGE_DAYS[stage]
                spec.anchor = now - rng.uniform(low, high) * D
                early.append(spec)
        plans = []
        if meeting is not None and decided:
            if meeting.status != Meeting.Status.DECREE_ISSUED:
                raise ValueError("Decided cases need a meeting whose decree is signed.")
            plan = _MeetingPlan(
                scheduled=_ts(meeting.scheduled_at), cases=decided, existing=meeting
            )
            for spec in decided:
                spec.meeting = plan
            plans.append(plan)
            decided = []
        if planned:
            if meeting.status not in (Meeting.Status.PLANNED, Meeting.Status.HELD):
                raise ValueError("Recommendations go on a meeting that is planned or in session.")
            plans.append(
                _MeetingPlan(
                    scheduled=_ts(meeting.scheduled_at),
                    cases=planned,
                    existing=meeting,
                    status="planned",
                )
            )
        second = [
            _plan_reassessment(s, rng, world_, now)
            for s in decided + [c for p in plans for c in p.cases]
            if s.stage == "appealed" and s.variant == "upheld"
        ]
        # One meeting per variant: each case lands in its variant's window exactly.
        plans += _group_meetings(decided, period_days=None, rng=rng, now=now, by_variant=True)
        plans += _group_meetings(second, period_days=None, rng=rng, now=now)
        plans.sort(key=lambda p: p.scheduled)
        builder = _Builder(world_, rng=rng, now=now, ids=_Ids(block=max(8, n)))
        _build(builder, early, plans)
        builder.rows.flush()
        builder.save_counters()
        return _cases([s.state["app_id"] for s in specs])


def _scheme_info(scheme):
    """A scheme the generator did not create (e.g. made in a test)."""
    documents = [
        (d.pk, d.code, d.name, d.quantity, d.images_only) for d in scheme.required_documents.all()
    ]
    codes = [d[1] for d in documents]
    return SchemeInfo(
        scheme=scheme,
        units=[(u.pk, u.code, u.number) for u in scheme.units.all()],
        courses=list(scheme.required_courses.values_list("pk", flat=True)),
        fields=list(scheme.experience_fields.values_list("pk", flat=True)),
        documents=documents,
        programmes=scheme.study_programme_list(),
        evidence_document="surat-magang" if "surat-magang" in codes else codes[-1],
    )


def _cases(app_ids):
    applications = list(Application.objects.filter(pk__in=app_ids).select_related("scheme"))
    assessments = {
        a.application_id: a
        for a in Assessment.objects.filter(application_id__in=app_ids).order_by("attempt")
    }
    decisions = {
        d.assessment.application_id: d
        for d in Decision.objects.filter(assessment__application_id__in=app_ids).select_related(
            "assessment", "meeting"
        )
    }
    certificates = {
        c.decision.assessment.application_id: c
        for c in Certificate.objects.filter(
            decision__assessment__application_id__in=app_ids
        ).select_related("decision__assessment")
    }
    appeals = {a.application_id: a for a in Appeal.objects.filter(application_id__in=app_ids)}
    order = {pk: i for i, pk in enumerate(app_ids)}
    applications.sort(key=lambda a: order[a.pk])
    for application in applications:
        decision = decisions.get(application.pk)
        assessment = assessments.get(application.pk)
        meeting = decision.meeting if decision else None
        if meeting is None and assessment is not None:
            item = AgendaItem.objects.filter(assessment=assessment).select_related("meeting")
            meeting = item.first().meeting if item.exists() else None
        application.case = Case(
            application=application,
            assessment=assessment,
            meeting=meeting,
            decision=decision,
            certificate=certificates.get(application.pk),
            appeal=appeals.get(application.pk),
        )
    return applications


def _allocate(total, shares):
    """Largest remainder: counts per stage adding up to `total`, each stage at least one when
    there are enough applications."""
    exact = {stage: total * share / 100 for stage, share in shares.items()}
    counts = {stage: int(value) for stage, value in exact.items()}
    rest = total - sum(counts.values())
    for stage in sorted(exact, key=lambda s: exact[s] - counts[s], reverse=True)[:rest]:
        counts[stage] += 1
    if total >= len(shares):
        for stage in shares:
            while counts[stage] == 0:
                donor = max(counts, key=counts.get)
                counts[donor] -= 1
                counts[stage] += 1
    return counts


def generate(total, *, seed=1, batch_size=2000, stdout=None, now=None, analyze=True):
    """Fill the database with a realistic LSP of `total` applications (STAGE_SHARES across the
    stages, three schemes, the world's staff, assessors and teams), in batches of about
    `batch_size` applications, each batch one transaction. Deterministic for a seed on the same
    database state (ids come from the sequences). Returns a summary dict."""
    _require_postgresql()
    started = time.perf_counter()
    now = now or time.time()
    rng = random.Random(seed)

    def say(message):
        if stdout is not None:
            stdout.write(message)
            if hasattr(stdout, "flush"):
                stdout.flush()

    with transaction.atomic():
        world_ = world(now=now)
    counts = _allocate(total, STAGE_SHARES)
    # A few assessors carry more cases than the rest (the benchmark's busy assessor).
    weights = {a.pk: (6 if i == 0 else 3 if i < 4 else 1) for i, a in enumerate(world_.assessors)}
    specs = []
    for stage in STAGES:
        for _i in range(counts[stage]):
            info = world_.schemes[_pick(rng, SCHEME_WEIGHTS)]
            specs.append(
                _Spec(
                    stage=stage,
                    variant=_variant(stage, rng),
                    scheme=info,
                    assessor=_qualified(world_, info, rng, weights),
                )
            )
    rng.shuffle(specs)
    _showcase(world_, specs, rng, weights)

    early, decided, on_planned = [], [], []
    for spec in specs:
        if spec.stage in DECIDED_STAGES:
            _decided_draw(spec, rng, now)
            decided.append(spec)
        else:
            low, high = AGE_DAYS[spec.stage]
            spec.anchor = now - rng.uniform(low, high) * D
            if spec.stage == "recommended" and rng.random() < 0.3:
                on_planned.append(spec)
            else:
                early.append(spec)
    second = [
        _plan_reassessment(s, rng, world_, now)
        for s in decided
        if s.stage == "appealed" and s.variant == "upheld"
    ]
    period = 1 if len(decided) > 20_000 else 7 if len(decided) > 1_500 else 30
    plans = _group_meetings(decided + second, period_days=period, rng=rng, now=now)
    # The newest recommendations wait on one or two meetings planned for the coming days.
    on_planned.sort(key=lambda s: s.anchor)
    for k in range(0, len(on_planned), MEETING_SIZE):
        day = now + (1 + k // MEETING_SIZE) * D
        day = day + OFFSET
        day = day - day % D - OFFSET
        while _date(day).weekday() >= 5:
            day += D
        plan = _MeetingPlan(
            scheduled=day + 9 * H, cases=on_planned[k : k + MEETING_SIZE], status="planned"
        )
        for spec in plan.cases:
            spec.meeting = plan
        plans.append(plan)

    ids = _Ids(block=256, max_block=20_000)
    builder = _Builder(world_, rng=rng, now=now, ids=ids)
    builder.decrees = _YearCounter(DecreeCounter, lock=False)
    builder.certificates = _YearCounter(CertificateCounter, lock=False)
    builder.letters = _YearCounter(AnswerLetterCounter, lock=False)
    # Batches in the order things happened, so that ids (APL-000001...) and the rows' physical
    # order grow with time as in a real database.
    units = [(spec.anchor, 0, spec) for spec in early] + [
        (_raw(plan.scheduled), 1, plan) for plan in plans
    ]
    units.sort(key=lambda unit: (unit[0], unit[1]))
    batches, current, size = [], ([], []), 0
    for _moment, is_meeting, unit in units:
        current[is_meeting].append(unit)
        size += len(unit.cases) if is_meeting else 1
        if size >= batch_size:
            batches.append(current)
            current, size = ([], []), 0
    if current[0] or current[1]:
        batches.append(current)
    say(
        f"Generating {total} applications: {len(early)} before a decision, {len(decided)} "
        f"decided in {sum(1 for p in plans if p.status != 'planned')} meetings, "
        f"{len(second)} reassessments, {len(batches)} batches.\n"
    )
    # PostgreSQL writes batch k (COPY, index and foreign-key checks at commit) on a connection of
    # its own while this thread builds batch k+1. Inside a transaction (tests) the rows must be
    # written on this connection, one batch after the other.
    writer = _Writer(started, total, say, threaded=not connection.in_atomic_block)
    done = 0
    try:
        for batch_early, batch_plans in batches:
            builder.rows = _Rows()
            _build(builder, batch_early, batch_plans)
            done += len(batch_early)
            done += sum(1 for p in batch_plans for s in p.cases if s.first is None)
            _release(batch_early)
            _release(s for p in batch_plans for s in p.cases)
            numbered = (builder.decrees, builder.certificates, builder.letters)
            counters = [counter.snapshot() for counter in numbered]
            writer.put(builder.rows, counters, done)
    finally:
        writer.close()
    written = writer.written
    if analyze:
        with connection.cursor() as cursor:
            for model in INSERT_ORDER:
                cursor.execute("ANALYZE " + connection.ops.quote_name(model._meta.db_table))
    stages = Counter(s.stage for s in specs)
    return {
        "applications": total,
        "seed": seed,
        "stages": {stage: stages[stage] for stage in STAGES},
        "variants": dict(Counter(f"{s.stage}:{s.variant}" for s in specs)),
        "reassessments": len(second),
        "meetings": sum(1 for p in plans if p.status != "planned"),
        "rows": dict(written),
        "rows_total": sum(written.values()),
        "seconds": round(time.perf_counter() - started, 1),
    }


def _release(specs):
    """Forget what was built for these cases (the rows are with the writer), except what a later
    reassessment needs."""
    keep = ("app_id", "user_id", "name", "text", "answered_raw")
    for spec in specs:
        if spec.reassessment is not None:
            spec.state = {k: spec.state[k] for k in keep if k in spec.state}
        else:
            spec.state = {}


class _Writer:
    """Writes the batches in order, each in one transaction with the year counters; in a thread
    with its own database connection when `threaded`."""

    def __init__(self, started, total, say, *, threaded):
        self.started = started
        self.total = total
        self.say = say
        self.written = Counter()
        self.error = None
        self.threaded = threaded
        if threaded:
            self.queue = queue.Queue(maxsize=2)
            self.thread = threading.Thread(target=self._run, name="datagen-writer", daemon=True)
            self.thread.start()

    def put(self, rows, counters, done):
        if not self.threaded:
            self._write(rows, counters, done)
            return
        while True:
            if self.error is not None:
                raise RuntimeError("The writer failed.") from self.error
            try:
                self.queue.put((rows, counters, done), timeout=1)
                return
            except queue.Full:
                continue

    def close(self):
        if self.threaded:
            while self.thread.is_alive():
                try:
                    self.queue.put(None, timeout=1)
                    break
                except queue.Full:
                    continue
            self.thread.join()
        if self.error is not None:
            raise RuntimeError("The writer failed.") from self.error

    def _run(self):
        try:
            while True:
                item = self.queue.get()
                if item is None:
                    return
                self._write(*item)
        except BaseException as exc:  # handed to the building thread
            self.error = exc
            while True:  # let the building thread finish putting
                try:
                    if self.queue.get(timeout=5) is None:
                        return
                except queue.Empty:
                    return
        finally:
            connection.close()

    def _write(self, rows, counters, done):
        with transaction.atomic():
            if self.threaded:
                # Benchmark data: a crash may lose the last batches, never their consistency.
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL synchronous_commit TO OFF")
            written = rows.flush()
            for model, last in counters:
                _YearCounter.save_snapshot(model, last)
        self.written.update(written)
        self.say(
            f"  {done:>7}/{self.total} applications, {sum(self.written.values()):>9} rows, "
            f"{time.perf_counter() - self.started:6.1f} s\n"
        )


def _showcase(world_, specs, rng, weights):
    """The showcase applicant (bench_targets) takes three cases, one per scheme: certified,
    appealed and an assessment under way - a full dashboard."""
    user = world_.showcase
    if Application.objects.filter(applicant=user).exists():
        return
    wanted = [
        ("certified", "active", "mhp"),
        ("appealed", "dismissed", "pmd"),
        ("assigned", "plan_agreed", "sdm"),
    ]
    for stage, variant, code in wanted:
        spec = next(
            (s for s in specs if s.stage == stage and s.applicant is None and s.variant == variant),
            None,
        )
        if spec is None:
            continue
        spec.applicant = user
        spec.scheme = world_.schemes[code]
        spec.assessor = _qualified(world_, spec.scheme, rng, weights)


def bench_targets():
    """Representative objects of a generated database, for the web benchmark: users (log in with
    PASSWORD), ids and the filter values of a filtered page."""
    staff = User.objects.get(email=_gen_email(STAFF[0][0]))
    showcase = User.objects.filter(email=_gen_email(SHOWCASE[0])).first()
    if showcase is None or not Application.objects.filter(applicant=showcase).exists():
        certificate = Certificate.objects.filter(status="active").order_by("pk").first()
        showcase = certificate.holder if certificate else None
    busy = (
        Assessor.objects.filter(user__email__endswith="@" + GEN_DOMAIN)
        .annotate(
            open_cases=Count(
                "assessments",
                filter=Q(assessments__is_current=True)
                & ~Q(assessments__status=Assessment.Status.RECOMMENDED),
            )
        )
        .order_by("-open_cases", "pk")
        .select_related("user")
        .first()
    )
    today = timezone.localdate()
    active = (
        Certificate.objects.filter(status="active", valid_until__gte=today, number__isnull=False)
        .order_by("-issued_on", "pk")
        .first()
    )
    case = (
        Assessment.objects.filter(status=Assessment.Status.RECOMMENDED, decision__isnull=False)
        .select_related("application")
        .order_by("-submitted_at")
        .first()
    )
    scheme = Scheme.objects.get(code="mhp")
    sample = (
        Application.objects.filter(status=Application.Status.SUBMITTED, scheme=scheme)
        .order_by("submitted_at")
        .first()
    )
    meeting = (
        Meeting.objects.filter(status=Meeting.Status.DECREE_ISSUED)
        .order_by("-scheduled_at")
        .first()
    )
    appeal = Appeal.objects.order_by("-received_at").first()
    applicant_decision = (
        Decision.objects.published().filter(assessment__application__applicant=showcase).first()
        if showcase
        else None
    )
    return {
        "password": PASSWORD,
        "applicant": {"id": showcase.pk, "email": showcase.email} if showcase else None,
        "applicant_decision_id": applicant_decision.pk if applicant_decision else None,
        "staff": {"id": staff.pk, "email": staff.email},
        "director": {"email": _gen_email(DIRECTOR[0])},
        "assessor": {
            "id": busy.user_id,
            "email": busy.user.email,
            "assessor_id": busy.pk,
            "open_cases": busy.open_cases,
        }
        if busy
        else None,
        "assessment_id": case.pk if case else None,
        "application_id": case.application_id if case else None,
        "meeting_id": meeting.pk if meeting else None,
        "appeal_id": appeal.pk if appeal else None,
        "certificate": {
            "id": active.pk,
            "number": active.number,
            "token": str(active.token),
        }
        if active
        else None,
        "review_queue_filter": {
            "status": Application.Status.SUBMITTED.value,
            "scheme": scheme.pk,
            "q": sample.full_name.split()[0] if sample else "",
        },
        "registry_filter": {"status": "active", "scheme": scheme.pk, "year": today.year - 1},
    }


# ------------------------------------------------------------------------------------------------
# Counting and removing generated data
# ------------------------------------------------------------------------------------------------

COUNTED = (
    *INSERT_ORDER,
    Assessor,
    TechnicalTeamMember,
    TUK,
    Scheme,
    Unit,
    DecreeCounter,
    CertificateCounter,
    AnswerLetterCounter,
)


def table_counts():
    """Rows per table of the generator's models (exact counts)."""
    counts = {}
    with connection.cursor() as cursor:
        for model in COUNTED:
            cursor.execute(
                "SELECT count(*) FROM " + connection.ops.quote_name(model._meta.db_table)
            )
            counts[model._meta.db_table] = cursor.fetchone()[0]
    return counts


def generated_applications():
    return Application.objects.filter(applicant__email__endswith="@" + GEN_DOMAIN).count()


def flush():
    """Remove every row hanging off a generated user (@gen.example): their applications and
    everything downstream, meetings they planned, the audit trail of it all, the generator's
    registries and the users; the two generated schemes when nothing else uses them. The year
    counters are set back to the highest number still in use. Audit events are append-only for
    the portal; this removes benchmark data and nothing else, with SQL. Returns rows deleted."""
    _require_postgresql()
    q = connection.ops.quote_name

    def t(model):
        return q(model._meta.db_table)

    user_ct = ContentType.objects.get_for_model(User)
    cts = {
        model: ContentType.objects.get_for_model(model, for_concrete_model=False).pk
        for model in (Application, Assessment, Meeting, Certificate, Appeal, User)
    }
    deleted = Counter()
    statements = [
        ("gen_users", f"SELECT id FROM {t(User)} WHERE email LIKE %s", ["%@" + GEN_DOMAIN]),
        (
            "gen_apps",
            f"SELECT id FROM {t(Application)} WHERE applicant_id IN (SELECT id FROM gen_users)",
            [],
        ),
        (
            "gen_assessments",
            f"SELECT id FROM {t(Assessment)} WHERE application_id IN (SELECT id FROM gen_apps)",
            [],
        ),
        (
            "gen_meetings",
            f"SELECT id FROM {t(Meeting)} WHERE planned_by_id IN (SELECT id FROM gen_users)",
            [],
        ),
        (
            "gen_decisions",
            f"SELECT id FROM {t(Decision)} WHERE assessment_id IN "
            "(SELECT id FROM gen_assessments) OR meeting_id IN (SELECT id FROM gen_meetings)",
            [],
        ),
        (
            "gen_certificates",
            f"SELECT id FROM {t(Certificate)} WHERE decision_id IN (SELECT id FROM gen_decisions)",
            [],
        ),
        (
            "gen_appeals",
            f"SELECT id FROM {t(Appeal)} WHERE application_id IN (SELECT id FROM gen_apps)",
            [],
        ),
        (
            "gen_minutes",
            f"SELECT id FROM {t(Minutes)} WHERE meeting_id IN (SELECT id FROM gen_meetings)",
            [],
        ),
    ]
    objects = {
        cts[Application]: "gen_apps",
        cts[Assessment]: "gen_assessments",
        cts[Meeting]: "gen_meetings",
        cts[Certificate]: "gen_certificates",
        cts[Appeal]: "gen_appeals",
        user_ct.pk: "gen_users",
    }
    audit_condition = " OR ".join(
        f"(content_type_id = {ct} AND object_id IN (SELECT id::text FROM {name}))"
        for ct, name in objects.items()
    )
    deletes = [
        (AuditEvent, f"actor_id IN (SELECT id FROM gen_users) OR {audit_condition}"),
        (
            Finding,
            f"member_id IN (SELECT id FROM {t(TeamMember)} WHERE appeal_id IN "
            "(SELECT id FROM gen_appeals))",
        ),
        (TeamMember, "appeal_id IN (SELECT id FROM gen_appeals)"),
        (Attachment, "appeal_id IN (SELECT id FROM gen_appeals)"),
        (AppealNotice, "appeal_id IN (SELECT id FROM gen_appeals)"),
        (AnswerLetter, "appeal_id IN (SELECT id FROM gen_appeals)"),
        (Appeal, "id IN (SELECT id FROM gen_appeals)"),
        (CertificateNotice, "certificate_id IN (SELECT id FROM gen_certificates)"),
        (CertificateWarning, "certificate_id IN (SELECT id FROM gen_certificates)"),
        (CertificateCard, "certificate_id IN (SELECT id FROM gen_certificates)"),
        (Certificate.scope.through, "certificate_id IN (SELECT id FROM gen_certificates)"),
        (Certificate, "id IN (SELECT id FROM gen_certificates)"),
        (Decision, "id IN (SELECT id FROM gen_decisions)"),
        (
            ConflictDeclaration,
            "meeting_id IN (SELECT id FROM gen_meetings) OR assessment_id IN "
            "(SELECT id FROM gen_assessments)",
        ),
        (
            AgendaItem,
            "meeting_id IN (SELECT id FROM gen_meetings) OR assessment_id IN "
            "(SELECT id FROM gen_assessments)",
        ),
        (MinutesSignature, "minutes_id IN (SELECT id FROM gen_minutes)"),
        (Decree, "minutes_id IN (SELECT id FROM gen_minutes)"),
        (Minutes, "id IN (SELECT id FROM gen_minutes)"),
        (Attendance, "meeting_id IN (SELECT id FROM gen_meetings)"),
        (Meeting, "id IN (SELECT id FROM gen_meetings)"),
        (Feedback, "assessment_id IN (SELECT id FROM gen_assessments)"),
        (UnitResult, "assessment_id IN (SELECT id FROM gen_assessments)"),
        (EvidenceReview, "assessment_id IN (SELECT id FROM gen_assessments)"),
        (PlanItem, "assessment_id IN (SELECT id FROM gen_assessments)"),
        (Assignment, "assessment_id IN (SELECT id FROM gen_assessments)"),
        (Assessment, "id IN (SELECT id FROM gen_assessments)"),
        (SelfAssessment, "application_id IN (SELECT id FROM gen_apps)"),
        (Document, "application_id IN (SELECT id FROM gen_apps)"),
        (Experience, "application_id IN (SELECT id FROM gen_apps)"),
        (Application.completed_courses.through, "application_id IN (SELECT id FROM gen_apps)"),
        (Application, "id IN (SELECT id FROM gen_apps)"),
        (
            Assessor.schemes.through,
            f"assessor_id IN (SELECT id FROM {t(Assessor)} WHERE user_id "
            "IN (SELECT id FROM gen_users))",
        ),
        (Assessor, "user_id IN (SELECT id FROM gen_users)"),
        (TechnicalTeamMember, "user_id IN (SELECT id FROM gen_users)"),
        (
            TUK,
            f"verified_by_id IN (SELECT id FROM gen_users) AND id NOT IN "
            f"(SELECT tuk_id FROM {t(PlanItem)})",
        ),
        (User.groups.through, "user_id IN (SELECT id FROM gen_users)"),
        (User.user_permissions.through, "user_id IN (SELECT id FROM gen_users)"),
        (User, "id IN (SELECT id FROM gen_users)"),
    ]
    with transaction.atomic(), connection.cursor() as cursor:
        for name, select, params in statements:
            cursor.execute(f"CREATE TEMP TABLE {name} ON COMMIT DROP AS {select}", params)
            cursor.execute(f"CREATE INDEX ON {name} (id)")
            cursor.execute(f"ANALYZE {name}")
        cursor.execute("DELETE FROM django_admin_log WHERE user_id IN (SELECT id FROM gen_users)")
        for model, condition in deletes:
            cursor.execute(f"DELETE FROM {t(model)} WHERE {condition}")
            if cursor.rowcount:
                deleted[model._meta.label] += cursor.rowcount
        for counter, numbered in (
            (DecreeCounter, Decree),
            (CertificateCounter, Certificate),
            (AnswerLetterCounter, AnswerLetter),
        ):
            cursor.execute(
                f"UPDATE {t(counter)} c SET last = COALESCE((SELECT max(sequence) FROM "
                f"{t(numbered)} n WHERE n.year = c.year), 0)"
            )
    for code, *_rest in EXTRA_SCHEMES:
        scheme = Scheme.objects.filter(code=code).first()
        if scheme is not None and not Application.objects.filter(scheme=scheme).exists():
            with transaction.atomic():
                Assessor.schemes.through.objects.filter(scheme=scheme).delete()
                scheme.delete()
                deleted[Scheme._meta.label] += 1
    return dict(deleted)
