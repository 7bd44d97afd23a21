"""Metadata filters evaluated as boolean masks over item columns held in memory.

The in-memory search path needs the rows that a filter keeps without a LanceDB
call. The same :class:`Filter` values are validated by the same rules as in
:func:`compile_filters`, and a filter keeps the same rows here as in LanceDB SQL:
a NULL value or a NULL list matches no condition, as SQL three-valued logic has it.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from engine.index._filters import (
    Filter,
    as_list,
    check_filter,
    convert_value,
    is_list_type,
)

_COMPARISONS = {
    "=": pc.equal,
    "!=": pc.not_equal,
    "<": pc.less,
    "<=": pc.less_equal,
    ">": pc.greater,
    ">=": pc.greater_equal,
}


def filter_mask(
    filters: list[Filter] | tuple[Filter, ...], items: pa.Table
) -> np.ndarray:
    """Evaluate ``filters`` (joined by AND) on the rows of ``items``.

    Returns
    -------
    ndarray of shape (items.num_rows,), bool
        True for the rows that every filter keeps.

    Raises
    ------
    ValueError
        For the same invalid filters that :func:`compile_filters` rejects.
    """
    mask = np.ones(items.num_rows, dtype=bool)
    for f in filters:
        mask &= _mask_one(f, items)
    return mask


def _mask_one(f: Filter, items: pa.Table) -> np.ndarray:
    kind = check_filter(f, items.schema)
    column = items.column(f.column)
    if is_list_type(kind):
        values = [convert_value(v, kind.value_type, f.column) for v in as_list(f)]
        return _list_mask(column, values, f.op, kind.value_type)

    if f.op in ("in", "not in"):
        values = pa.array([convert_value(v, kind, f.column) for v in as_list(f)], kind)
        kept = pc.is_in(column, value_set=values, skip_nulls=True)
        if f.op == "not in":
            # is_in returns false for a NULL row, but NULL NOT IN (...) keeps no row.
            kept = pc.and_(pc.invert(kept), pc.is_valid(column))
    else:
        value = pa.scalar(convert_value(f.value, kind, f.column), kind)
        kept = _COMPARISONS[f.op](column, value)
    return _to_numpy(kept)


def _list_mask(column, values: list, op: str, value_type: pa.DataType) -> np.ndarray:
    """Rows whose list contains any (``op="any"``) or all of ``values``."""
    lists = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    flat = pc.list_flatten(lists)
    parents = pc.list_parent_indices(lists).to_numpy()
    row_count = len(lists)

    # For each value, the rows whose list contains it.
    hits = []
    for value in values:
        found = _to_numpy(pc.equal(flat, pa.scalar(value, value_type)))
        rows = np.zeros(row_count, dtype=bool)
        rows[parents[found]] = True
        hits.append(rows)
    combine = np.logical_or if op == "any" else np.logical_and
    return combine.reduce(hits)


def _to_numpy(kept) -> np.ndarray:
    """Turn a pyarrow boolean result into a numpy mask, NULL counting as False."""
    filled = pc.fill_null(kept, False)
    if isinstance(filled, pa.ChunkedArray):
        filled = filled.combine_chunks()
    return filled.to_numpy(zero_copy_only=False)
