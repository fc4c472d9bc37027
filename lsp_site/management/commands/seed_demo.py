"""Demo data for `make run`: one user per role (two applicants, two assessors) and demo cases.

Each stage of the portal extends this command so that every stage built so far has a demo case.
Refuses to run with DEBUG=0 unless --force: demo passwords must not reach a production database.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from lsp_portal.accounts.roles import Role

User = get_user_model()

# (e-mail, full name, roles, password)
DEMO_USERS = [
    ("asesi@demo.test", "Sari Wulandari", [Role.APPLICANT], "Asesi-Demo-2026"),
    ("asesi2@demo.test", "Budi Santoso", [Role.APPLICANT], "Asesi2-Demo-2026"),
    ("admin@demo.test", "Rina Admin LSP", [Role.STAFF], "Admin-Demo-2026"),
    ("asesor@demo.test", "Dr. Agus Asesor", [Role.ASSESSOR], "Asesor-Demo-2026"),
    ("asesor2@demo.test", "Maya Asesor", [Role.ASSESSOR], "Asesor2-Demo-2026"),
    ("teknis@demo.test", "Hendra Tim Teknis", [Role.TECHNICAL_TEAM], "Teknis-Demo-2026"),
    ("teknis2@demo.test", "Wulan Tim Teknis", [Role.TECHNICAL_TEAM], "Teknis2-Demo-2026"),
    ("banding@demo.test", "Lestari Tim Banding", [Role.APPEAL_TEAM], "Banding-Demo-2026"),
    ("direktur@demo.test", "Hastuti Naibaho", [Role.DIRECTOR], "Direktur-Demo-2026"),
]
# Further applicants so that every registration status has a demo case.
EXTRA_APPLICANTS = [
    ("dimas@demo.test", "Dimas Pratama"),
    ("putri@demo.test", "Putri Anggraini"),
    ("yoga@demo.test", "Yoga Saputra"),
    ("nadia@demo.test", "Nadia Rahmawati"),
    ("fajar@demo.test", "Fajar Nugroho"),
    ("gita@demo.test", "Gita Permatasari"),
    ("hana@demo.test", "Hana Lestari"),
    ("indra@demo.test", "Indra Kusuma"),
    ("rudi@demo.test", "Rudi Hartono"),
]
EXTRA_PASSWORD = "Asesi-Demo-2026"
# Invited by staff, the password not chosen yet (the people pages, issue 13.7).
INVITED = ("undangan@demo.test", "Tari Undangan")


class Command(BaseCommand):
    help = "Create demo users (one per role) and demo applications. Not for production."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force", action="store_true", help="Run even with DEBUG=0 (never in production)."
        )

    def handle(self, *args, force=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "seed_demo refuses to run with DEBUG=0: it creates users with known passwords. "
                "Use --force only on a throw-away database."
            )
        with transaction.atomic():
            users = {}
            for email, name, roles, password in DEMO_USERS:
                users[email] = self._user(email, name, roles, password)
            for email, name in EXTRA_APPLICANTS:
                users[email] = self._user(email, name, [Role.APPLICANT], EXTRA_PASSWORD)
            staff = users["admin@demo.test"]
            users["admin@demo.test"].is_staff = True
            users["admin@demo.test"].save(update_fields=["is_staff"])

        from appeals.demo import seed_appeals
        from assessment.demo import seed_assessment
        from certificates.demo import seed_certificates
        from decisions.demo import seed_decisions
        from registration.demo import seed_registration

        # The demo's review e-mails would flood the console; the real ones are sent by Celery.
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
            created = seed_registration(users, staff)
            created += seed_assessment(users, staff)
            created += seed_decisions(users, staff)
            created += seed_certificates(users, staff)
            created += seed_appeals(users, staff)
            created += self._invited(staff)

        self.stdout.write(self.style.SUCCESS("Demo users (e-mail / password):"))
        for email, _name, roles, password in DEMO_USERS:
            self.stdout.write(f"  {', '.join(roles):<14} {email:<22} {password}")
        for email, _name in EXTRA_APPLICANTS:
            self.stdout.write(f"  {'Asesi':<14} {email:<22} {EXTRA_PASSWORD}")
        self.stdout.write(f"  {'(invited)':<14} {INVITED[0]:<22} no password yet (People page)")
        self.stdout.write(f"Demo cases created: {created}")
        self.stdout.write("Open http://127.0.0.1:8000/ and log in with one of the accounts above.")

    def _invited(self, staff):
        """One person invited by staff who has not set a password: through the service, once."""
        from lsp_portal.accounts import services

        if User.objects.filter(email=INVITED[0]).exists():
            return 0
        services.invite(staff, services.InviteInput(email=INVITED[0], full_name=INVITED[1]))
        return 1

    def _user(self, email, name, roles, password):
        user, _created = User.objects.get_or_create(email=email, defaults={"full_name": name})
        user.full_name = name
        user.set_password(password)
        user.is_active = True
        user.email_confirmed_at = user.email_confirmed_at or timezone.now()
        user.save()
        user.groups.set(Group.objects.filter(name__in=roles))
        return user
