"""The people pages (issue 13.7): staff list, invite and manage the people of the portal - their
roles with each role's registry data (role_hooks.py), deactivation - and the invited person's
link to set a password. The views are thin: every change is a function of services.py, which
checks the permission again."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.contrib.auth.views import INTERNAL_RESET_SESSION_TOKEN
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from lsp_portal.audit.services import events_for
from lsp_portal.errors import RuleError

from . import role_hooks, services
from .forms import DeactivateForm, InviteForm, PeopleFilterForm
from .models import User
from .tokens import invitation_token


def people_manager_required(view):
    """Admin LSP, the director or a superuser; 403 for everyone else (login is global)."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not services.can_manage_people(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


@require_GET
@people_manager_required
def people(request):
    form = PeopleFilterForm(request.GET or None)
    people = User.objects.prefetch_related("groups").order_by("full_name", "email")
    if form.is_valid():
        q = form.cleaned_data["q"].strip()
        if q:
            people = people.filter(Q(full_name__icontains=q) | Q(email__icontains=q))
        role = form.cleaned_data["role"]
        if role == "none":
            people = people.filter(groups__isnull=True)
        elif role:
            people = people.filter(groups__name=role)
        status = form.cleaned_data["status"]
        if status == "active":
            people = people.filter(is_active=True)
        elif status == "inactive":
            people = people.filter(is_active=False)
        elif status == "invited":
            people = people.filter(is_active=True, password__startswith=UNUSABLE_PASSWORD_PREFIX)
    page = Paginator(people, 25).get_page(request.GET.get("page"))
    return render(request, "accounts/people_list.html", {"form": form, "page": page})


@require_http_methods(["GET", "POST"])
@people_manager_required
def person_invite(request):
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            person = services.invite(
                request.user,
                services.InviteInput(
                    email=form.cleaned_data["email"], full_name=form.cleaned_data["full_name"]
                ),
            )
        except RuleError as error:
            form.add_error("email", error.message)
        else:
            messages.success(
                request,
                _("The invitation was sent to %(email)s. Grant the roles below.")
                % {"email": person.email},
            )
            return redirect("accounts:person_detail", person.pk)
    return render(request, "accounts/person_invite.html", {"form": form})


def _person_page(request, person, *, bound=None):
    """The person page; `bound`: a role form that failed, shown with its errors."""
    held = set(person.groups.values_list("name", flat=True))
    may_privileged = services.can_manage_privileged(request.user)
    roles = []
    for hook in role_hooks.managed():
        allowed = may_privileged or not hook.privileged
        is_held = hook.role in held
        form = None
        if not is_held and allowed and hook.form_class is not None:
            if bound is not None and bound.prefix == hook.slug:
                form = bound
            else:
                form = hook.form_class(person=person, prefix=hook.slug)
        roles.append(
            {
                "hook": hook,
                "held": is_held,
                "allowed": allowed,
                "form": form,
                "registry": hook.registry(person) if hook.registry else [],
                "in_use": hook.in_use(person) if is_held and hook.in_use else "",
                "self_locked": hook.privileged and person.pk == request.user.pk,
            }
        )
    managed = {hook.role for hook in role_hooks.managed()}
    is_self = person.pk == request.user.pk
    privileged_person = person.is_superuser or bool(held & services.PRIVILEGED)
    return render(
        request,
        "accounts/person_detail.html",
        {
            "person": person,
            "roles": roles,
            "other_roles": sorted(held - managed),
            "invitation_pending": not person.has_usable_password(),
            "may_switch": not is_self
            and (may_privileged or not privileged_person)
            and (request.user.is_superuser or not person.is_superuser),
            "is_self": is_self,
            "deactivate_form": DeactivateForm(),
            "events": events_for(person),
        },
    )


def _person(pk):
    return get_object_or_404(User, pk=pk)


def _hook(slug):
    hook = role_hooks.for_slug(slug)
    if hook is None:
        raise Http404
    return hook


@require_GET
@people_manager_required
def person_detail(request, pk):
    return _person_page(request, _person(pk))


@require_POST
@people_manager_required
def person_grant(request, pk, role):
    person, hook = _person(pk), _hook(role)
    if hook.privileged and not services.can_manage_privileged(request.user):
        raise PermissionDenied
    form = None
    if hook.form_class is not None:
        form = hook.form_class(request.POST, person=person, prefix=hook.slug)
        if not form.is_valid():
            messages.error(
                request,
                _("The role %(role)s was not granted: check its data below.") % {"role": hook.role},
            )
            return _person_page(request, person, bound=form)
    try:
        services.grant_role(request.user, person, hook.role, form.to_input() if form else None)
    except RuleError as error:
        messages.error(request, error.message)
        if form is not None:
            return _person_page(request, person, bound=form)
    else:
        messages.success(
            request,
            _("%(name)s now holds the role %(role)s and was told by e-mail.")
            % {"name": person, "role": hook.role},
        )
    return redirect("accounts:person_detail", person.pk)


@require_POST
@people_manager_required
def person_remove_role(request, pk, role):
    person, hook = _person(pk), _hook(role)
    try:
        services.remove_role(request.user, person, hook.role)
    except RuleError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("The role %(role)s of %(name)s was removed; they were told by e-mail.")
            % {"name": person, "role": hook.role},
        )
    return redirect("accounts:person_detail", person.pk)


@require_POST
@people_manager_required
def person_deactivate(request, pk):
    person = _person(pk)
    form = DeactivateForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        services.deactivate(request.user, person, reason=reason)
    except RuleError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, _("%(name)s is deactivated and can no longer log in.") % {"name": person}
        )
    return redirect("accounts:person_detail", person.pk)


@require_POST
@people_manager_required
def person_reactivate(request, pk):
    person = _person(pk)
    try:
        services.reactivate(request.user, person)
    except RuleError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("%(name)s can log in again.") % {"name": person})
    return redirect("accounts:person_detail", person.pk)


@require_POST
@people_manager_required
def person_resend_invitation(request, pk):
    person = _person(pk)
    try:
        services.resend_invitation(request.user, person)
    except RuleError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("A new invitation was sent to %(email)s; the links sent before no longer work.")
            % {"email": person.email},
        )
    return redirect("accounts:person_detail", person.pk)


class InvitationView(auth_views.PasswordResetConfirmView):
    """The link of the invitation e-mail: Django's password-reset confirmation (the token in the
    session, then the set-password form with Django's validators), with the invitation's token
    and only for an account that has no password yet. The password is set by
    services.accept_invitation; the person then logs in (and, for staff, sets up the second
    factor)."""

    token_generator = invitation_token
    template_name = "accounts/invitation_accept.html"
    success_url = reverse_lazy("accounts:login")

    def get_user(self, uidb64):
        user = super().get_user(uidb64)
        if user is None or user.has_usable_password() or not user.is_active:
            return None
        return user

    def form_valid(self, form):
        try:
            services.accept_invitation(form.user, form.cleaned_data["new_password1"])
        except RuleError as error:
            form.add_error(None, error.message)
            return self.form_invalid(form)
        del self.request.session[INTERNAL_RESET_SESSION_TOKEN]
        messages.success(self.request, _("Your password is set. Log in with your e-mail address."))
        return HttpResponseRedirect(self.get_success_url())
