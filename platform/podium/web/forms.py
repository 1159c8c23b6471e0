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
