"""The portal's roles. Each is a Django group (created by a data migration); a person may hold
several.  Asesi: the applicant for certification. Asesor: a BNSP-registered competency assessor.
Tim Teknis: the technical team that decides certification (9.4.2). Tim Banding: the appeal team
(9.9.4). Admin LSP: the LSP's administrative staff. Direktur LSP: the LSP's director, who signs
decrees and answers appeals."""

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db import models

if TYPE_CHECKING:
    from .models import User


class Role(models.TextChoices):
    APPLICANT = "Asesi", "Asesi"
    STAFF = "Admin LSP", "Admin LSP"
    ASSESSOR = "Asesor", "Asesor"
    TECHNICAL_TEAM = "Tim Teknis", "Tim Teknis"
    APPEAL_TEAM = "Tim Banding", "Tim Banding"
    DIRECTOR = "Direktur LSP", "Direktur LSP"


def require_role(user: "User", *roles: str) -> None:
    """PermissionDenied (403) unless `user` holds one of `roles`: the services' first guard."""
    if not any(user.has_role(role) for role in roles):
        raise PermissionDenied
