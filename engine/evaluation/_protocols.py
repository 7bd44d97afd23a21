"""Offline evaluation splits: which interactions a model is fitted on and scored on.

The splits themselves are SQL, the ``protocol_split`` macro, so that analysts can
rebuild any split in DuckDB. This module runs the macro and fingerprints the result.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass

import duckdb
import numpy as np

_log = logging.getLogger(__name__)

PROTOCOLS = ("loo", "loo-shuffled", "temporal")
PHASES = ("tune", "final")

#: Temporary table of the fitted part: (user_id, item_id, timestamp, tie_hash).
FITTED_TABLE = "eval_fitted"
#: Temporary table of the held-out part: (user_id, item_id, timestamp).
HOLDOUT_TABLE = "eval_holdout"

# Every row of the split with its part, temporary.
_SPLIT_TABLE = "eval_split"


@dataclass(frozen=True)
class Split:
    """Summary of a split written into a catalog connection by :func:`build_split`.

    Attributes
    ----------
    protocol, phase : str
        What was split, for example ``"loo"`` and ``"final"``.
    fingerprint : str
        16 hex digits identifying the fitted and held-out pairs.
    fitted_count, holdout_count : int
        Rows of the fitted and held-out tables.
    user_count : int
        Evaluated users, those with at least one held-out row.
    tie_key : str
        Column of the fitted table that orders a user's interactions within one
        second: ``item_id``, or ``tie_hash`` under ``loo-shuffled``.
    fitted_table, holdout_table : str
        Where the parts were written.
    """

    protocol: str
    phase: str
    fingerprint: str
    fitted_count: int
    holdout_count: int
    user_count: int
    tie_key: str
    fitted_table: str = FITTED_TABLE
    holdout_table: str = HOLDOUT_TABLE


def check_protocol(protocol: str, phase: str) -> None:
    """Raise ``ValueError`` unless ``protocol`` and ``phase`` name a known split."""
    if protocol not in PROTOCOLS:
        raise ValueError(
            f"invalid protocol: {protocol!r}, expected one of {', '.join(PROTOCOLS)}"
        )
    if phase not in PHASES:
        raise ValueError(
            f"invalid phase: {phase!r}, expected one of {', '.join(PHASES)}"
        )


def tie_key(protocol: str) -> str:
    """Column that orders a user's interactions within one second under ``protocol``."""
    return "tie_hash" if protocol == "loo-shuffled" else "item_id"


def build_split(
    con: duckdb.DuckDBPyConnection, protocol: str = "loo", phase: str = "final"
) -> Split:
    """Split the ``interactions`` table into two temporary tables of ``con``.

    The fitted part goes to ``eval_fitted(user_id, item_id, timestamp, tie_hash)``
    and the held-out part to ``eval_holdout(user_id, item_id, timestamp)``. Both live
    only as long as the connection, so the catalog itself is not changed.

    ``loo``
        Leave last out per user. Each user's interactions are sorted by
        (timestamp, item_id). The last one is the test item, the one before it the
        validation item, the others train. ``final`` fits on train + validation and
        holds out test, ``tune`` fits on train and holds out validation. Users with
        at least 3 interactions are evaluated.
    ``loo-shuffled``
        The same, but ties within one second are broken by ``tie_hash``, the
        lower-case hex SHA-256 of the text ``user_id,item_id`` compared as a
        string, so the order inside a burst of ratings carries no information about
        the items. Models that read interaction order get the same key.
    ``temporal``
        One global cut: T is the timestamp at 0-based position floor(0.9 N) of all
        N sorted timestamps. Train is before T, test at or after T. Evaluated users
        have at least one train and one test interaction. ``tune`` repeats the cut
        inside train and never reads test.

    Parameters
    ----------
    con : duckdb connection
        A catalog connection with the sqlrec macros loaded.
    protocol : {"loo", "loo-shuffled", "temporal"}, default="loo"
    phase : {"tune", "final"}, default="final"

    Returns
    -------
    Split
        Row counts and the fingerprint of the two parts.

    Raises
    ------
    ValueError
        For an unknown protocol or phase.
    """
    check_protocol(protocol, phase)

    # Both names were checked against fixed lists, so inlining them is safe.
    con.execute(
        f"create or replace temp table {_SPLIT_TABLE} as "
        f"select * from protocol_split('interactions', "
        f"protocol := '{protocol}', phase := '{phase}')"
    )
    con.execute(
        f"create or replace temp table {FITTED_TABLE} as "
        f"select user_id, item_id, timestamp, tie_hash from {_SPLIT_TABLE} "
        "where part = 'fitted'"
    )
    con.execute(
        f"create or replace temp table {HOLDOUT_TABLE} as "
        f"select user_id, item_id, timestamp from {_SPLIT_TABLE} "
        "where part = 'holdout'"
    )
    con.execute(f"drop table {_SPLIT_TABLE}")

    fitted = _pairs(con, FITTED_TABLE)
    holdout = _pairs(con, HOLDOUT_TABLE)
    split = Split(
        protocol=protocol,
        phase=phase,
        fingerprint=split_fingerprint(fitted, holdout),
        fitted_count=len(fitted),
        holdout_count=len(holdout),
        user_count=len(np.unique(holdout[:, 0])),
        tie_key=tie_key(protocol),
    )
    _log.info(
        "split %s/%s: %d fitted rows, %d held-out rows, %d users, fingerprint %s",
        protocol,
        phase,
        split.fitted_count,
        split.holdout_count,
        split.user_count,
        split.fingerprint,
    )
    return split


def split_fingerprint(fitted: np.ndarray, holdout: np.ndarray) -> str:
    """Compute the fingerprint of a split: 16 hex digits of a SHA-256 of its pairs.

    The hash is fed the fitted pairs sorted by user_id then item_id, each pair as two
    8-byte little-endian signed integers (user_id first), then the byte ``|``, then
    the held-out pairs in the same form, then ``|`` again. Ids are the original ones.

    Parameters
    ----------
    fitted, holdout : array-like of shape (row_count, 2)
        (user_id, item_id) pairs in any order; repeated pairs are hashed repeatedly.

    Examples
    --------
    >>> split_fingerprint([[1, 10], [1, 11]], [[1, 12]])
    'fa9bde4a7fe88d45'
    """
    digest = hashlib.sha256()
    for pairs in (fitted, holdout):
        pairs = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
        pairs = pairs[np.lexsort((pairs[:, 1], pairs[:, 0]))]
        digest.update(pairs.astype("<i8").tobytes())
        digest.update(b"|")
    return digest.hexdigest()[:16]


def _pairs(con: duckdb.DuckDBPyConnection, table: str) -> np.ndarray:
    columns = con.execute(
        f"select user_id, item_id from {table} order by user_id, item_id"
    ).fetchnumpy()
    return np.column_stack(
        [
            np.asarray(columns["user_id"], dtype=np.int64),
            np.asarray(columns["item_id"], dtype=np.int64),
        ]
    ).reshape(-1, 2)
