"""The task queue: Celery on Redis (broker and result backend) when REDIS_URL is set; without
it every task runs in-process, at once, in the caller (task_always_eager), so `make run`
needs nothing more. Loaded by portal/__init__.py, as Celery's "First steps with Django" says.

The configuration is the CELERY_* settings (portal/settings.py); the periodic schedule
below is the project's own, run by `celery -A portal beat` (`make beat`), its state file
under PORTAL_DATA_DIR. The tasks themselves are thin wrappers of the services
(portal/tasks.py, and any app's tasks.py).
"""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

app = Celery("portal", include=["portal.tasks"])
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# What the beat sends, and when (UTC). Each task is safe to run twice: the scheduled reports
# claim each period once, the purge and the orphans' check only find less to do, and the gap
# alerts are for the days ahead.
app.conf.beat_schedule = {
    # Every period that is due and not sent yet (a period missed while the worker or the
    # mail server was down is sent at the next run).
    "scheduled-reports": {
        "task": "portal.tasks.send_scheduled_reports",
        "schedule": crontab(minute="*/5"),
        "options": {"expires": 4 * 60},
    },
    "gap-alerts": {
        "task": "portal.tasks.oncall_gap_alerts",
        "schedule": crontab(hour=8, minute=0),
        "options": {"expires": 6 * 3600},
    },
    "retention-purge": {
        "task": "portal.tasks.purge_expired",
        "schedule": crontab(hour=3, minute=30),
        "options": {"expires": 12 * 3600},
    },
    # Webhook deliveries whose next try has come (a worker's restart or a flushed Redis
    # loses the queued retries; the deliveries stay pending in the database).
    "webhook-retries": {
        "task": "portal.webhooks.tasks.retry_due_webhooks",
        "schedule": crontab(minute="*"),
        "options": {"expires": 50},
    },
    "recordings-orphans": {
        "task": "portal.tasks.recordings_orphans",
        "schedule": crontab(hour=3, minute=45),
        "options": {"expires": 12 * 3600},
    },
}
