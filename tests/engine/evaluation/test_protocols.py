"""Protocol splits: the published ML-100K fingerprints and the fingerprint format."""

from __future__ import annotations

import doctest
import hashlib
import struct

import pytest

from engine.evaluation import (
    PHASES,
    PROTOCOLS,
    _protocols,
    build_split,
    split_fingerprint,
)

# protocol, phase, fitted rows, held-out rows, evaluated users, fingerprint
ML100K_SPLITS = [
    ("loo", "tune", 98_114, 943, 943, "bd8ef886011bd9bf"),
    ("loo", "final", 99_057, 943, 943, "b91f0b861aeb86d3"),
    ("loo-shuffled", "tune", 98_114, 943, 943, "fc34358b5ae2c4ba"),
    ("loo-shuffled", "final", 99_057, 943, 943, "52f626bd8fb27c6e"),
    ("temporal", "tune", 81_000, 1_164, 69, "6168be6f84d84709"),
    ("temporal", "final", 90_000, 2_886, 90, "c91474a289a663f5"),
]


def test_protocols_and_phases():
    assert PROTOCOLS == ("loo", "loo-shuffled", "temporal")
    assert PHASES == ("tune", "final")


def test_fingerprint_byte_layout():
    expected = hashlib.sha256(
        struct.pack("<qq", 1, 10)
        + struct.pack("<qq", 2, 5)
        + b"|"
        + struct.pack("<qq", 2, 7)
        + b"|"
    ).hexdigest()[:16]

    fingerprint = split_fingerprint([[2, 5], [1, 10]], [[2, 7]])

    assert fingerprint == expected


def test_fingerprint_sorts_by_user_then_item():
    assert split_fingerprint([[1, 9], [1, 2], [0, 5]], []) == split_fingerprint(
        [[0, 5], [1, 2], [1, 9]], []
    )


def test_fingerprint_parts_not_interchangeable():
    assert split_fingerprint([[1, 2]], [[1, 3]]) != split_fingerprint(
        [[1, 2], [1, 3]], []
    )


def test_fingerprint_docstring_example():
    results = doctest.testmod(_protocols)

    assert results.attempted >= 1
    assert results.failed == 0


@pytest.mark.slow
@pytest.mark.parametrize(
    ("protocol", "phase", "fitted", "holdout", "users", "fingerprint"),
    ML100K_SPLITS,
    ids=[f"{protocol}-{phase}" for protocol, phase, *_ in ML100K_SPLITS],
)
def test_split_ml100k_fingerprint(
    ml100k_store, protocol, phase, fitted, holdout, users, fingerprint
):
    with ml100k_store.writer() as con:
        split = build_split(con, protocol, phase)

    assert split.fingerprint == fingerprint
    assert split.fitted_count == fitted
    assert split.holdout_count == holdout
    assert split.user_count == users


@pytest.mark.slow
def test_split_ml100k_leaves_catalog_unchanged(ml100k_store):
    with ml100k_store.writer() as con:
        before = con.execute(
            "select table_name from duckdb_tables() order by all"
        ).fetchall()
        build_split(con, "temporal", "tune")
        temporary = con.execute(
            "select table_name from duckdb_tables() where temporary order by all"
        ).fetchall()
        after = con.execute(
            "select table_name from duckdb_tables() where not temporary order by all"
        ).fetchall()

    assert temporary == [("eval_fitted",), ("eval_holdout",)]
    assert after == before


@pytest.mark.slow
def test_split_ml100k_shuffled_tie_key(ml100k_store):
    with ml100k_store.writer() as con:
        loo = build_split(con, "loo", "final")
        shuffled = build_split(con, "loo-shuffled", "final")

    assert loo.tie_key == "item_id"
    assert shuffled.tie_key == "tie_hash"


def test_build_split_bad_protocol(tiny_store):
    with tiny_store.writer() as con:
        with pytest.raises(
            ValueError, match="invalid protocol: 'kfold', expected one of"
        ):
            build_split(con, "kfold", "final")
