"""django-otp's devices in the admin site, for the superuser only: they can be seen (without their
secrets, OTP_ADMIN_HIDE_SENSITIVE_DATA) and removed - a lost phone - through the audited service;
never added or edited (a device whose secret someone else chose would defeat the second step)."""

from django.contrib import admin
from django_otp.plugins.otp_static.admin import StaticDeviceAdmin
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.admin import TOTPDeviceAdmin
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import services


class SuperuserRemovesOnly:
    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def delete_model(self, request, obj):
        services.remove_devices(request.user, [obj])

    def delete_queryset(self, request, queryset):
        services.remove_devices(request.user, queryset)


class PortalTOTPDeviceAdmin(SuperuserRemovesOnly, TOTPDeviceAdmin):
    pass


class PortalStaticDeviceAdmin(SuperuserRemovesOnly, StaticDeviceAdmin):
    pass


# django-otp registered its own admins when its plugins' admin modules were loaded (before this
# app's, INSTALLED_APPS order).
for model, model_admin in (
    (TOTPDevice, PortalTOTPDeviceAdmin),
    (StaticDevice, PortalStaticDeviceAdmin),
):
    if admin.site.is_registered(model):
        admin.site.unregister(model)
    admin.site.register(model, model_admin)
