"""E-mail addresses wrap before "@" and after dots, and stay escaped (issue 18)."""

from patron.web.templatetags.wrapping import email_wrap


def test_an_address_may_wrap_before_the_at_sign_and_after_dots():
    assert email_wrap("anna.schmidt@example.com") == "anna.<wbr>schmidt<wbr>@example.<wbr>com"


def test_the_address_is_escaped_before_the_breaks_go_in():
    assert email_wrap('<script>"x"@a.b') == "&lt;script&gt;&quot;x&quot;<wbr>@a.<wbr>b"
    assert email_wrap("") == "" and email_wrap(None) == ""
