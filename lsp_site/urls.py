from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language

from lsp_portal import views as kernel_views
from registration import views as registration_views

admin.site.site_header = "LSP Portal"
admin.site.site_title = "LSP Portal"

urlpatterns = [
    path("", registration_views.home, name="home"),
    path("favicon.ico", kernel_views.favicon, name="favicon"),
    path("dashboard/", registration_views.dashboard, name="dashboard"),
    path("accounts/two-factor/", include("lsp_portal.twofactor.urls")),
    path("accounts/", include("lsp_portal.accounts.urls")),
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("admin/", admin.site.urls),
    path("assessment/", include("assessment.urls")),
    path("decisions/", include("decisions.urls")),
    path("appeals/", include("appeals.urls")),
    path("", include("certificates.urls")),
    path("", include("registration.urls")),
]
