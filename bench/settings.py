"""Settings of the web benchmark (bench/web.py): the portal's own, plus the bare "ceiling" view
that measures what Django itself costs on this machine."""

from lsp_portal.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
