"""ontherecord/text.py: one rule for text staff type, and safe printing of old records."""

from __future__ import annotations

import pytest

from ontherecord.errors import InputError
from ontherecord.text import one_line, printable


def test_pasted_line_breaks_and_tabs_become_single_spaces():
    # A textarea submits its line breaks as CRLF; a pasted name may carry tabs.
    assert one_line(" Class size\r\ncaps\tand  more ", 100, "a title") == "Class size caps and more"


@pytest.mark.parametrize("bad", ["Bell\x07", "\x1b[31mred", "Nul\x00", "Del\x7fete", "C1 \x9b31m"])
def test_other_control_characters_are_refused(bad):
    with pytest.raises(InputError, match="a title contains control characters"):
        one_line(bad, 100, "a title")


def test_length_is_counted_after_tidying():
    assert one_line("  " + "T" * 10 + "  ", 10, "a title") == "T" * 10
    with pytest.raises(InputError, match="a title is longer than 10 characters"):
        one_line("T" * 11, 10, "a title")


def test_printable_shows_control_characters_as_escapes():
    assert printable("Session \x1b[2J three\x9b") == "Session \\x1b[2J three\\x9b"
    assert printable("Café – ok") == "Café – ok"
