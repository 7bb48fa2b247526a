"""A console filter or form names a row by its id; what is not one names no row, quietly."""

from relaybot import panel_row_id


def test_an_id_typed_in_a_filter_is_a_row_and_anything_else_is_none():
    assert panel_row_id("42") == 42
    assert panel_row_id("9" * 18) == int("9" * 18)
    for not_an_id in ("", "nine", "-1", "4 2", "9" * 19, "²", "٤٢"):
        assert panel_row_id(not_an_id) is None, not_an_id
