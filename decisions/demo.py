"""Demo data for the decision stage (seed_demo): the technical team and a decided meeting."""

import datetime

from django.utils import timezone

from assessment.models import Assessment
from lsp_portal.accounts.roles import Role

from . import services
from .models import TechnicalTeamMember

QUALIFICATIONS = {
    "teknis@demo.test": "Dosen Manajemen Pemasaran; asesor kompetensi BNSP 2016-2022; anggota tim "
    "teknis sejak 2021.",
    "teknis2@demo.test": "Praktisi CRM 12 tahun; pernah menjadi anggota komite skema LSP.",
}


def seed_decisions(users, staff):
    """fajar@: decided Kompeten and indra@: Belum Kompeten in a meeting whose decree is signed
    (published); hana@'s recommendation waits for the next meeting (to be held in the browser)."""
    members = []
    for email, qualification in QUALIFICATIONS.items():
        member, _created = TechnicalTeamMember.objects.update_or_create(
            user=users[email], defaults={"qualification": qualification}
        )
        members.append(member)
    fajar = Assessment.objects.filter(
        application__applicant=users["fajar@demo.test"],
        status=Assessment.Status.RECOMMENDED,
        decision__isnull=True,
    ).first()
    if fajar is None or not users["direktur@demo.test"].has_role(Role.DIRECTOR):
        return 0
    indra = Assessment.objects.filter(
        application__applicant=users["indra@demo.test"],
        status=Assessment.Status.RECOMMENDED,
        decision__isnull=True,
    ).first()
    agenda = [fajar] if indra is None else [fajar, indra]
    meeting = services.plan_meeting(
        staff,
        title="Rapat Tim Teknis Periode November",
        scheduled_at=timezone.now() - datetime.timedelta(minutes=30),
        location="Ruang Rapat LSP, Gedung B lantai 2",
        is_online=False,
        members=members,
        assessments=agenda,
    )
    services.open_meeting(staff, meeting, members)
    services.decide(
        members[0].user,
        meeting,
        fajar,
        result="K",
        basis="Seluruh 15 unit K dengan bukti memenuhi VATM; rekomendasi asesor diterima.",
    )
    if indra is not None:
        services.decide(
            members[1].user,
            meeting,
            indra,
            result="BK",
            basis="Unit M.702093.015.01 belum kompeten: bukti pengelolaan program loyalitas belum "
            "memadai; rekomendasi asesor diterima.",
        )
    minutes = services.close_meeting(staff, meeting)
    for member in members:
        services.sign_minutes(member.user, minutes)
    minutes.refresh_from_db()
    decree = services.draft_decree(staff, minutes)
    services.sign_decree(users["direktur@demo.test"], decree)
    return 1
