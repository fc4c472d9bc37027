from django.core.management.base import BaseCommand

from lsp_portal.outbox import services
from lsp_portal.outbox.models import Message


class Command(BaseCommand):
    help = "Hand the background jobs that wait (broker or worker was down) to Celery again."

    def handle(self, *args, **options):
        handed = services.sweep()
        waiting = Message.objects.pending().count()
        self.stdout.write(f"handed over: {handed}; not done yet: {waiting}")
