"""One user model for citizens and agents, with the e-mail address as login."""

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra)

    def get_by_natural_key(self, email):
        return self.get(email__iexact=email)


class User(AbstractBaseUser, PermissionsMixin):
    """A person: a citizen, or an agent when ``is_staff`` (back-office access)."""

    email = models.EmailField(_("e-mail address"), unique=True)
    first_name = models.CharField(_("first name"), max_length=150, blank=True)
    last_name = models.CharField(_("last name"), max_length=150, blank=True)
    is_staff = models.BooleanField(
        _("agent"), default=False, help_text=_("Agents can sign in to the back office.")
    )
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)
    language = models.CharField(_("language"), max_length=10, blank=True)
    time_zone = models.CharField(_("time zone"), max_length=64, blank=True)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["first_name", "last_name"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.get_full_name() or self.email

    def get_full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def get_short_name(self) -> str:
        return self.first_name or self.email


class Workgroup(models.Model):
    """A team of agents ("Town hall, 11th district", "Family services") that scopes objects.

    An object tied to a workgroup (see `lutetia.accounts.workgroups`) is seen and processed only
    by agents of that workgroup; site administrators see every workgroup's objects.
    """

    name = models.CharField(_("name"), max_length=150, unique=True)
    code = models.SlugField(
        _("code"),
        max_length=64,
        unique=True,
        help_text=_("A short, stable identifier used in exports and configuration."),
    )
    description = models.TextField(_("description"), blank=True)
    members = models.ManyToManyField(
        User,
        verbose_name=_("members"),
        related_name="workgroups",
        blank=True,
        limit_choices_to={"is_staff": True},
        help_text=_("Agents of this workgroup."),
    )

    class Meta:
        verbose_name = _("workgroup")
        verbose_name_plural = _("workgroups")
        ordering = ["name"]
        permissions = [
            ("see_all_workgroups", _("Can see and process the objects of every workgroup")),
        ]

    def __str__(self) -> str:
        return self.name
