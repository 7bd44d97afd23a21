"""_normalized_title, one case per row: the form duplicate_candidates compares."""

from __future__ import annotations

import pytest

CASES = [
    ("The Iron Fury", "iron fury"),
    ("Iron Fury, The", "iron fury"),
    ("THE IRON FURY!", "iron fury"),
    ("The Iron Fury: Part 2", "iron fury part 2"),
    ("Dana's Machine", "danas machine"),
    ("Dana\u2019s Machine", "danas machine"),
    ("Café Bleu", "cafe bleu"),
    ("A Man Called Ove", "man called ove"),
    ("Theatre of Blood", "theatre of blood"),
    ("  Salt   Road  ", "salt road"),
    ("Toy Story (1995)", "toy story 1995"),
    ("!!!", ""),
    (None, None),
]


@pytest.mark.parametrize(("title", "normalized"), CASES)
def test_normalized_title_case(con, title, normalized):
    result = con.execute("select _normalized_title(?)", [title]).fetchall()

    assert result == [(normalized,)]
