"""WSGI entry point: `gunicorn lsp_portal.wsgi`."""

import os

from django.core.wsgi import get_wsgi_application

from lsp_portal.secret_key import require_secret_key

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lsp_portal.settings")

application = get_wsgi_application()

# Refuse to serve without a secret key (DEBUG off and none set), saying why.
require_secret_key()
