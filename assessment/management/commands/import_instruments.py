import os

from django.conf import settings
from django.core.files import File
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _

from assessment.instruments import services
from assessment.instruments.sheet import InstrumentImportError
from lsp_portal.accounts.models import User
from lsp_portal.accounts.roles import Role
from lsp_portal.errors import RuleError
from registration.models import Scheme


class Command(BaseCommand):
    help = (
        "Import a scheme's instrument bank (the FR.IA tasks and questions per unit) from a "
        "spreadsheet (.xlsx; header kode_unit, instrumen, no, teks, panduan, kuk, waktu_menit) "
        "as its next version. All or nothing: every problem is listed with its row "
        "('baris N: ...') and nothing is written; the exit status is then 1."
    )

    def add_arguments(self, parser):
        parser.add_argument("scheme", help="The scheme's code (e.g. mhp).")
        parser.add_argument("file", help="The .xlsx file.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Check the file and count; import nothing."
        )
        parser.add_argument(
            "--user",
            help="E-mail of the staff member (Admin LSP) the import is recorded for; "
            "default: the first active staff member (the one created first).",
        )

    def handle(self, *args, scheme, file, dry_run=False, user=None, **options):
        # The messages as staff read them on the page, in the portal's language.
        translation.activate(settings.LANGUAGE_CODE)
        found = Scheme.objects.filter(code=scheme).first()
        if found is None:
            raise CommandError(_("No scheme with the code %(code)s.") % {"code": scheme})
        staff = User.objects.with_role(Role.STAFF).order_by("pk")
        actor = staff.filter(email__iexact=user).first() if user else staff.first()
        if actor is None:
            raise CommandError(_("No active staff member (Admin LSP) found."))
        self.stdout.write(_("Acting as %(email)s (Admin LSP).") % {"email": actor.email})
        if not os.path.isfile(file):
            raise CommandError(_("No such file: %(file)s") % {"file": file})
        with open(file, "rb") as handle:
            try:
                result = services.import_instruments(
                    actor, found, File(handle, name=os.path.basename(file)), dry_run=dry_run
                )
            except InstrumentImportError as error:
                for problem in error.errors:
                    self.stderr.write(str(problem))
                raise CommandError(error.message) from error
            except RuleError as error:
                raise CommandError(error.message) from error
        counts = {"units": result.units, "items": result.items}
        if result.bank is None:
            self.stdout.write(
                _(
                    "The file is correct: %(items)d items for %(units)d units. Nothing was "
                    "imported (check only)."
                )
                % counts
            )
        else:
            self.stdout.write(
                self.style.SUCCESS(
                    _(
                        "Instrument bank version %(version)d imported: %(items)d items for "
                        "%(units)d units."
                    )
                    % {"version": result.bank.number, **counts}
                )
            )
