"""WSGI entry point for gunicorn (``alliance serve``) and the development server.

Each gunicorn worker imports this module after it is forked, so what starts here runs once per
serving process. The ICD-10-CM index is warmed here, not in ``AppConfig.ready``: ``alliance
serve`` sets Django up in gunicorn's master before the workers are forked, and a thread busy
importing in the master at that moment would leave each worker a half-imported module; and
commands, the task worker and the tests would all pay for an index they do not use.
"""

import os

from django.core.wsgi import get_wsgi_application

from alliance.diagnoses import icd10

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "alliance.config.settings")
application = get_wsgi_application()
# Ready about three seconds after start (bench/icd10.py); the server does not wait for it.
icd10.warm_up()
