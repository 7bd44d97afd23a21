"""Catalog tables that an evaluation run writes.

``recommendations``, ``holdout`` and ``holdout_ranks`` contain the latest run only,
because each run replaces them. ``eval_runs`` keeps one row per model and run, so
analysts can compare runs over time.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa

RESULT_DDL = """
create or replace table holdout (
    user_id bigint not null,
    item_id bigint not null
);

create or replace table recommendations (
    model varchar not null,
    user_id bigint not null,
    item_id bigint not null,
    rank integer not null,
    score double not null
);

create or replace table holdout_ranks (
    model varchar not null,
    user_id bigint not null,
    item_id bigint not null,
    rank bigint
);

create table if not exists eval_runs (
    run_id varchar not null,
    protocol varchar not null,
    phase varchar not null,
    fingerprint varchar not null,
    model varchar not null,
    recall_at_10 double,
    recall_at_30 double,
    recall_at_100 double,
    ndcg_at_10 double,
    mrr double,
    user_count bigint not null,
    fit_seconds double not null,
    seed bigint not null,
    params json not null,
    created_at timestamp not null
);
"""

METRIC_COLUMNS = ("recall_at_10", "recall_at_30", "recall_at_100", "ndcg_at_10", "mrr")


def create_result_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Empty the per-run result tables and create ``eval_runs`` when missing."""
    con.execute(RESULT_DDL)


def append_rows(con: duckdb.DuckDBPyConnection, table: str, rows: pa.Table) -> None:
    """Insert an Arrow table into ``table``, matching columns by name."""
    con.register("_evaluation_rows", rows)
    try:
        con.execute(f"insert into {table} by name select * from _evaluation_rows")
    finally:
        con.unregister("_evaluation_rows")


def summary_metrics(con: duckdb.DuckDBPyConnection) -> dict[str, dict[str, Any]]:
    """Compute the reported metrics per model with the ``summary_metrics`` macro."""
    columns = con.execute(
        "select * from summary_metrics('recommendations', 'holdout', 'holdout_ranks')"
    ).fetchnumpy()
    summary = {}
    for row, name in enumerate(columns["model"]):
        values = {column: _float(columns[column][row]) for column in METRIC_COLUMNS}
        summary[str(name)] = {"user_count": int(columns["user_count"][row]), **values}
    return summary


def record_run(
    con: duckdb.DuckDBPyConnection,
    run: dict[str, Any],
    model_rows: list[dict[str, Any]],
) -> None:
    """Append one ``eval_runs`` row per model of a run.

    ``run`` contains the run-wide columns (run_id, protocol, phase, fingerprint, seed),
    and each entry of ``model_rows`` the model's name, metrics, user_count,
    fit_seconds and params.
    """
    created_at = datetime.now(timezone.utc).replace(tzinfo=None)
    rows = [
        {
            **run,
            **{key: value for key, value in row.items() if key != "params"},
            "params": json.dumps(row["params"], sort_keys=True, default=str),
            "created_at": created_at,
        }
        for row in model_rows
    ]
    append_rows(con, "eval_runs", pa.Table.from_pylist(rows))


def _float(value) -> float | None:
    # DuckDB returns SQL NULL as a masked numpy value.
    return None if value is None or value is np.ma.masked else float(value)
