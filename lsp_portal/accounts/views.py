"""Sign-up and its e-mail confirmation, the confirmation link's resend, and the password reset
request. Each answers the same for every address (issue 12.7): what differs is in the e-mail."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.shortcuts import redirect, render
from django.utils.encoding import force_str
from django.utils.http import urlsafe_base64_decode
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from . import services
from .forms import EmailAddressForm, SignUpForm
from .models import User
from .roles import Role
from .security import account_mail_allowed
from .tokens import email_confirmation_token


def _rate_limited(request):
    """429, in the user's language: too many account e-mails asked for from this address or
    for this e-mail address (the same page whether or not an account exists)."""
    return render(
        request,
        "accounts/rate_limited.html",
        {"minutes": settings.ACCOUNT_EMAIL_LIMIT_MINUTES},
        status=429,
    )


@login_not_required
@require_http_methods(["GET", "POST"])
def signup(request):
    if request.user.is_authenticated:
        return redirect("dashboard")
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        if not account_mail_allowed(request, email):
            return _rate_limited(request)
        services.sign_up(
            services.SignUpInput(
                email=email,
                full_name=form.cleaned_data["full_name"],
                password=form.cleaned_data["password1"],
                language=get_language(),
            )
        )
        return redirect("accounts:signup_done")
    return render(request, "accounts/signup.html", {"form": form})


@login_not_required
@require_http_methods(["GET"])
def signup_done(request):
    return render(request, "accounts/signup_done.html")


def _user_from(uidb64):
    try:
        return User.objects.get(pk=force_str(urlsafe_base64_decode(uidb64)))
    except (TypeError, ValueError, OverflowError, User.DoesNotExist):
        return None


@login_not_required
@require_http_methods(["GET", "POST"])
def confirm_email(request, uidb64, token):
    """The link from the confirmation e-mail. GET shows a button (a mail scanner that opens
    links must not use up the link); POST confirms the address and logs the applicant in. A link
    works once: the token's hash includes the confirmation state."""
    user = _user_from(uidb64)
    valid = (
        user is not None
        and user.is_active
        and user.email_confirmed_at is None
        and email_confirmation_token.check_token(user, token)
    )
    if not valid:
        return render(request, "accounts/confirm_email.html", {"validlink": False})
    if request.method == "GET":
        return render(
            request, "accounts/confirm_email.html", {"validlink": True, "email": user.email}
        )
    user = services.confirm_email(user)
    if user.is_staff or user.role_names - {Role.APPLICANT}:
        # Staff and the other roles log in through the log-in page (and its second factor).
        messages.success(request, _("Your e-mail address is confirmed. You can log in now."))
        return redirect("accounts:login")
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    messages.success(request, _("Your e-mail address is confirmed. Welcome!"))
    return redirect("dashboard")


@login_not_required
@require_http_methods(["GET", "POST"])
def confirmation_resend(request):
    form = EmailAddressForm(
        request.POST or None, initial={"email": request.GET.get("email", "")[:254]}
    )
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        if not account_mail_allowed(request, email):
            return _rate_limited(request)
        services.request_confirmation_link(email, get_language())
        return redirect("accounts:confirmation_resend_done")
    return render(request, "accounts/confirmation_resend.html", {"form": form})


@login_not_required
@require_http_methods(["GET"])
def confirmation_resend_done(request):
    return render(request, "accounts/confirmation_resend_done.html")


@login_not_required
@require_http_methods(["GET", "POST"])
def password_reset(request):
    """Django's password reset, asked for: the same work and answer for any address; the
    e-mail (Django's token) is sent by an outbox job, never inside the request."""
    form = EmailAddressForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        if not account_mail_allowed(request, email):
            return _rate_limited(request)
        services.request_password_reset(email, get_language())
        return redirect("accounts:password_reset_done")
    return render(request, "accounts/password_reset_form.html", {"form": form})


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Django's, plus: a password set through the e-mailed link proves the address, so an
    account still waiting for confirmation is confirmed by it (it also takes over an account
    someone else signed up with this address: their password is gone)."""

    def form_valid(self, form):
        response = super().form_valid(form)
        services.confirm_email(form.user, via="password_reset")
        return response
