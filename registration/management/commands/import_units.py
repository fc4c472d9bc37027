from django.utils.translation import gettext as _

from registration import services
from registration.management.sheet_import import SheetImportCommand


class Command(SheetImportCommand):
    help = (
        "Import the elements and KUK of a scheme's units from a spreadsheet (.xlsx; header "
        "kode_unit, judul_unit, no_elemen, elemen, no_kuk, kuk) as the scheme's next standard "
        "version. All or nothing: every problem is listed with its row ('baris N: ...') and "
        "nothing is written; the exit status is then 1."
    )

    def run_import(self, actor, scheme, upload, *, dry_run):
        return services.import_units(actor, scheme, upload, dry_run=dry_run)

    def report(self, result):
        counts = {"units": result.units, "elements": result.elements, "kuks": result.kuks}
        if result.version is None:
            return (
                _(
                    "The file is correct: %(units)d units, %(elements)d elements, %(kuks)d KUK. "
                    "Nothing was imported (check only)."
                )
                % counts
            )
        return self.style.SUCCESS(
            _("Version %(version)d imported: %(units)d units, %(elements)d elements, %(kuks)d KUK.")
            % {"version": result.version.number, **counts}
        )
