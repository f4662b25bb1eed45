import structlog
from django import forms
from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm as DjangoPasswordResetForm
from django.contrib.auth.forms import UserCreationForm
from django.contrib.auth.models import User

from forge.ratelimit import rate_limit_hit

log = structlog.get_logger("forge.accounts")


class SignUpForm(UserCreationForm):
    email = forms.EmailField(required=False, help_text="Optional; used only for password resets.")

    class Meta(UserCreationForm.Meta):
        model = User
        fields = ("username", "email")


class ApiTokenCreateForm(forms.Form):
    name = forms.CharField(max_length=100, help_text="What the token is for, e.g. “build server”.")


class PasswordResetForm(DjangoPasswordResetForm):
    """Django's reset form, sending at most FORGE_PASSWORD_RESET_LIMIT emails per address per window.

    Every request counts, for known and unknown addresses alike, and the page answers the same
    either way: nobody learns which addresses have an account, or whether the limit was hit.
    """

    def get_users(self, email):
        allowed = rate_limit_hit(
            scope="password-reset",
            ident=email.strip().casefold(),
            limit=settings.FORGE_PASSWORD_RESET_LIMIT,
            window_seconds=settings.FORGE_PASSWORD_RESET_WINDOW_SECONDS,
        )
        if not allowed:
            log.warning("password_reset_rate_limited")
            return iter(())
        return super().get_users(email)
