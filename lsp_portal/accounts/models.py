from typing import Any, ClassVar

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from .roles import Role


def roles_cache_key(user_id: int) -> str:
    return f"user-roles:v1:{user_id}"


def normalise_email(email: str | None) -> str:
    """An e-mail address as accounts are stored and looked up: no spaces around, lower case."""
    return BaseUserManager.normalize_email((email or "").strip()).lower()


class UserManager(BaseUserManager["User"]):
    """Users log in with their e-mail address; it is unique regardless of case."""

    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra_fields: Any) -> "User":
        if not email:
            raise ValueError("An e-mail address is required.")
        email = normalise_email(email)
        # An account made by a command, by staff or by a test is confirmed: whoever made it
        # vouches for the address. Only self sign-up (services.sign_up) starts unconfirmed.
        extra_fields.setdefault("email_confirmed_at", timezone.now())
        user = self.model(email=email, **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra_fields: Any) -> "User":
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(
        self, email: str, password: str | None = None, **extra_fields: Any
    ) -> "User":
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)

    def with_role(self, role: str) -> "models.QuerySet[User]":
        return self.filter(groups__name=role, is_active=True)

    def get_by_natural_key(self, email: str | None) -> "User":
        return self.get(email__iexact=email)


class User(AbstractUser):
    # Signed in by e-mail address; one full name (Indonesian names need not have a family name).
    username = None  # type: ignore[assignment]
    first_name = None  # type: ignore[assignment]
    last_name = None  # type: ignore[assignment]
    email = models.EmailField(_("e-mail address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=150)
    # Set when the owner of the address opened the confirmation link (or reset the password by
    # e-mail); None: signed up, not yet confirmed - the account cannot log in.
    email_confirmed_at = models.DateTimeField(
        _("e-mail address confirmed at"), null=True, blank=True
    )

    objects: ClassVar[UserManager] = UserManager()  # type: ignore[assignment]

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["full_name", "email"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="accounts_user_email_ci_unique")
        ]

    def __str__(self) -> str:
        return self.full_name or self.email

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email

    @cached_property
    def role_names(self) -> frozenset[str]:
        """The names of the user's groups, kept in the cache between requests (every page asks
        for them); a change of the user's groups forgets them (signals.py)."""
        from django.core.cache import cache

        if self.pk is None:
            return frozenset()
        from django.conf import settings

        names: list[str] | None = cache.get_or_set(
            roles_cache_key(self.pk),
            lambda: list(self.groups.values_list("name", flat=True)),
            settings.ROLE_CACHE_SECONDS,
        )
        return frozenset(names or ())

    def has_role(self, role: str) -> bool:
        return self.is_active and role in self.role_names

    @property
    def is_applicant(self) -> bool:
        return self.has_role(Role.APPLICANT)
