from django.urls import path

from . import views
from .instruments import recording
from .instruments import views as instrument_views
from .schedules import views as schedule_views

app_name = "assessment"

urlpatterns = [
    path("", views.staff_overview, name="staff_overview"),
    path("cases/", views.assessor_cases, name="assessor_cases"),
    path("assign/<int:application_pk>/", views.assign, name="assign"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/reassign/", views.reassign, name="reassign"),
    path("<int:pk>/impartiality/", views.declare_impartiality, name="declare_impartiality"),
    path("<int:pk>/plan/", views.plan, name="plan"),
    path("<int:pk>/agree/", views.agree, name="agree"),
    path("<int:pk>/plan/<str:kind>.pdf", views.plan_document, name="plan_document"),
    path("<int:pk>/adjustment/", views.adjustment, name="adjustment"),
    path("<int:pk>/evidence/", views.evidence, name="evidence"),
    path("<int:pk>/results/", views.results, name="results"),
    path("<int:pk>/units/<int:unit_pk>/ia01/", views.observation, name="observation"),
    path(
        "<int:pk>/units/<int:unit_pk>/instruments/",
        recording.instruments,
        name="instruments",
    ),
    path("<int:pk>/submit/", views.submit, name="submit"),
    path("<int:pk>/sign/", views.sign, name="sign"),
    path("<int:pk>/decline/", views.decline, name="decline"),
    path("<int:pk>/feedback/", views.feedback, name="feedback"),
    path("<int:pk>/process-review/", views.process_review, name="process_review"),
    path("<int:pk>/ak02.pdf", views.record_pdf, name="record_pdf"),
    path("<int:pk>/pdf/<slug:kind>/retry/", views.retry_pdf, name="retry_pdf"),
    path("<int:pk>/ak05.pdf", views.report_pdf, name="report_pdf"),
    path("<int:pk>/ak06.pdf", views.review_pdf, name="review_pdf"),
    path("schedules/", schedule_views.schedule_list, name="schedule_list"),
    path("schedules/new/", schedule_views.schedule_new, name="schedule_new"),
    path("schedules/open/", schedule_views.schedules_open, name="schedules_open"),
    path("schedules/<int:pk>/", schedule_views.schedule_detail, name="schedule_detail"),
    path("schedules/<int:pk>/edit/", schedule_views.schedule_edit, name="schedule_edit"),
    path("schedules/<int:pk>/place/", schedule_views.schedule_place, name="schedule_place"),
    path("schedules/<int:pk>/cancel/", schedule_views.schedule_cancel, name="schedule_cancel"),
    path("schedules/<int:pk>/join/", schedule_views.schedule_join, name="schedule_join"),
    path("instruments/<slug:code>/", instrument_views.instrument_bank, name="instrument_bank"),
    path(
        "instruments/<slug:code>/units/<int:unit_pk>/",
        instrument_views.instrument_bank_unit,
        name="instrument_bank_unit",
    ),
    path(
        "instruments/<slug:code>/export/",
        instrument_views.instrument_bank_export,
        name="instrument_bank_export",
    ),
]
