from django.apps import AppConfig


class SiteConfig(AppConfig):
    """The layer above the stages: URLs, demo data and benchmark tooling; no models."""

    name = "lsp_site"
