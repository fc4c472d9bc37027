class ReadOnlyAdminMixin:
    """Records that change only through the portal's audited services: the admin may read them,
    never add, change or delete."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
