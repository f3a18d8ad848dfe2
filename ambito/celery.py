"""The Celery application of Zonale: reports and e-mail off the request.

Configured from Django's settings (the `CELERY_` names in ambito/settings.py); each app
keeps its thin tasks in its own `tasks.py`, found by `autodiscover_tasks()`. Without
REDIS_URL the tasks run inline (eager), so `make run` needs nothing but SQLite.
Start a worker with `celery -A ambito worker`, the scheduler with `celery -A ambito beat`.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ambito.settings")

app = Celery("zonale")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
