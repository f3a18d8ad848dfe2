import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ambito.settings")
application = get_wsgi_application()

# Everything loaded so far (Django, the apps, their modules) lives as long as the
# process: kept out of the garbage collector's scans, a full collection during a
# request takes a fraction of the time (and forked workers share these pages).
gc.freeze()
# A young collection every 50.000 allocations instead of 700: a response of thousands
# of rows (the progress of 200 Ambiti, 6.000 indicators unpickled from the cache) was
# scanned again and again while it was being built, and its time grew faster than its
# rows (70 ms for 50 Ambiti, 470 ms for 200 with the defaults; 73 and 286 ms with these).
gc.set_threshold(50_000, 20, 20)
