"""Posting Django admin forms in tests: start from what the page rendered, change a few fields.

``form_data(response)`` turns the change/add page's main form and every inline formset
(management form included) into POST data, the way a browser would submit it untouched.
"""

from __future__ import annotations

from django import forms


def _field_data(form: forms.BaseForm) -> dict:
    data: dict = {}
    for bound in form:
        widget, value = bound.field.widget, bound.value()
        if bound.field.show_hidden_initial:  # a callable default: the page holds its initial
            data[bound.html_initial_name] = str(bound.field.prepare_value(bound.initial))
        if isinstance(bound.field, forms.FileField) or value is None:
            continue  # an unchanged file is simply not posted
        if isinstance(widget, forms.MultiWidget):  # split date/time
            for i, part in enumerate(widget.decompress(value)):
                data[f"{bound.html_name}_{i}"] = "" if part is None else str(part)
        elif isinstance(widget, forms.CheckboxInput):
            if value:
                data[bound.html_name] = "on"
        elif isinstance(value, list | tuple):
            data[bound.html_name] = [str(v) for v in value]
        else:
            data[bound.html_name] = str(value)
    return data


def form_data(response, **overrides) -> dict:
    context = response.context
    data = _field_data(context["adminform"].form)
    for inline in context["inline_admin_formsets"]:
        formset = inline.formset
        data.update(_field_data(formset.management_form))
        for form in formset.initial_forms:
            data.update(_field_data(form))
    data.update(overrides)
    return data


def split_datetime(name: str, moment) -> dict:
    return {f"{name}_0": moment.strftime("%Y-%m-%d"), f"{name}_1": moment.strftime("%H:%M:%S")}
