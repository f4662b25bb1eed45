import structlog
from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm, UserCreationForm
from django.contrib.auth.forms import PasswordResetForm as DjangoPasswordResetForm
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError

from forge.auththrottle import auth_failure_note, auth_lockout_wait, wait_phrase
from forge.clientip import client_ip
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


class SignInForm(AuthenticationForm):
    """Django's sign-in form, refusing attempts once an address or account failed too often.

    `retry_after` is the wait in seconds when the attempt was refused (0 otherwise).
    """

    error_messages = {
        **AuthenticationForm.error_messages,
        "locked_out": "Too many failed sign-in attempts. Try again %(wait)s.",
    }
    retry_after = 0

    def clean(self):
        username = self.cleaned_data.get("username")
        if username is None or not self.cleaned_data.get("password"):
            return super().clean()
        address = client_ip(self.request) if self.request is not None else ""
        wait = auth_lockout_wait(address=address, account=username)
        if wait:  # refused before the password is even checked
            self.retry_after = wait
            raise ValidationError(
                self.error_messages["locked_out"],
                code="locked_out",
                params={"wait": wait_phrase(wait)},
            )
        try:
            return super().clean()
        except ValidationError:
            if self.user_cache is None:  # a wrong password, not an inactive account
                auth_failure_note(address=address, account=username)
            raise
