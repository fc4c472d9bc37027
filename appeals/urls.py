from django.urls import path

from . import views

app_name = "appeals"

urlpatterns = [
    path("", views.appeal_list, name="list"),
    path("file/<int:decision_pk>/", views.file, name="file"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/appoint/", views.appoint, name="appoint"),
    path("<int:pk>/finding/", views.finding, name="finding"),
    path("<int:pk>/answer/", views.answer, name="answer"),
    path("<int:pk>/letter/retry/", views.retry_letter, name="retry_letter"),
    path("<int:pk>/letter.pdf", views.letter, name="letter"),
    path("<int:pk>/attachments/<int:attachment_pk>/", views.attachment, name="attachment"),
]
