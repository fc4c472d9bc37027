from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from . import people_views, views
from .forms import EmailAuthenticationForm

app_name = "accounts"

urlpatterns = [
    path("signup/", views.signup, name="signup"),
    path("signup/sent/", views.signup_done, name="signup_done"),
    path("confirm/<uidb64>/<token>/", views.confirm_email, name="confirm_email"),
    path("confirmation/resend/", views.confirmation_resend, name="confirmation_resend"),
    path(
        "confirmation/resend/sent/", views.confirmation_resend_done, name="confirmation_resend_done"
    ),
    path(
        "login/",
        auth_views.LoginView.as_view(
            template_name="accounts/login.html",
            authentication_form=EmailAuthenticationForm,
            redirect_authenticated_user=True,
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "invitation/<uidb64>/<token>/",
        people_views.InvitationView.as_view(),
        name="invitation",
    ),
    # The people pages (staff and the director): people_views.py.
    path("people/", people_views.people, name="people"),
    path("people/invite/", people_views.person_invite, name="person_invite"),
    path("people/<int:pk>/", people_views.person_detail, name="person_detail"),
    path(
        "people/<int:pk>/roles/<slug:role>/grant/",
        people_views.person_grant,
        name="person_grant",
    ),
    path(
        "people/<int:pk>/roles/<slug:role>/remove/",
        people_views.person_remove_role,
        name="person_remove_role",
    ),
    path("people/<int:pk>/deactivate/", people_views.person_deactivate, name="person_deactivate"),
    path("people/<int:pk>/reactivate/", people_views.person_reactivate, name="person_reactivate"),
    path(
        "people/<int:pk>/invitation/",
        people_views.person_resend_invitation,
        name="person_resend_invitation",
    ),
    path("password-reset/", views.password_reset, name="password_reset"),
    path(
        "password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html"),
        name="password_reset_done",
    ),
    path(
        "reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(
            template_name="accounts/password_reset_confirm.html",
            success_url=reverse_lazy("accounts:password_reset_complete"),
        ),
        name="password_reset_confirm",
    ),
    path(
        "reset/done/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name="accounts/password_reset_complete.html"
        ),
        name="password_reset_complete",
    ),
    path(
        "password-change/",
        auth_views.PasswordChangeView.as_view(
            template_name="accounts/password_change_form.html",
            success_url=reverse_lazy("accounts:password_change_done"),
        ),
        name="password_change",
    ),
    path(
        "password-change/done/",
        auth_views.PasswordChangeDoneView.as_view(
            template_name="accounts/password_change_done.html"
        ),
        name="password_change_done",
    ),
]
