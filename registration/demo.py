"""Demo applications for seed_demo, built through the same services users go through."""

import datetime

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from lsp_portal.files import check_upload

from . import apl02, services
from .demo_files import image_bytes, pdf_bytes
from .inputs import ExperienceInput, PersonalDataInput, SelfAssessmentInput
from .models import Application, Scheme

Status = Application.Status

PROFILE = {
    "asesi@demo.test": ("3174015201020001", "Jakarta", datetime.date(2002, 1, 12), "P", 520),
    "asesi2@demo.test": ("3671021503010002", "Tangerang", datetime.date(2001, 3, 15), "L", 480),
    "dimas@demo.test": ("3275012007020003", "Bekasi", datetime.date(2002, 7, 20), "L", 450),
    "putri@demo.test": ("3603014408010004", "Serang", datetime.date(2001, 8, 4), "P", 600),
    "yoga@demo.test": ("3174022909020005", "Depok", datetime.date(2002, 9, 29), "L", 399),
    "nadia@demo.test": (
        "3674014105020006",
        "Tangerang Selatan",
        datetime.date(2002, 5, 1),
        "P",
        410,
    ),
    "fajar@demo.test": ("3171011206010007", "Jakarta", datetime.date(2001, 6, 12), "L", 640),
    "gita@demo.test": ("3216016611020008", "Bekasi", datetime.date(2002, 11, 26), "P", 405),
    "hana@demo.test": (
        "3674025707020009",
        "Tangerang Selatan",
        datetime.date(2002, 7, 17),
        "P",
        420,
    ),
    "indra@demo.test": ("3671011503010010", "Tangerang", datetime.date(2001, 3, 15), "L", 480),
    "rudi@demo.test": (
        "3674011008010011",
        "Tangerang Selatan",
        datetime.date(2001, 8, 10),
        "L",
        460,
    ),
}


def _upload(name, content):
    return SimpleUploadedFile(name, content)


def _fill(user, application, *, hours, complete=True):
    nik, place, born, gender, _hours = PROFILE[user.email]
    scheme = application.scheme
    services.save_personal_data(
        user,
        application,
        PersonalDataInput(
            full_name=user.full_name,
            nik=nik,
            birth_place=place,
            birth_date=born,
            gender=gender,
            address="Jl. Boulevard Bintaro Jaya Blok B7/P, Tangerang Selatan",
            phone="0812 3456 7890",
            email=user.email,
            university="Universitas Pembangunan Jaya",
            study_programme="Manajemen",
            student_number=f"2019{nik[-4:]}",
            semester=7,
            completed_courses=tuple(scheme.required_courses.all()),
        ),
    )
    if not complete:
        return
    fields = list(scheme.experience_fields.all())
    services.add_experience(
        user,
        application,
        ExperienceInput(
            organisation="PT Pelanggan Setia Indonesia",
            field=fields[0],
            role="Magang divisi Customer Relationship",
            start_date=datetime.date(2024, 2, 1),
            end_date=datetime.date(2024, 5, 31),
            hours=hours,
        ),
    )
    documents = {}
    for requirement in scheme.required_documents.all():
        for index in range(requirement.quantity):
            if requirement.images_only:
                content, name = image_bytes("JPEG", user.full_name), f"pasfoto-{index + 1}.jpg"
            else:
                content, name = (
                    pdf_bytes(f"{requirement.name} - {user.full_name}"),
                    f"{requirement.code}.pdf",
                )
            checked = check_upload(_upload(name, content), images_only=requirement.images_only)
            documents[requirement.code] = services.upload_document(
                user, application, requirement, checked
            )
    answers = {}
    for key in apl02.answer_keys(application):
        answers[key] = SelfAssessmentInput(
            answer="K",
            note="Pernah dilakukan selama magang.",
            evidence=documents["surat-magang"],
        )
    services.save_self_assessment(user, application, answers)
    services.submit(user, application, agreed=True)


def seed_registration(users, staff):
    """One demo case per registration status (and eligible ones for the assessment stage).
    Applicants that already have an application are left alone."""
    scheme = Scheme.objects.get(code="mhp")
    plan = [
        ("asesi@demo.test", Application.Status.SUBMITTED),
        ("asesi2@demo.test", Application.Status.DRAFT),  # after a withdrawn one, see below
        ("dimas@demo.test", Application.Status.REVISION_REQUESTED),
        ("putri@demo.test", Application.Status.ELIGIBLE),
        ("yoga@demo.test", Application.Status.REJECTED),
        ("nadia@demo.test", Application.Status.ELIGIBLE),
        ("fajar@demo.test", Application.Status.ELIGIBLE),
        ("gita@demo.test", Application.Status.ELIGIBLE),
        ("hana@demo.test", Application.Status.ELIGIBLE),
        ("indra@demo.test", Application.Status.ELIGIBLE),
        ("rudi@demo.test", Application.Status.ELIGIBLE),
    ]
    created = _seed_expired_files(users["asesi2@demo.test"], scheme)
    for email, status in plan:
        user = users[email]
        if Application.objects.filter(applicant=user).exclude(status=Status.WITHDRAWN).exists():
            continue
        application = services.start_application(user, scheme)
        hours = PROFILE[email][4]
        _fill(user, application, hours=hours, complete=status != Application.Status.DRAFT)
        if status == Application.Status.REVISION_REQUESTED:
            services.request_revision(
                staff,
                application,
                note="Transkrip nilai kurang jelas; unggah ulang dengan resolusi lebih tinggi.",
            )
        elif status == Application.Status.ELIGIBLE:
            services.confirm_eligible(
                staff, application, note="Berkas lengkap dan memenuhi syarat."
            )
        elif status == Application.Status.REJECTED:
            services.reject(
                staff,
                application,
                reason="Jam magang 399 < 400 jam yang dipersyaratkan (6.2).",
            )
        created += 1
    return created


def _seed_expired_files(user, scheme):
    """The retention rule (services.delete_expired_files) at work: Budi applied once, uploaded
    his KTP and KTM, and withdrew; the retention period has passed and the daily job deleted the
    files - his withdrawn application shows no file and its history says what was deleted. He then
    started again (his draft in seed_registration)."""
    if Application.objects.filter(applicant=user).exists():
        return 0
    application = services.start_application(user, scheme)
    _fill(user, application, hours=0, complete=False)
    for code in ("ktp", "ktm"):
        requirement = scheme.required_documents.get(code=code)
        content = pdf_bytes(f"{requirement.name} - {user.full_name}")
        services.upload_document(
            user, application, requirement, check_upload(_upload(f"{code}.pdf", content))
        )
    services.withdraw(user, application, reason="Mendaftar ulang semester depan.")
    # The demo cannot wait for the retention period: the job runs as if it had passed.
    later = timezone.now() + datetime.timedelta(days=settings.UPLOAD_RETENTION_DAYS + 1)
    services.delete_expired_files(now=later)
    return 1
