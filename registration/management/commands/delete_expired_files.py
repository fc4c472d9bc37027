from django.conf import settings
from django.core.management.base import BaseCommand
from django.template.defaultfilters import filesizeformat

from registration import services


class Command(BaseCommand):
    help = (
        "Delete the uploaded files of applications withdrawn, rejected or abandoned longer ago "
        "than the retention period (UPLOAD_RETENTION_DAYS; the Celery beat task runs it daily)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="List what would be deleted; change nothing."
        )

    def handle(self, *args, dry_run=False, verbosity=1, **options):
        deleted = services.delete_expired_files(dry_run=dry_run)
        verb = "would delete" if dry_run else "deleted"
        for item in deleted:
            application = item.application
            self.stdout.write(
                f"{application.reference} ({application.status}): {verb} {item.count} file(s), "
                f"{filesizeformat(item.size)}"
            )
            if verbosity > 1:
                for name in item.names:
                    self.stdout.write(f"    {name}")
        self.stdout.write(
            f"{len(deleted)} application(s), {sum(i.count for i in deleted)} file(s), "
            f"{filesizeformat(sum(i.size for i in deleted))} {verb}; retention "
            f"{settings.UPLOAD_RETENTION_DAYS} days, drafts abandoned after "
            f"{settings.DRAFT_ABANDONED_DAYS} days."
        )
