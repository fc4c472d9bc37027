"""Admin-site permissions for the Admin LSP group: staff maintain schemes and their parts in the
admin. Granted after every migrate, because Django creates model permissions after migrations
run."""

from django.contrib.auth.models import Group, Permission

from lsp_portal.accounts.roles import Role

CATALOGUE_MODELS = (
    "scheme",
    "unit",
    "requiredcourse",
    "experiencefield",
    "requireddocument",
    "schemeclause",
)


def grant_staff_catalogue_permissions(sender=None, **kwargs):
    group = Group.objects.filter(name=Role.STAFF).first()
    if group is None:
        return
    permissions = Permission.objects.filter(
        content_type__app_label="registration", content_type__model__in=CATALOGUE_MODELS
    )
    group.permissions.add(*permissions)
    group.permissions.add(
        *Permission.objects.filter(content_type__app_label="audit", codename="view_auditevent")
    )
    # The competency standard: read in the admin; written only by an import (issue 15).
    group.permissions.add(
        *Permission.objects.filter(
            content_type__app_label="registration",
            codename__in=("view_standardversion", "view_element", "view_kuk"),
        )
    )
