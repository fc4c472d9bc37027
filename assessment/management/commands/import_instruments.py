from django.utils.translation import gettext as _

from assessment.instruments import services
from registration.management.sheet_import import SheetImportCommand


class Command(SheetImportCommand):
    help = (
        "Import a scheme's instrument bank (the FR.IA tasks and questions per unit) from a "
        "spreadsheet (.xlsx; header kode_unit, instrumen, no, teks, panduan, kuk, waktu_menit) "
        "as its next version. All or nothing: every problem is listed with its row "
        "('baris N: ...') and nothing is written; the exit status is then 1."
    )

    def run_import(self, actor, scheme, upload, *, dry_run):
        return services.import_instruments(actor, scheme, upload, dry_run=dry_run)

    def report(self, result):
        counts = {"units": result.units, "items": result.items}
        if result.bank is None:
            return (
                _(
                    "The file is correct: %(items)d items for %(units)d units. Nothing was "
                    "imported (check only)."
                )
                % counts
            )
        return self.style.SUCCESS(
            _("Instrument bank version %(version)d imported: %(items)d items for %(units)d units.")
            % {"version": result.bank.number, **counts}
        )
