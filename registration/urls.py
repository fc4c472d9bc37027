from django.urls import path

from . import views

app_name = "registration"

urlpatterns = [
    path("schemes/<slug:code>/", views.scheme_detail, name="scheme_detail"),
    path("schemes/<slug:code>/apply/", views.application_start, name="application_start"),
    path("schemes/<slug:code>/standard/", views.scheme_standard, name="scheme_standard"),
    path(
        "schemes/<slug:code>/standard/units/<int:unit_pk>/",
        views.scheme_standard_unit,
        name="scheme_standard_unit",
    ),
    path(
        "schemes/<slug:code>/standard.xlsx",
        views.scheme_standard_export,
        name="scheme_standard_export",
    ),
    path("applications/<int:pk>/", views.application_detail, name="application_detail"),
    path(
        "applications/<int:pk>/personal/", views.application_personal, name="application_personal"
    ),
    path(
        "applications/<int:pk>/experience/",
        views.application_experience,
        name="application_experience",
    ),
    path(
        "applications/<int:pk>/experience/<int:experience_pk>/delete/",
        views.experience_delete,
        name="experience_delete",
    ),
    path(
        "applications/<int:pk>/documents/",
        views.application_documents,
        name="application_documents",
    ),
    path(
        "applications/<int:pk>/documents/<int:document_pk>/delete/",
        views.document_delete,
        name="document_delete",
    ),
    path(
        "applications/<int:pk>/self-assessment/",
        views.application_self_assessment,
        name="application_self_assessment",
    ),
    path("applications/<int:pk>/submit/", views.application_submit, name="application_submit"),
    path(
        "applications/<int:pk>/withdraw/", views.application_withdraw, name="application_withdraw"
    ),
    path("documents/<int:pk>/", views.document_file, name="document_file"),
    path("review/", views.review_queue, name="review_queue"),
    path("review/<int:pk>/", views.review_detail, name="review_detail"),
    path("review/<int:pk>/decide/", views.review_decide, name="review_decide"),
]
