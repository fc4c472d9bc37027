from django.apps import AppConfig
from django.core import checks
from django.utils.translation import gettext_lazy as _


class TwoFactorConfig(AppConfig):
    name = "lsp_portal.twofactor"
    label = "twofactor"
    verbose_name = _("Two-factor sign-in")

    def ready(self):
        from . import signals  # noqa: F401 - connects the receivers

        checks.register(check_role_settings)


def check_role_settings(app_configs=None, **kwargs):
    """A misspelt role in TWO_FACTOR_ROLES or STAFF_IDLE_ROLES would silently exempt that role."""
    from django.conf import settings

    from lsp_portal.accounts.roles import Role

    known = set(Role.values)
    errors = []
    for name in ("TWO_FACTOR_ROLES", "STAFF_IDLE_ROLES"):
        unknown = sorted(set(getattr(settings, name)) - known)
        if unknown:
            errors.append(
                checks.Error(
                    f"{name} names roles that do not exist: {', '.join(unknown)}",
                    hint=f"Use the group names of lsp_portal/accounts/roles.py: {sorted(known)}.",
                    id="twofactor.E001",
                )
            )
    return errors
