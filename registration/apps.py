from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class RegistrationConfig(AppConfig):
    name = "registration"
    verbose_name = _("Registration")

    def ready(self):
        from .permissions import grant_staff_catalogue_permissions

        post_migrate.connect(grant_staff_catalogue_permissions, sender=self)
