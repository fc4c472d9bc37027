"""The Celery app. Broker from REDIS_URL; without it, tasks run in-process (settings.py)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lsp_portal.settings")

# Every task claims its outbox job before it runs (lsp_portal/outbox/task.py).
app = Celery("lsp_portal", task_cls="lsp_portal.outbox.task:OutboxTask")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
