"""``{{ address|email_wrap }}``: an e-mail address that may wrap where a reader expects it, before
the "@" and after a dot, instead of in the middle of a word (a narrow card or a phone's width)."""

from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe

register = template.Library()


@register.filter
def email_wrap(address) -> str:
    if not address:
        return ""
    return mark_safe(escape(address).replace("@", "<wbr>@").replace(".", ".<wbr>"))  # escaped first
