"""What a browser would post back from an admin change page, read from the page itself, so
that a test changes only the fields it is about."""


def _field_value(bound):
    value = bound.value()
    if value is None:
        return None
    if isinstance(value, bool):
        return "on" if value else None
    if isinstance(value, (list, tuple)):
        return [str(item) for item in value]
    return value


def _form_data(form, data):
    for name in form.fields:
        value = _field_value(form[name])
        if value is not None:
            data[form.add_prefix(name)] = value


def admin_form_data(response) -> dict:
    """The change form of `response` (an admin add or change page) as the browser would send
    it unchanged: the object's fields and each inline's existing rows, no blank extra rows."""
    data = {"_save": "Save"}
    _form_data(response.context["adminform"].form, data)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        initial = len(formset.initial_forms)
        data[f"{formset.prefix}-TOTAL_FORMS"] = str(initial)
        data[f"{formset.prefix}-INITIAL_FORMS"] = str(initial)
        data[f"{formset.prefix}-MIN_NUM_FORMS"] = "0"
        data[f"{formset.prefix}-MAX_NUM_FORMS"] = "1000"
        for form in formset.initial_forms:
            _form_data(form, data)
    return data
