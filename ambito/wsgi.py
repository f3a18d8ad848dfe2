import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ambito.settings")
application = get_wsgi_application()

# Everything loaded so far (Django, the apps, their modules) lives as long as the
# process: kept out of the garbage collector's scans, a full collection during a
# request takes a fraction of the time (and forked workers share these pages).
gc.freeze()
