"""What the spreadsheet import commands share (import_units, import_instruments): the scheme by
its code, the staff member the import is recorded for, the file, and every problem of a refused
file printed with its row before the command fails (exit status 1)."""

from __future__ import annotations

import os
from typing import Any

from django.conf import settings
from django.core.files import File
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _

from lsp_portal.accounts.models import User
from lsp_portal.accounts.roles import Role
from lsp_portal.errors import RuleError
from registration.models import Scheme
from registration.standard import StandardImportError


class SheetImportCommand(BaseCommand):
    """`manage.py <command> SCHEME FILE.xlsx [--dry-run] [--user EMAIL]`; a subclass imports the
    opened file (`run_import`) and says what was imported or checked (`report`)."""

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

    def run_import(self, actor: User, scheme: Scheme, upload: File, *, dry_run: bool) -> Any:
        raise NotImplementedError

    def report(self, result: Any) -> str:
        raise NotImplementedError

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
                result = self.run_import(
                    actor, found, File(handle, name=os.path.basename(file)), dry_run=dry_run
                )
            except StandardImportError as error:
                for problem in error.errors:
                    self.stderr.write(str(problem))
                raise CommandError(error.message) from error
            except RuleError as error:
                raise CommandError(error.message) from error
        self.stdout.write(self.report(result))
