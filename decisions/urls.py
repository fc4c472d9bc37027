from django.urls import path

from . import views

app_name = "decisions"

urlpatterns = [
    path("meetings/", views.meeting_list, name="meeting_list"),
    path("meetings/new/", views.meeting_new, name="meeting_new"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting_detail"),
    path("meetings/<int:pk>/open/", views.meeting_open, name="meeting_open"),
    path("meetings/<int:pk>/close/", views.meeting_close, name="meeting_close"),
    path("meetings/<int:pk>/cancel/", views.meeting_cancel, name="meeting_cancel"),
    path("meetings/<int:pk>/cases/<int:assessment_pk>/", views.case, name="case"),
    path("meetings/<int:pk>/cases/<int:assessment_pk>/decide/", views.decide, name="decide"),
    path(
        "meetings/<int:pk>/cases/<int:assessment_pk>/conflict/",
        views.declare_conflict,
        name="declare_conflict",
    ),
    path(
        "meetings/<int:pk>/cases/<int:assessment_pk>/<str:kind>.pdf",
        views.case_document,
        name="case_document",
    ),
    path("meetings/<int:pk>/minutes/sign/", views.minutes_sign, name="minutes_sign"),
    path("meetings/<int:pk>/decree/draft/", views.decree_draft, name="decree_draft"),
    path("meetings/<int:pk>/decree/sign/", views.decree_sign, name="decree_sign"),
    path("meetings/<int:pk>/<str:kind>.pdf", views.document_pdf, name="document_pdf"),
    path("meetings/<int:pk>/<str:kind>/retry/", views.retry_pdf, name="retry_pdf"),
    path("mine/<int:pk>/", views.my_decision, name="my_decision"),
]
