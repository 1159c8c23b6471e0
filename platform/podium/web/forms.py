from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm

from podium.accounts.guards import sign_in
from podium.accounts.signup import signup_check_pending
from podium.core.addresses import client_address
from podium.core.limits import Limited


class _LimitedSignIn:
    """Django's sign-in form, with the accounts' guessing limits (``accounts.guards.sign_in``):
    past them the form says so (and ``limited`` holds the refusal, for a 429)."""

    limited: Limited | None = None

    def clean(self):
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if username is not None and password:
            try:
                self.user_cache = sign_in(
                    request=self.request,
                    username=username,
                    password=password,
                    address=client_address(self.request),
                )
            except Limited as exc:
                self.limited = exc
                raise forms.ValidationError(exc.message, code="throttled") from None
            if self.user_cache is None:
                raise self.get_invalid_login_error()
            self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data


class _PendingSignupAware:
    """Right credentials of a sign-up whose address is not verified yet: say so (and where the
    link went) instead of "wrong password"; ``pending`` holds the sign-up, for a resend link."""

    pending = None

    def get_invalid_login_error(self):
        self.pending = signup_check_pending(
            username=self.cleaned_data.get("username") or "",
            password=self.cleaned_data.get("password") or "",
        )
        if self.pending is None:
            return super().get_invalid_login_error()
        return forms.ValidationError(
            f"Confirm your address first: we sent a link to {self.pending.email} when you "
            "signed up. Open it to finish signing up; until then this account cannot sign in.",
            code="signup_unconfirmed",
        )


class LoginForm(_PendingSignupAware, _LimitedSignIn, AuthenticationForm):
    pass


class SignupConfirmForm(forms.Form):
    password = forms.CharField(
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "autofocus": True}),
    )


class SignupResendForm(forms.Form):
    username = forms.CharField(
        max_length=150, widget=forms.TextInput(attrs={"autocomplete": "username"})
    )
    password = forms.CharField(
        strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )


class AdminLoginForm(_LimitedSignIn, AdminAuthenticationForm):
    pass


class SubmissionForm(forms.Form):
    file = forms.FileField(
        label="Prediction file",
        help_text="A CSV with the header of the sample submission; .csv.gz and .zip work too.",
    )
    description = forms.CharField(
        max_length=500,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "What did you try? (optional)"}),
    )


class EmailVerificationForm(forms.Form):
    # A plain text field: the service checks the address, with its own message.
    email = forms.CharField(
        max_length=254,
        widget=forms.TextInput(attrs={"placeholder": "ada@example.com", "autocomplete": "email"}),
    )


class SignupForm(forms.Form):
    """Sign-up fields; the rules (domains, taken names, weak passwords) are the service's."""

    username = forms.CharField(
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}),
    )
    email = forms.CharField(
        max_length=254,
        label="Email address",
        widget=forms.EmailInput(attrs={"autocomplete": "email", "placeholder": "ada@example.com"}),
    )
    password = forms.CharField(
        strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    password_again = forms.CharField(
        strip=False,
        label="Password, again",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        data = super().clean()
        if data.get("password") and data.get("password") != data.get("password_again"):
            self.add_error("password_again", "The two passwords differ: type the same one twice.")
        return data


class TokenForm(forms.Form):
    name = forms.CharField(
        max_length=100,
        required=False,
        label="Token name",
        widget=forms.TextInput(attrs={"placeholder": "e.g. laptop (optional)"}),
    )


class KernelLaunchForm(forms.Form):
    """A kernel to launch: a bundled baseline (its config as is, or edited) or a script. Which
    one, and whether this user may launch at all, is the service's to say."""

    title = forms.CharField(
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "e.g. MLP baseline (optional)"}),
    )
    baseline = forms.ChoiceField(required=False, choices=())
    config = forms.CharField(
        max_length=100_000,
        required=False,
        strip=False,
        label="Config (YAML)",
        widget=forms.Textarea(attrs={"rows": 10, "spellcheck": "false"}),
        help_text="Empty: the baseline's bundled config.",
    )
    script = forms.FileField(
        required=False,
        label="Or a Python script",
        help_text="It reads input/ (the public data) and writes output/submission.csv.",
    )
    publish = forms.BooleanField(
        required=False,
        label="Publish it: participants may see it and download its files",
    )

    def __init__(self, *args, baselines: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["baseline"].choices = [("", "— choose a baseline —")] + [
            (name, name) for name in baselines
        ]
