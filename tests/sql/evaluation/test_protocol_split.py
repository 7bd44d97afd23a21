"""protocol_split on a tiny interaction table, every protocol and phase.

User 1 has two interactions in the same last second (items 7 and 8): loo puts
the higher item id, 8, last, while loo-shuffled orders by the SHA-256 of
`user_id,item_id`, where "1,8" (0915...) sorts before "1,7" (7f0b...), so 7
is last. User 2 has 2 interactions and user 4 one, so neither is held out
under loo. The temporal cut of the 10 timestamps is the one at position 9
(00:05:00), so users 1 and 4 are after it, and user 4, with nothing before it,
is dropped. Tuning cuts the 7 train rows at position 6 (00:03:20).
"""

from __future__ import annotations

import duckdb
import pytest

INTERACTIONS = {"user_id": "bigint", "item_id": "bigint", "timestamp": "timestamp"}
EXPECTED = {
    "protocol": "varchar",
    "phase": "varchar",
    "user_id": "bigint",
    "item_id": "bigint",
    "part": "varchar",
}
SPLITS = [
    (protocol, phase)
    for protocol in ("loo", "loo-shuffled", "temporal")
    for phase in ("final", "tune")
]


@pytest.fixture
def interactions(load_table):
    load_table("interactions", INTERACTIONS)


@pytest.mark.parametrize(("protocol", "phase"), SPLITS)
def test_protocol_split_table(con, interactions, expected, protocol, phase):
    rows = [
        row[2:]
        for row in expected("expected_protocol_split", EXPECTED)
        if row[:2] == (protocol, phase)
    ]

    result = con.execute(
        "select user_id, item_id, part from protocol_split('interactions', "
        f"protocol := '{protocol}', phase := '{phase}') order by user_id, item_id"
    ).fetchall()

    assert result == rows


def test_protocol_split_tie_hash(con, interactions):
    hashes = con.execute(
        "select tie_hash from protocol_split('interactions') "
        "where user_id = 1 and item_id = 5"
    ).fetchall()

    assert hashes == [
        ("e10f709ed16cc5cdcb71a16d00c7fcc7886d6fadbb3099f8a23c8815f47ec477",)
    ]


def test_protocol_split_defaults_loo_final(con, interactions):
    default = con.execute(
        "select * from protocol_split('interactions') order by user_id, item_id"
    ).fetchall()

    explicit = con.execute(
        "select * from protocol_split('interactions', protocol := 'loo', "
        "phase := 'final') order by user_id, item_id"
    ).fetchall()

    assert default == explicit


def test_protocol_split_bad_protocol(con, interactions):
    with pytest.raises(duckdb.InvalidInputException) as caught:
        con.execute(
            "select * from protocol_split('interactions', protocol := 'kfold')"
        ).fetchall()

    message = "protocol_split: invalid protocol: 'kfold', expected one of "
    assert message + "loo, loo-shuffled, temporal" in str(caught.value)


@pytest.mark.parametrize("protocol", ["loo", "temporal"])
def test_protocol_split_bad_phase(con, interactions, protocol):
    with pytest.raises(duckdb.InvalidInputException) as caught:
        con.execute(
            "select * from protocol_split('interactions', "
            f"protocol := '{protocol}', phase := 'test')"
        ).fetchall()

    assert "protocol_split: invalid phase: 'test', expected one of tune, final" in str(
        caught.value
    )


@pytest.mark.parametrize("protocol", ["loo", "loo-shuffled", "temporal"])
def test_protocol_split_null_phase(con, interactions, protocol):
    with pytest.raises(duckdb.InvalidInputException) as caught:
        con.execute(
            "select * from protocol_split('interactions', "
            f"protocol := '{protocol}', phase := null)"
        ).fetchall()

    assert "protocol_split: invalid phase: null, expected one of tune, final" in str(
        caught.value
    )


def test_protocol_split_null_protocol(con, interactions):
    with pytest.raises(duckdb.InvalidInputException) as caught:
        con.execute(
            "select * from protocol_split('interactions', protocol := null)"
        ).fetchall()

    assert "protocol_split: invalid protocol: null, expected one of" in str(
        caught.value
    )
