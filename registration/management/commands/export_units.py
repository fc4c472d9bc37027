from django.core.management.base import BaseCommand, CommandError

from registration import services
from registration.models import Scheme


class Command(BaseCommand):
    help = (
        "Write a scheme's current competency standard (units, elements, KUK) to a spreadsheet "
        "(.xlsx) in the layout import_units reads; a unit without elements gets a row with its "
        "code and title only, to fill in."
    )

    def add_arguments(self, parser):
        parser.add_argument("scheme", help="The scheme's code (e.g. mhp).")
        parser.add_argument("file", help="The .xlsx file to write.")

    def handle(self, *args, scheme, file, **options):
        found = Scheme.objects.filter(code=scheme).first()
        if found is None:
            raise CommandError(f"No scheme with the code {scheme!r}.")
        version = found.current_standard()
        content = services.export_units(found, version)
        with open(file, "wb") as handle:
            handle.write(content)
        what = f"version {version.number}" if version is not None else "no version yet"
        self.stdout.write(f"{found.code}: {what}, {len(content)} bytes written to {file}.")
