from celery import shared_task

from . import services


@shared_task(soft_time_limit=50, time_limit=60)
def outbox_sweep():
    """Every minute (celery beat): hand over again the jobs that wait."""
    return services.sweep()
