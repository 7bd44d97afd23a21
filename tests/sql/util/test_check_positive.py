"""_check_positive, one case per row: the check behind max_per_key and max_run."""

from __future__ import annotations

import duckdb
import pytest


@pytest.mark.parametrize(("value", "checked"), [("3", 3), ("2.0", 2), ("1", 1)])
def test_check_positive_accepts(con, value, checked):
    result = con.execute(
        f"select _check_positive('diversify', 'max_per_key', {value})"
    ).fetchall()

    assert result == [(checked,)]


@pytest.mark.parametrize("value", ["0", "-2", "1.5", "null"])
def test_check_positive_rejects(con, value):
    with pytest.raises(duckdb.InvalidInputException) as caught:
        con.execute(
            f"select _check_positive('diversify', 'max_per_key', {value})"
        ).fetchall()

    assert (
        f"diversify: invalid max_per_key: {value}, expected a positive integer"
        in str(caught.value)
    )
