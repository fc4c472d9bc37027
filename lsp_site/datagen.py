"""Bulk data generator (issue 8, rebuilt on the services in issue 14): a realistic, large LSP in
PostgreSQL in minutes.

    make_cases(n, stage, ...)   n cases brought to `stage`, for tests (1 row vs 50 rows)
    generate(total, seed=1)     a whole LSP: `total` applications across three schemes
    bench_targets()             representative users and objects for the web benchmark

The services are the only code that writes the workflow. For each scheme, stage and variant
needed, one case is built through them (lsp_site.recipes: the applicant signs up and applies,
staff review, the assessor assesses, the technical team decides, the director signs, ...), in a
transaction that is then rolled back; the rows it wrote - the audit trail included - are
captured and copied in bulk with PostgreSQL COPY (lsp_site.cloning): new ids, the applicant's
person data, references and running numbers replaced, moments shifted by whole days into the
period the case belongs to. Cases decided together share one copy of their meeting. Nothing here
names a status, an audit action or a reference format: they are the services' and the models'.

What is shared rather than real: every generated user has the same password (PASSWORD, hashed
once per call with the configured hasher), every uploaded document and every rendered PDF points
to one small real file written once into the private storage (SAMPLE_PDF / SAMPLE_JPEG,
ensure_samples()), and no outbox rows or notices are written (the e-mails, renders and reminders
of the past count as sent). The copies of one captured case share its texts (notes, evidence,
reasons). Generated users have e-mail addresses at @gen.example; `flush()` removes everything
that hangs off them.

Stages (make_cases): draft, submitted, revision_requested, rejected, withdrawn, eligible, assigned
(an assessment under way), recommended (submitted to the LSP, 9.3.5), decided_k (published
Kompeten, certificate pending 9.4.7), decided_bk (published Belum Kompeten), certified (issued;
active/expired/frozen/revoked/restored), appealed (FR-AK-04 filed; received, under review,
dismissed or upheld with a reassessment). Their variants: lsp_site.recipes.VARIANTS.
"""

# Random numbers here make test data, not secrets (S311); SQL is built from model metadata and
# constant conditions only, identifiers quoted (S608).
# ruff: noqa: S311, S608

import datetime
import hashlib
import io
import itertools
import multiprocessing
import os
import queue
import random
import threading
import time
import zoneinfo
from collections import Counter, defaultdict
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field

import time_machine
from django.apps import apps
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.db import connection, models, transaction
from django.db.models import Count, Q
from django.utils import timezone

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
    Adjustment,
    Assessment,
    AssessmentPlan,
    AssessmentReport,
    Assessor,
    Assignment,
    CompetencyRecord,
    EvidenceReview,
    Feedback,
    InstrumentRecord,
    ObservationComment,
    ObservationRecord,
    PlanDocument,
    PlanItem,
    PortfolioCheck,
    ProcessReview,
    Schedule,
    ScheduleCandidate,
    ThirdPartyStatement,
    UnitResult,
)
from certificates.models import (
    Certificate,
    CertificateCard,
    CertificateCounter,
    CertificateWarning,
    Signatory,
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
from lsp_portal.exports import xlsx_bytes
from lsp_portal.workdays import is_working_day
from registration import services as registration_services
from registration import standard
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
    StandardVersion,
    Unit,
)

from . import cloning, recipes
from .recipes import DECIDED_STAGES, STAGES, VARIANTS

__all__ = ["DECIDED_STAGES", "STAGES", "VARIANTS", "generate", "make_cases", "world"]

GEN_DOMAIN = "gen.example"
PASSWORD = "Bench-Gen-2026"  # noqa: S105 - documented test password of generated users
SAMPLE_PDF = "bench/sample.pdf"
SAMPLE_JPEG = "bench/sample.jpg"

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
OFFSET = (TZ.utcoffset(datetime.datetime(2025, 1, 1)) or datetime.timedelta()).total_seconds()
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
PHONE_PREFIXES = ("0811", "0812", "0813", "0821", "0822", "0852", "0857", "0877", "0878", "0896")
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


# ------------------------------------------------------------------------------------------------
# Time: moments are float seconds since the epoch
# ------------------------------------------------------------------------------------------------


def _dt(y):
    return datetime.datetime.fromtimestamp(y, UTC)


def _date(y):
    """The Jakarta calendar date of moment `y`."""
    return EPOCH_DAY + datetime.timedelta(days=int((y + OFFSET) // D))


def _ts(value):
    return value.timestamp()


# ------------------------------------------------------------------------------------------------
# Ids from the sequences, running numbers from the year counters
# ------------------------------------------------------------------------------------------------


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
    AssessmentPlan,
    PlanItem,
    EvidenceReview,
    UnitResult,
    Feedback,
    AssessmentReport,
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


# The generated schemes' elements and KUK (two each), written after the units' titles and
# imported as staff would (registration.services.import_units).
SAMPLE_ELEMENTS = (
    (
        "Merencanakan pekerjaan",
        (
            "Tujuan pekerjaan diidentifikasi sesuai sasaran unit.",
            "Rencana kerja disusun sesuai prosedur organisasi.",
        ),
    ),
    (
        "Melaksanakan dan mengevaluasi pekerjaan",
        (
            "Pekerjaan dilaksanakan sesuai rencana kerja.",
            "Hasil pekerjaan dievaluasi dan dilaporkan kepada atasan.",
        ),
    ),
)


def _import_sample_standard(staff, scheme, joined):
    """Staff import it on a working morning soon after the world's people joined."""
    rows = [
        (unit.code, unit.title, e, f"{title}: {unit.title.lower()}", f"{e}.{k}", text)
        for unit in scheme.units.all()
        for e, (title, texts) in enumerate(SAMPLE_ELEMENTS, start=1)
        for k, text in enumerate(texts, start=1)
    ]
    workbook = xlsx_bytes(standard.HEADER, rows, title=scheme.code)
    upload = io.BytesIO(workbook)
    upload.name = f"{scheme.code}-contoh.xlsx"
    morning = timezone.localtime(joined).replace(hour=10, minute=0) + datetime.timedelta(days=7)
    while not is_working_day(morning.date()):
        morning += datetime.timedelta(days=1)
    with time_machine.travel(morning, tick=False):
        registration_services.import_units(staff, scheme, upload)


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

    for info in schemes.values():
        if info.scheme.current_standard() is None:
            _import_sample_standard(users[STAFF[0][0]], info.scheme, joined)
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


# ------------------------------------------------------------------------------------------------
# Templates: one case per scheme, stage and variant, built through the services and captured
# ------------------------------------------------------------------------------------------------

PERSON_FIELDS = {
    User: {"full_name": "full_name", "email": "email"},
    Application: {
        "full_name": "full_name",
        "email": "email",
        "nik": "nik",
        "birth_place": "birth_place",
        "birth_date": "birth_date",
        "gender": "gender",
        "address": "address",
        "phone": "phone",
        "student_number": "student_number",
    },
}
# Texts of the applicant's that other rows repeat (the audit trail, the certificate's holder).
PERSON_TOKENS = ("full_name", "email", "nik", "address", "phone", "student_number")
# Days a case waits longer before its meeting than the captured one did (0..).
EARLY_DAYS = 10
TEMPLATE_DAYS_AGO = 1300  # the captured cases start then (within the world's TUK verification)
CAPTURE_WORKERS = min(2, os.cpu_count() or 1)  # processes building the cases of generate()


@dataclass
class _Template:
    template: cloning.Template
    anchor: datetime.datetime  # the first meeting's time, or the last step
    last_step: datetime.datetime
    person: dict
    assessors: tuple  # the captured assessors (first, second)
    has_meeting: bool
    applicant: User | None  # the existing user the copies belong to
    applicant_id: int  # the captured applicant


def _cast(world_):
    return recipes.Cast(
        staff=world_.staff[0],
        director=world_.director,
        members=world_.members,
        appeal_team=world_.appeal_team,
        tuks=world_.tuks,
    )


def _person(rng, niks, user=None):
    male = rng.random() < 0.48
    if user is not None:
        full_name, email = user.full_name, user.email
    else:
        first, family = rng.choice(MALE if male else FEMALE), rng.choice(FAMILY)
        full_name = f"{first} {family}"
        while True:
            email = _gen_email(f"{first}.{family}.{rng.getrandbits(32):08x}".lower())
            if email not in niks:
                niks.add(email)
                break
    birth = datetime.date(rng.randint(1996, 2005), rng.randint(1, 12), rng.randint(1, 28))
    while True:
        region, place = rng.choice(REGIONS)
        day = birth.day + (0 if male else 40)
        nik = f"{region}{day:02d}{birth.month:02d}{birth.year % 100:02d}{rng.randint(1, 9999):04d}"
        if nik not in niks:
            niks.add(nik)
            break
    return {
        "full_name": full_name,
        "email": email,
        "nik": nik,
        "birth_place": place,
        "birth_date": birth,
        "gender": Application.Gender.MALE if male else Application.Gender.FEMALE,
        "address": f"{rng.choice(STREETS)} No. {rng.randint(1, 250)}, {place}",
        "phone": f"{rng.choice(PHONE_PREFIXES)} {rng.randint(1000, 9999)} "
        f"{rng.randint(1000, 9999)}",
        "student_number": f"20{birth.year % 100 + 18:02d}{rng.randint(100000, 999999)}",
    }


@dataclass
class _Capture:
    """The rows one case built through the services wrote, with what compiling them needs."""

    captured: cloning.Captured
    person: dict
    assessor_ids: tuple  # the captured assessors (first, and the reassessment's if another)
    applicant_id: int
    last_step: datetime.datetime


def _capture(world_, code, stage, variant, *, seed, now, assessor_id, second_id):
    """Build one case through the services (lsp_site.recipes) in a rolled-back transaction and
    capture the rows it wrote. Its applicant signs up anew."""
    rng = random.Random(seed)
    info = world_.schemes[code]
    assessors = {a.pk: a for a in world_.assessors}
    person = _person(rng, set())
    start = _dt(now - TEMPLATE_DAYS_AGO * D)

    def build():
        return recipes.build(
            stage,
            variant,
            scheme=info.scheme,
            person=recipes.Person(**person),
            cast=_cast(world_),
            assessor=assessors[assessor_id],
            second_assessor=assessors[second_id],
            start=start,
            rng=rng,
        )

    def inspect(built):
        numbered = {}
        for model in cloning.numbered_models():
            related = {
                Certificate: {"decision__assessment__application": built.application},
                Decree: {"minutes__meeting__in": built.meetings},
                AnswerLetter: {"appeal__application": built.application},
            }.get(model)
            if related is None:
                continue
            for obj in model.objects.filter(**related):
                numbered[(model, obj.pk)] = obj.number_fields()
        return {"numbered": numbered}

    captured = cloning.capture(build, inspect)
    built, captured.result = captured.result, None
    return _Capture(
        captured=captured,
        person=person,
        assessor_ids=(assessor_id,) if second_id == assessor_id else (assessor_id, second_id),
        applicant_id=built.application.applicant_id,
        last_step=built.last_step,
    )


# Set before the capture workers are forked (they inherit it): the world they build in.
_FORKED: dict = {}


def _capture_job(job):
    """One capture in a worker process (its own database connection). Two workers building at
    once can deadlock on the year counters' row locks; PostgreSQL then cancels one, which tries
    again. A worker whose connection answers out of turn (seen once in a full test run:
    "no results to fetch" on its first query; the cause is not found yet) closes it and builds
    the case again on a new one: the capture was rolled back, so nothing of it is left."""
    from django.db import InterfaceError, OperationalError, ProgrammingError

    for attempt in range(5):
        try:
            capture = _capture(_FORKED["world"], *job[:3], **job[3])
            # M2M tables' models do not pickle: the parent finds them again by label.
            rows = capture.captured.rows
            capture.captured.rows = {m._meta.label: found for m, found in rows.items()}
            return capture
        except OperationalError as exc:
            if "deadlock" not in str(exc) or attempt == 4:
                raise
        except (InterfaceError, ProgrammingError):
            if attempt == 4:
                raise
            connection.close()
    raise AssertionError("unreachable")


def _capture_all(world_, jobs):
    """Capture every job (code, stage, variant, options): in CAPTURE_WORKERS processes when the
    world is committed (not inside a test's transaction), else one after the other."""
    if connection.in_atomic_block or len(jobs) < 8 or CAPTURE_WORKERS < 2:
        return [_capture(world_, *job[:3], **job[3]) for job in jobs]
    connection.close()  # each worker opens its own; the parent reconnects afterwards
    _FORKED["world"] = world_
    context = multiprocessing.get_context("fork")
    try:
        with ProcessPoolExecutor(max_workers=CAPTURE_WORKERS, mp_context=context) as pool:
            captures = list(pool.map(_capture_job, jobs))
    finally:
        _FORKED.clear()
    for capture in captures:
        rows = capture.captured.rows
        capture.captured.rows = {apps.get_model(label): found for label, found in rows.items()}
    return captures


def _compile(world_, capture, *, applicant=None, rng=None):
    """The captured case compiled for copying; with `applicant` (an existing user) the copies
    are theirs (the captured account is not copied)."""
    captured = capture.captured
    meetings = sorted(captured.rows.get(Meeting, []), key=lambda r: r["id"])
    by_pk = {a.pk: a for a in world_.assessors}
    assessors = [by_pk[pk] for pk in capture.assessor_ids]
    remappable = [(Assessor, a.pk) for a in assessors] + [(User, a.user_id) for a in assessors]
    person = capture.person
    template = cloning.Template(
        captured,
        application_model=Application,
        meeting_model=Meeting,
        applicant_id=capture.applicant_id,
        person_fields=PERSON_FIELDS,
        person_tokens={person[k]: k for k in PERSON_TOKENS},
        remappable=remappable + [(User, capture.applicant_id)],
        name_tokens=[a.user.full_name for a in assessors],
        order_field=(AgendaItem, "order"),
        number_fields=captured.extra["numbered"],
        samples={"pdf": SAMPLE_PDF, "image": SAMPLE_JPEG},
        sample_files=world_.samples,
        cutoff=meetings[0]["created_at"] if meetings else None,
        drop_user=capture.applicant_id if applicant is not None else None,
    )
    return _Template(
        template=template,
        anchor=meetings[0]["scheduled_at"] if meetings else capture.last_step,
        last_step=capture.last_step,
        person=_person(rng, set(), applicant) if applicant is not None else person,
        assessors=tuple(assessors),
        has_meeting=bool(meetings),
        applicant=applicant,
        applicant_id=capture.applicant_id,
    )


def _template(world_, info, stage, variant, *, rng, now, assessor, second=None, applicant=None):
    """Build, capture and compile one case (make_cases)."""
    if assessor not in world_.assessors:
        world_.assessors.append(assessor)
    second = second or assessor
    capture = _capture(
        world_,
        info.code,
        stage,
        variant,
        seed=rng.random(),
        now=now,
        assessor_id=assessor.pk,
        second_id=second.pk,
    )
    return _compile(world_, capture, applicant=applicant, rng=rng)


def _days_for(tpl, anchor, now, *, working=True):
    """Whole days that move the captured case's anchor to about `anchor`, on a working day when
    it has a meeting, with its last step at least two hours before now."""
    days = round((anchor - _ts(tpl.anchor)) / D)
    limit = now - 2 * H  # the late minutes of a copy (below) stay before now as well
    while _ts(tpl.last_step) + days * D > limit:
        days -= 1
    if working and tpl.has_meeting:
        while not is_working_day(_date(_ts(tpl.anchor) + days * D)):
            days -= 1
    return days


def _copy(world_, tpl, days, rng, niks, *, early=0, assessors=None, order=1):
    """One copy: its shift, applicant and assessors."""
    # The cases of one meeting: each waited its own days for it, and took its later steps
    # (the certificate, an appeal) some minutes apart.
    copy = cloning.Copy(days=days, early_days=early, order=order, late_minutes=rng.randint(0, 90))
    if tpl.applicant is None:
        copy.person = _person(rng, niks)
    else:
        copy.person = tpl.person
        copy.world[(User, tpl.applicant_id)] = tpl.applicant.pk
    for captured, chosen in zip(tpl.assessors, assessors or (), strict=False):
        if chosen is None or chosen.pk == captured.pk:
            continue
        copy.world[(Assessor, captured.pk)] = chosen.pk
        copy.world[(User, captured.user_id)] = chosen.user_id
        copy.names[captured.user.full_name] = chosen.user.full_name
    return copy


def _assessors_for(world_, info, rng, tpl, weights=None, fixed=None):
    if fixed is not None:
        return (fixed, fixed) if len(tpl.assessors) > 1 else (fixed,)
    first = _qualified(world_, info, rng, weights)
    if len(tpl.assessors) == 1:
        return (first,)
    others = [
        a
        for a in world_.assessors
        if info.scheme.pk in world_.assessor_schemes.get(a.pk, ()) and a.pk != first.pk
    ]
    return (first, rng.choice(others) if others else first)


def _qualified(world_, info, rng, weights=None):
    candidates = [
        a for a in world_.assessors if info.scheme.pk in world_.assessor_schemes.get(a.pk, ())
    ]
    if weights:
        return rng.choices(candidates, weights=[weights.get(a.pk, 1) for a in candidates])[0]
    return rng.choice(candidates)


def _pick(rng, weights):
    keys = list(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys])[0]


def _sequence_value(model):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_get_serial_sequence(%s, %s)", [model._meta.db_table, model._meta.pk.column]
        )
        name = cursor.fetchone()[0]
        cursor.execute("SELECT last_value FROM " + name)
        return cursor.fetchone()[0]


def _require_postgresql():
    if connection.vendor != "postgresql":
        raise RuntimeError("The data generator writes with PostgreSQL sequences and COPY.")


def _existing_meeting(tpl, meeting):
    """Put the copies on `meeting` instead of the captured one: its rows' pks by the captured
    ones, its moments by the captured meeting's, and its numbers."""
    captured = tpl.template.rows
    first = min(r["id"] for r in captured[Meeting])
    existing = {(Meeting, first): meeting.pk}
    moments = {}
    numbers = {}
    minutes = getattr(meeting, "minutes", None) if hasattr(meeting, "minutes") else None
    pairs = [(Meeting, first, meeting)]
    for r in captured.get(Minutes, []):
        if r["meeting_id"] == first and minutes is not None:
            existing[(Minutes, r["id"])] = minutes.pk
            pairs.append((Minutes, r["id"], minutes))
            decree = getattr(minutes, "decree", None) if hasattr(minutes, "decree") else None
            for d in captured.get(Decree, []):
                if d["minutes_id"] == r["id"] and decree is not None:
                    existing[(Decree, d["id"])] = decree.pk
                    pairs.append((Decree, d["id"], decree))
                    numbers[("number", Decree, d["id"])] = {
                        "year": decree.year,
                        "sequence": decree.sequence,
                        "number": decree.number,
                    }
    for model, pk, obj in pairs:
        row = tpl.template.by_pk[(model, pk)]
        for f in model._meta.concrete_fields:
            if isinstance(f, models.DateTimeField) and row[f.attname] is not None:
                value = getattr(obj, f.attname)
                if value is not None:
                    moments[row[f.attname]] = value
    for model, rows in captured.items():
        for r in rows:
            key = (model, r["id"])
            if tpl.template.owner.get(key, "case") != "case" and key not in existing:
                existing[key] = r["id"]  # not pointed at by a case row of the copies
    return existing, moments, numbers


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
    """Create `n` cases brought to `stage` (see STAGES) in bulk: one case is built through the
    services for each scheme and variant needed and copied. Returns the Applications, each with
    `.case` (a Case with its current assessment, meeting, decision, certificate and appeal).

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
    if meeting is not None and stage in DECIDED_STAGES:
        if meeting.status != Meeting.Status.DECREE_ISSUED:
            raise ValueError("Decided cases need a meeting whose decree is signed.")
    elif meeting is not None and stage == "recommended":
        if meeting.status not in (Meeting.Status.PLANNED, Meeting.Status.HELD):
            raise ValueError("Recommendations go on a meeting that is planned or in session.")
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
        taken = set()
        if applicant is not None:
            taken = set(
                Application.objects.active()
                .filter(applicant=applicant)
                .values_list("scheme__code", flat=True)
            )
        wanted = defaultdict(int)  # (scheme code, variant) -> copies
        order = []
        for _i in range(n):
            if scheme is not None:
                info = world_.schemes.get(scheme.code) or _scheme_info(scheme)
                world_.schemes.setdefault(scheme.code, info)
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
            if assessor is not None and info.scheme.pk not in world_.assessor_schemes.get(
                assessor.pk, ()
            ):
                assessor.schemes.add(info.scheme)
                world_.assessor_schemes.setdefault(assessor.pk, set()).add(info.scheme.pk)
            if assessor is not None and assessor not in world_.assessors:
                world_.assessors.append(assessor)
            key = (info.code, variant or _pick(rng, VARIANTS[stage]))
            wanted[key] += 1
            order.append(key)
        ids = _Ids(block=max(8, n))
        writer = cloning.Writer(ids, _counters(lock=True), rng)
        niks = set()
        made = defaultdict(list)
        orders = _agenda_orders(meeting)
        for (code, chosen_variant), count in wanted.items():
            info = world_.schemes[code]
            build_variant = chosen_variant
            if stage == "recommended" and meeting is not None:
                build_variant = chosen_variant + "_planned"
            first = assessor or _qualified(world_, info, rng)
            second = assessor or _other_assessor(world_, info, rng, first)
            tpl = _template(
                world_,
                info,
                stage,
                build_variant,
                rng=rng,
                now=now,
                assessor=first,
                second=second,
                applicant=applicant,
            )
            if meeting is None and not tpl.has_meeting:
                new = []
                low, high = AGE_DAYS[stage]
                for _c in range(count):
                    days = _days_for(tpl, now - rng.uniform(low, high) * D, now)
                    new += writer.group(tpl.template, [_copy(world_, tpl, days, rng, niks)])
            else:
                # One meeting for the copies: the existing one, or one in the variant's window.
                if meeting is not None:
                    days = round((_ts(meeting.scheduled_at) - _ts(tpl.anchor)) / D)
                    waited, positions = 3, orders
                else:
                    _klass, start, end = MEETING_WINDOWS.get((stage, chosen_variant), ("", 24, 8))
                    days = _days_for(tpl, now - rng.uniform(end, start) * D, now)
                    waited, positions = EARLY_DAYS, itertools.count(1)
                copies = [
                    _copy(
                        world_,
                        tpl,
                        days,
                        rng,
                        niks,
                        early=rng.randint(0, waited),
                        order=next(positions),
                    )
                    for _c in range(count)
                ]
                placed = _existing_meeting(tpl, meeting) if meeting is not None else (None,) * 3
                existing, moments, numbers = placed
                new = writer.group(
                    tpl.template, copies, existing=existing, moments=moments, numbers=numbers
                )
            app_pk = tpl.template.applications[0]
            made[(code, chosen_variant)] += [ids_[(Application, app_pk)] for ids_ in new]
        writer.flush()
        for counter in writer.counters.values():
            counter.save()
        app_ids = [made[key].pop(0) for key in order]
        return _cases(app_ids)


def _agenda_orders(meeting):
    start = 0
    if meeting is not None:
        start = meeting.agenda.aggregate(n=models.Max("order"))["n"] or 0
    return itertools.count(start + 1)


def _other_assessor(world_, info, rng, first):
    others = [
        a
        for a in world_.assessors
        if info.scheme.pk in world_.assessor_schemes.get(a.pk, ()) and a.pk != first.pk
    ]
    return rng.choice(others) if others else first


def _counters(*, lock):
    return {
        model: _YearCounter(model, lock=lock)
        for model in (DecreeCounter, CertificateCounter, AnswerLetterCounter)
    }


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
        for d in Decision.objects.filter(assessment__application_id__in=app_ids)
        .select_related("assessment", "meeting")
        .order_by("assessment__attempt")
    }
    certificates = {
        c.decision.assessment.application_id: c
        for c in Certificate.objects.filter(decision__assessment__application_id__in=app_ids)
        .select_related("decision__assessment")
        .order_by("decision__assessment__attempt")
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


@dataclass(eq=False)
class _Unit:
    """What generate() writes at one moment: the copies of one template that share a meeting
    (or one copy of a case without one)."""

    moment: float
    tpl: _Template
    copies: list


def generate(total, *, seed=1, batch_size=2000, stdout=None, now=None, analyze=True):
    """Fill the database with a realistic LSP of `total` applications (STAGE_SHARES across the
    stages, three schemes, the world's staff, assessors and teams), in batches of about
    `batch_size` applications, each batch one transaction. One case per scheme, stage and
    variant is built through the services and copied. Deterministic for a seed on the same
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
    wanted = Counter()
    for stage in STAGES:
        for _i in range(counts[stage]):
            code = _pick(rng, SCHEME_WEIGHTS)
            chosen = _pick(rng, VARIANTS[stage])
            if stage == "recommended" and rng.random() < 0.3:
                chosen += "_planned"  # waiting on a meeting planned for the coming days
            wanted[(code, stage, chosen)] += 1
    showcase = _showcase_wanted(world_, wanted)
    # One case through the services per scheme, stage and way of being there (variants that
    # differ only in when they happened share it: recipes.SAME_AS).
    shared = {
        key: (key[0], key[1], recipes.SAME_AS.get(key[1:], key[2])) for key in [*wanted, *showcase]
    }
    jobs = []
    for code, stage, variant in sorted(set(shared.values())):
        info = world_.schemes[code]
        first = _qualified(world_, info, rng)
        second = _other_assessor(world_, info, rng, first)
        options = {
            "seed": f"{seed}:{code}:{stage}:{variant}",
            "now": now,
            "assessor_id": first.pk,
            "second_id": second.pk,
        }
        jobs.append((code, stage, variant, options))
    captures = dict(zip((job[:3] for job in jobs), _capture_all(world_, jobs), strict=True))
    built = {key: _compile(world_, captures[shared[key]]) for key in wanted}
    for key in showcase:
        built[("showcase", *key)] = _compile(
            world_, captures[shared[key]], applicant=world_.showcase, rng=rng
        )
    elapsed = time.perf_counter() - started
    say(f"Built {len(captures)} cases through the services in {elapsed:.1f} s.\n")
    niks = set()
    units = []
    for key, count in wanted.items():
        code, stage, chosen = key
        tpl = built[key]
        info = world_.schemes[code]
        base = chosen.removesuffix("_planned")
        if tpl.has_meeting:
            window = MEETING_WINDOWS.get((stage, base))
            remaining = count
            while remaining:
                size = min(remaining, MEETING_SIZE)
                remaining -= size
                if window is None:  # a recommendation waiting on a planned meeting
                    anchor = now + rng.uniform(1, 10) * D
                else:
                    anchor = now - rng.uniform(window[2], window[1]) * D
                days = _days_for(tpl, anchor, now)
                copies = [
                    _copy(
                        world_,
                        tpl,
                        days,
                        rng,
                        niks,
                        early=rng.randint(0, EARLY_DAYS),
                        assessors=_assessors_for(world_, info, rng, tpl, weights),
                        order=k + 1,
                    )
                    for k in range(size)
                ]
                units.append(_Unit(_ts(tpl.anchor) + days * D, tpl, copies))
        else:
            low, high = AGE_DAYS[stage]
            for _c in range(count):
                days = _days_for(tpl, now - rng.uniform(low, high) * D, now)
                copy = _copy(
                    world_,
                    tpl,
                    days,
                    rng,
                    niks,
                    assessors=_assessors_for(world_, info, rng, tpl, weights),
                )
                units.append(_Unit(_ts(tpl.last_step) + days * D, tpl, [copy]))
    for key in showcase:
        tpl = built[("showcase", *key)]
        code, stage, chosen = key
        window = MEETING_WINDOWS.get((stage, chosen))
        anchor = now - rng.uniform(window[2], window[1]) * D if window else now - 3 * D
        days = _days_for(tpl, anchor, now)
        units.append(_Unit(_ts(tpl.anchor) + days * D, tpl, [_copy(world_, tpl, days, rng, niks)]))
    # In the order things happened, so that ids (APL-000001...) and numbers grow with time.
    units.sort(key=lambda u: u.moment)
    batches, current, size = [], [], 0
    for unit in units:
        current.append(unit)
        size += len(unit.copies)
        if size >= batch_size:
            batches.append(current)
            current, size = [], 0
    if current:
        batches.append(current)
    say(f"Generating {total} applications in {len(units)} groups, {len(batches)} batches.\n")
    ids = _Ids(block=256, max_block=20_000)
    counters = _counters(lock=False)
    # PostgreSQL writes batch k (COPY, index and foreign-key checks at commit) on a connection of
    # its own while this thread fills batch k+1. Inside a transaction (tests) the rows must be
    # written on this connection, one batch after the other.
    writer = _Writer(started, total, say, threaded=not connection.in_atomic_block)
    done = 0
    try:
        for batch in batches:
            rows = cloning.Writer(ids, counters, rng)
            for unit in batch:
                rows.group(unit.tpl.template, unit.copies)
                done += len(unit.copies)
            writer.put(rows, [c.snapshot() for c in counters.values()], done)
    finally:
        writer.close()
    written = writer.written
    if analyze:
        with connection.cursor() as cursor:
            for model in INSERT_ORDER:
                cursor.execute("ANALYZE " + connection.ops.quote_name(model._meta.db_table))
    stages = Counter()
    variants = Counter()
    for (_code, stage, chosen), count in wanted.items():
        stages[stage] += count
        variants[f"{stage}:{chosen.removesuffix('_planned')}"] += count
    for _code, stage, chosen in showcase:
        stages[stage] += 1
        variants[f"{stage}:{chosen}"] += 1
    return {
        "applications": total,
        "seed": seed,
        "stages": {stage: stages[stage] for stage in STAGES},
        "variants": dict(variants),
        "templates": len(captures),
        "rows": dict(written),
        "rows_total": sum(written.values()),
        "seconds": round(time.perf_counter() - started, 1),
    }


def _showcase_wanted(world_, wanted):
    """The showcase applicant (bench_targets) takes three cases, one per scheme: certified,
    appealed and an assessment under way - a full dashboard. Taken from the counts."""
    if Application.objects.filter(applicant=world_.showcase).exists():
        return []
    chosen = []
    for code, stage, variant in (
        ("mhp", "certified", "active"),
        ("pmd", "appealed", "dismissed"),
        ("sdm", "assigned", "plan_agreed"),
    ):
        donor = next((k for k in wanted if k[1:] == (stage, variant) and wanted[k] > 0), None)
        if donor is None:
            continue
        wanted[donor] -= 1
        if not wanted[donor]:
            del wanted[donor]
        chosen.append((code, stage, variant))
    return chosen


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


def bench_targets():
    """Representative objects of a generated database, for the web benchmark: users (log in with
    PASSWORD), ids and the filter values of a filtered page."""
    staff = User.objects.get(email=_gen_email(STAFF[0][0]))
    showcase = User.objects.filter(email=_gen_email(SHOWCASE[0])).first()
    if showcase is None or not Application.objects.filter(applicant=showcase).exists():
        certificate = (
            Certificate.objects.filter(status=Certificate.Status.ACTIVE).order_by("pk").first()
        )
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
        Certificate.objects.filter(
            status=Certificate.Status.ACTIVE, valid_until__gte=today, number__isnull=False
        )
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
        "registry_filter": {
            "status": Certificate.Status.ACTIVE.value,
            "scheme": scheme.pk,
            "year": today.year - 1,
        },
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
        for model in (Application, Assessment, Meeting, Certificate, Appeal, Schedule, User)
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
            "gen_schedules",
            f"SELECT id FROM {t(Schedule)} WHERE created_by_id IN (SELECT id FROM gen_users)",
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
        cts[Schedule]: "gen_schedules",
        user_ct.pk: "gen_users",
    }
    audit_condition = " OR ".join(
        f"(content_type_id = {ct} AND object_id IN (SELECT id::text FROM {name}))"
        for ct, name in objects.items()
    )
    deletes = [
        (AuditEvent, f"actor_id IN (SELECT id FROM gen_users) OR {audit_condition}"),
        # Assessment events (issue 16): those generated staff created, and the seats of generated
        # applications or assessors in any event (the recipes create no events yet).
        (
            ScheduleCandidate,
            "schedule_id IN (SELECT id FROM gen_schedules) OR application_id IN "
            "(SELECT id FROM gen_apps) OR placed_by_id IN (SELECT id FROM gen_users) OR "
            f"assessor_id IN (SELECT id FROM {t(Assessor)} WHERE user_id IN "
            "(SELECT id FROM gen_users))",
        ),
        (
            Schedule.assessors.through,
            "schedule_id IN (SELECT id FROM gen_schedules) OR assessor_id IN "
            f"(SELECT id FROM {t(Assessor)} WHERE user_id IN (SELECT id FROM gen_users))",
        ),
        (Schedule, "id IN (SELECT id FROM gen_schedules)"),
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
        (Adjustment, "assessment_id IN (SELECT id FROM gen_assessments)"),
        # FR.MAPA.01's header is cloned with the plan; its PDFs are not (no file is copied).
        (PlanDocument, "assessment_id IN (SELECT id FROM gen_assessments)"),
        (AssessmentPlan, "assessment_id IN (SELECT id FROM gen_assessments)"),
        (AssessmentReport, "assessment_id IN (SELECT id FROM gen_assessments)"),
        (CompetencyRecord, "assessment_id IN (SELECT id FROM gen_assessments)"),
        (ProcessReview, "assessment_id IN (SELECT id FROM gen_assessments)"),
        # The recipes record FR.IA.02 per unit (InstrumentRecord); FR.IA.01/08/10 rows an
        # assessor added by hand go with the case.
        (InstrumentRecord, "assessment_id IN (SELECT id FROM gen_assessments)"),
        (
            PortfolioCheck.kuks.through,
            f"portfoliocheck_id IN (SELECT id FROM {t(PortfolioCheck)} WHERE assessment_id IN "
            "(SELECT id FROM gen_assessments))",
        ),
        (PortfolioCheck, "assessment_id IN (SELECT id FROM gen_assessments)"),
        (
            ThirdPartyStatement.kuks.through,
            f"thirdpartystatement_id IN (SELECT id FROM {t(ThirdPartyStatement)} WHERE "
            "assessment_id IN (SELECT id FROM gen_assessments))",
        ),
        (ThirdPartyStatement, "assessment_id IN (SELECT id FROM gen_assessments)"),
        (ObservationRecord, "assessment_id IN (SELECT id FROM gen_assessments)"),
        (ObservationComment, "assessment_id IN (SELECT id FROM gen_assessments)"),
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
            f"(SELECT tuk_id FROM {t(PlanItem)}) AND id NOT IN (SELECT tuk_id FROM {t(Schedule)})",
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
        # What the generated staff imported stays (SET_NULL, as deleting the user would leave it).
        cursor.execute(
            f"UPDATE {t(StandardVersion)} SET created_by_id = NULL "
            "WHERE created_by_id IN (SELECT id FROM gen_users)"
        )
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
