from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpsConfig(AppConfig):
    """Operations tooling (backup and restore commands); no models."""

    name = "lsp_portal.ops"
    label = "ops"
    verbose_name = _("Operations")

    def ready(self):
        from django.core import checks

        from lsp_portal.secret_key import check_secret_key

        checks.register(check_secret_key, checks.Tags.security, deploy=True)
