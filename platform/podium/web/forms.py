from django import forms


class SubmissionForm(forms.Form):
    file = forms.FileField(
        label="Prediction file",
        help_text="A CSV with the header of the sample submission; .csv.gz and .zip work too.",
    )
    description = forms.CharField(
        max_length=500, required=False,
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
        max_length=254, label="Email address",
        widget=forms.EmailInput(attrs={"autocomplete": "email", "placeholder": "ada@example.com"}),
    )
    password = forms.CharField(
        strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    password_again = forms.CharField(
        strip=False, label="Password, again",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        data = super().clean()
        if data.get("password") and data.get("password") != data.get("password_again"):
            self.add_error("password_again", "The two passwords differ: type the same one twice.")
        return data


class TokenForm(forms.Form):
    name = forms.CharField(
        max_length=100, required=False, label="Token name",
        widget=forms.TextInput(attrs={"placeholder": "e.g. laptop (optional)"}),
    )
