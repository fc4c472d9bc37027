from django.urls import path

from . import views

app_name = "certificates"

urlpatterns = [
    path("certificates/", views.mine, name="mine"),
    path("certificates/registry/", views.registry, name="registry"),
    path("certificates/<int:pk>/", views.detail, name="detail"),
    path("certificates/<int:pk>/agree/", views.agree, name="agree"),
    path("certificates/<int:pk>/fee/", views.record_fee, name="record_fee"),
    path("certificates/<int:pk>/do/<str:name>/", views.action, name="action"),
    path("certificates/<int:pk>/<str:kind>.pdf", views.download, name="download"),
    path("verify/", views.verify, name="verify"),
    path("verify/<str:token>/", views.verify_token, name="verify_token"),
    path("verify/<str:token>.json", views.verify_json, name="verify_json"),
]
