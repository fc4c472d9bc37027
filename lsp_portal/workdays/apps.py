from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def grant_staff_permissions(sender: AppConfig | None = None, **kwargs: Any) -> None:
    """Admin LSP keeps the LSP's closure days in the admin."""
    from django.contrib.auth.models import Group, Permission

    from lsp_portal.accounts.roles import Role

    group = Group.objects.filter(name=Role.STAFF).first()
    if group is not None:
        group.permissions.add(
            *Permission.objects.filter(
                content_type__app_label="workdays", content_type__model="closureday"
            )
        )


class WorkdaysConfig(AppConfig):
    """Working days and the LSP's closure days (kernel: used by any stage)."""

    name = "lsp_portal.workdays"
    label = "workdays"
    verbose_name = _("Working days")

    def ready(self) -> None:
        post_migrate.connect(grant_staff_permissions, sender=self)
