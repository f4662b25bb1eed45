"""The forms of the error group pages: transitions with a note, ignore, unmerge, environments."""

from django import forms

from errors import services
from errors.models import ErrorIgnoreCondition
from forge.exceptions import ValidationFailedError
from forge.limits import INTEGER_MAX
from forge.parsers import unsafe_text_message


class NoteForm(forms.Form):
    note = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text="Optional: what was done, or why. Kept in the activity log.",
    )

    def transition_kwargs(self) -> dict:
        return {"note": self.cleaned_data["note"]}


class UnmergeForm(NoteForm):
    """The note, and the fingerprint to split out (a hidden input the page renders itself)."""

    def __init__(self, *args, fingerprint: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fingerprint = fingerprint

    def clean(self):
        data = super().clean()
        message = unsafe_text_message(self.fingerprint)
        if message:
            self.add_error(None, f"Fingerprint: {message}")
        return data


class IgnoreForm(forms.Form):
    ignore_condition = forms.ChoiceField(
        choices=ErrorIgnoreCondition.choices,
        initial=ErrorIgnoreCondition.UNTIL_RATE,
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label="Reason",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text="Required when ignoring forever.",
    )
    ignore_until = forms.DateTimeField(
        required=False,
        label="Until (UTC)",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        help_text="For “until a date”: the group reopens by itself at this time.",
    )
    ignore_threshold = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=INTEGER_MAX,  # the column is an integer
        label="Tolerated per hour",
        help_text="For “until more than N per hour”: reopens when it occurs more often.",
    )

    def clean(self):
        data = super().clean()
        try:
            services.error_ignore_validate(
                condition=data.get("ignore_condition", ""),
                reason=data.get("note") or "",
                until=data.get("ignore_until"),
                threshold=data.get("ignore_threshold"),
            )
        except ValidationFailedError as exc:
            for name, errors in (exc.details or {}).items():
                self.add_error(name, errors)
        return data

    def transition_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "note": data["note"],
            "condition": data["ignore_condition"],
            "until": data.get("ignore_until"),
            "threshold": data.get("ignore_threshold"),
        }


class EnvironmentsForm(forms.Form):
    environments = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 40}),
        help_text="One per line. Events from these environments still count, but never "
        "reopen this group or alert.",
    )
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2, "cols": 60}))
