"""Account services: sign-up puts the new user in the Asesi (applicant) group."""

from django.contrib.auth.models import Group
from django.db import transaction

from lsp_portal.audit.services import record

from .roles import Role


def register_applicant(form):
    """Create the account from a valid SignUpForm and give it the Asesi role."""
    with transaction.atomic():
        user = form.save()
        user.groups.add(Group.objects.get(name=Role.APPLICANT))
        record(user, "account.signed_up", user)
    return user
