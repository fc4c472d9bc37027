from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _

from assessment.instruments import services
from assessment.instruments.models import current_instrument_bank
from registration.models import Scheme


class Command(BaseCommand):
    help = (
        "Write a scheme's current instrument bank to a spreadsheet (.xlsx) in the layout "
        "import_instruments reads (only the header when the scheme has no bank yet)."
    )

    def add_arguments(self, parser):
        parser.add_argument("scheme", help="The scheme's code (e.g. mhp).")
        parser.add_argument("--output", required=True, help="The .xlsx file to write.")

    def handle(self, *args, scheme, output, **options):
        translation.activate(settings.LANGUAGE_CODE)
        found = Scheme.objects.filter(code=scheme).first()
        if found is None:
            raise CommandError(_("No scheme with the code %(code)s.") % {"code": scheme})
        bank = current_instrument_bank(found)
        # Run on the server by whoever may run manage.py: the audit records no actor.
        content = services.export_instruments(None, found, bank)
        with open(output, "wb") as handle:
            handle.write(content)
        if bank is None:
            self.stdout.write(
                _("%(code)s has no instrument bank yet: the header only, written to %(file)s.")
                % {"code": found.code, "file": output}
            )
        else:
            self.stdout.write(
                _("%(code)s: instrument bank version %(version)d written to %(file)s.")
                % {"code": found.code, "version": bank.number, "file": output}
            )
