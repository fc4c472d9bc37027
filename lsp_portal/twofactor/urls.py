from django.urls import path

from . import views

app_name = "twofactor"

urlpatterns = [
    path("verify/", views.verify, name="verify"),
    path("setup/", views.setup, name="setup"),
    path("recovery-codes/", views.recovery_codes, name="recovery_codes"),
    path("recovery-codes/new/", views.regenerate, name="regenerate"),
    path("off/", views.disable, name="disable"),
    path("", views.security, name="security"),
]
