"""``{{ form|field_errors }}``: each visible field's errors as (field, message) pairs, in the
form's order, for the summary at the top of a refused form (web/_form_errors.html)."""

from django import template

register = template.Library()


@register.filter
def field_errors(form) -> list[tuple]:
    return [(field, error) for field in form.visible_fields() for error in field.errors]
