"""The small rules behind splitting texts, typed options and window limits."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from relaybot.channels import choices
from relaybot.channels.limits import window_limit
from relaybot.channels.text import split_text
from relaybot.core.types import Button


def test_a_long_text_is_cut_between_paragraphs_then_lines_then_words():
    text = "first paragraph\n\nsecond one is longer\nwith a line"
    assert split_text(text, 30) == ["first paragraph", "second one is longer", "with a line"]
    assert split_text("short", 30) == ["short"]


@given(st.text(min_size=0, max_size=3000), st.integers(min_value=10, max_value=500))
def test_split_parts_never_exceed_the_limit_and_lose_no_character(text, limit):
    parts = split_text(text, limit)
    assert all(len(p) <= limit for p in parts)
    assert "".join("".join(parts).split()) == "".join(text.split()), "only spacing may change"


def test_typed_answers_pick_an_option_by_label_first_then_by_number():
    offered = choices.flatten([[Button("Yes", "flow:yes"), Button("No", "flow:no")]])
    assert choices.match("2", offered) == ("No", "flow:no")
    assert choices.match(" yes ", offered) == ("Yes", "flow:yes")
    assert choices.match("3", offered) is None and choices.match("", offered) is None
    quantities = choices.flatten([[Button("1", "choice:1"), Button("5", "choice:5")]])
    assert choices.match("5", quantities) == ("5", "choice:5")
    assert choices.match("2", quantities) is None, "a number is a quantity, not option two"
    assert "1. Yes" in choices.render("Sure?", offered, hint="Pick one")
    assert "• 5" in choices.render("How many?", quantities, hint="Pick one")


def test_a_window_limit_never_lets_more_than_its_count_through_in_the_window():
    for count, burst in ((300, 10), (20, 3), (2, 5), (1, 1)):
        limit = window_limit("k", count, 60.0, burst=burst)
        assert limit.burst + limit.rate * 60.0 <= count + 1e-9 or count == 1
