from django.db.models import Model
from django.http import HttpRequest


class ReadOnlyAdminMixin:
    """Records that change only through the portal's audited services: the admin may read them,
    never add, change or delete."""

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False
