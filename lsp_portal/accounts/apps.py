from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "lsp_portal.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        from lsp_portal.audit import labels

        from . import role_hooks, signals  # noqa: F401 - signals connects the receivers
        from .roles import Role

        # The kernel's own roles: no registry data; only the director or a superuser grant them.
        role_hooks.register(
            role_hooks.RoleHook(
                Role.STAFF,
                "staff",
                privileged=True,
                description=_(
                    "Reviews registrations, assigns assessors, prepares meetings, manages people."
                ),
            )
        )
        role_hooks.register(
            role_hooks.RoleHook(
                Role.DIRECTOR,
                "director",
                privileged=True,
                description=_("Signs decrees, answers appeals, revokes certificates."),
            )
        )
        labels.register(
            actions={
                "account.invited": _("Invited by e-mail"),
                "account.invitation_resent": _("Invitation sent again"),
                "account.invitation_accepted": _("Password set from the invitation"),
                "account.role_granted": _("Role granted"),
                "account.role_removed": _("Role removed"),
                "account.deactivated": _("Account deactivated"),
                "account.reactivated": _("Account reactivated"),
                "account.email_confirmed": _("E-mail address confirmed"),
            }
        )
