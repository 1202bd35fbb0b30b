"""The XLSX sheet writer's cells: what a text needs, and the one-scan check that lets most rows skip it."""

from datetime import UTC, date, datetime
from decimal import Decimal
from itertools import product
from uuid import UUID

import pytest

from patron.transfer import xlsx

TRICKY = ["", "Anna", "New York", " lead", "trail ", "a\tb", "line\nbreak", "x\x1fy", "x\x01y", "Tom & Jerry",
          "<b>", "a>b", "_x0041_", "_x00", "\ufffe", "Ünal 😀", "  ", "=1+1"]


def test_all_plain_never_passes_a_text_that_needs_care():
    passed = 0
    for texts in product(TRICKY, repeat=3):
        if xlsx.all_plain(list(texts)):
            passed += 1
            assert all(xlsx.text_cell(text) in ("<c/>", f'<c t="inlineStr"><is><t>{text}</t></is></c>')
                       for text in texts), texts
    assert passed > 100  # and it does pass the plain ones


def test_plain_rows_are_recognised():
    assert xlsx.all_plain(["Anna", "", "New York", "=1+1", "anna@example.com", "Ünal 😀"])
    assert not xlsx.all_plain(["Anna", "Tom & Jerry"])


@pytest.mark.parametrize("text, cell", [
    ("Tom & <Jerry>", '<c t="inlineStr"><is><t xml:space="preserve">Tom &amp; &lt;Jerry&gt;</t></is></c>'),
    ("bell\x07", '<c t="inlineStr"><is><t xml:space="preserve">bell_x0007_</t></is></c>'),
    ("_x0041_", '<c t="inlineStr"><is><t xml:space="preserve">_x005F_x0041_</t></is></c>'),
    ("", "<c/>"),
])
def test_text_is_escaped_for_xml_and_for_the_format(text, cell):
    assert xlsx.text_cell(text) == cell
    assert xlsx.unescaped("bell_x0007_") == "bell\x07" and xlsx.unescaped("_x005F_x0041_") == "_x0041_"


@pytest.mark.parametrize("value, cell", [
    (None, "<c/>"), (True, '<c t="b"><v>1</v></c>'), (12, "<c><v>12</v></c>"),
    (Decimal("-5.10"), "<c><v>-5.10</v></c>"), (date(1900, 3, 1), '<c s="1"><v>61</v></c>'),
    (datetime(1970, 1, 2, 12, tzinfo=UTC), '<c s="2"><v>25570.5</v></c>'),
    (UUID(int=1), '<c t="inlineStr"><is><t>00000000-0000-0000-0000-000000000001</t></is></c>'),
])
def test_values_are_typed(value, cell):
    assert xlsx.value_cell(value) == cell
