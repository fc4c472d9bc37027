"""Settings of the test suite (pyproject.toml: DJANGO_SETTINGS_MODULE): the portal's own, in
development mode. DEBUG is off unless the environment sets it (lsp_portal/settings.py); the suite
sets DEBUG=1 before the settings are read, so that it runs the same however it is started (make
test, pytest on one file, CI). The processes the tests start inherit it; those that check
production behaviour pass DEBUG=0 and a SECRET_KEY themselves."""

import os

os.environ.setdefault("DEBUG", "1")

from lsp_portal.settings import *  # noqa: E402, F403
