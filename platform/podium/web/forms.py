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
