"""Turn metadata columns of any shape into a dense feature matrix.

Item and user tables take whatever columns the input files had, so the encoder
decides per column from its Arrow type and its values:

- list of strings (genres, actors): multi-hot over values seen at least
  ``min_count`` times;
- strings and booleans with few distinct values (gender, channel, device):
  one-hot of those values;
- numbers, dates and timestamps (age, year, running time): one-hot of
  quantile buckets, plus one column for a missing value;
- id columns, and strings with nearly one value per row (title, URL, zip): skipped.

The fitted state is plain JSON, so serving encodes new rows the same way
without pickles.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc


@dataclass
class ColumnEncoding:
    """Mapping of one column to its feature positions."""

    column: str
    kind: str  # "multi_hot", "one_hot" or "buckets"
    values: list = field(default_factory=list)  # category values or bucket edges
    offset: int = 0

    @property
    def width(self) -> int:
        # Buckets: len(edges) + 1 ranges plus one slot for missing values.
        return len(self.values) + 2 if self.kind == "buckets" else len(self.values)


@dataclass
class FeatureEncoder:
    """Encoder of metadata rows into float32 features, fitted on one table.

    Parameters
    ----------
    id_column : str
        Column that identifies a row; never encoded.
    min_count : int, default=2
        Rarest category value kept in a multi-hot or one-hot block.
    max_categories : int, default=200
        Most values of a one-hot block; a string column with more distinct
        values than this and than half its rows counts as free text and is skipped.
    bucket_count : int, default=8
        Number of quantile buckets for numeric columns.
    """

    id_column: str
    min_count: int = 2
    max_categories: int = 200
    bucket_count: int = 8
    encodings_: list[ColumnEncoding] = field(default_factory=list)

    @property
    def feature_count(self) -> int:
        return sum(e.width for e in self.encodings_)

    def feature_names(self) -> list[str]:
        """Readable name of each feature position."""
        names = []
        for e in self.encodings_:
            if e.kind == "buckets":
                names += [f"{e.column}<{e.values[0]}" if e.values else f"{e.column}:all"]
                names += [f"{e.column}>={v}" for v in e.values]
                names += [f"{e.column}:missing"]
            else:
                names += [f"{e.column}={v}" for v in e.values]
        return names

    def fit(self, table: pa.Table, *, skip: tuple[str, ...] = ()) -> FeatureEncoder:
        """Choose an encoding for every usable column of ``table``."""
        self.encodings_ = []
        offset = 0
        for name in table.column_names:
            if name == self.id_column or name in skip:
                continue
            encoding = self._fit_column(name, table.column(name))
            if encoding is None or encoding.width == 0:
                continue
            encoding.offset = offset
            offset += encoding.width
            self.encodings_.append(encoding)
        return self

    def transform(self, table: pa.Table) -> np.ndarray:
        """Encode ``table`` into shape (row_count, feature_count), float32."""
        out = np.zeros((table.num_rows, self.feature_count), dtype=np.float32)
        for e in self.encodings_:
            if e.column not in table.column_names:
                if e.kind == "buckets":
                    out[:, e.offset + e.width - 1] = 1.0
                continue
            column = table.column(e.column)
            block = out[:, e.offset : e.offset + e.width]
            if e.kind == "multi_hot":
                _fill_multi_hot(block, column, e.values)
            elif e.kind == "one_hot":
                _fill_one_hot(block, column, e.values)
            else:
                _fill_buckets(block, column, e.values)
        return out

    def to_json(self) -> str:
        state = {
            "id_column": self.id_column,
            "min_count": self.min_count,
            "max_categories": self.max_categories,
            "bucket_count": self.bucket_count,
            "encodings": [e.__dict__ for e in self.encodings_],
        }
        return json.dumps(state, default=str)

    @classmethod
    def from_json(cls, text: str) -> FeatureEncoder:
        state = json.loads(text)
        encodings = [ColumnEncoding(**e) for e in state.pop("encodings")]
        return cls(**state, encodings_=encodings)

    def _fit_column(self, name: str, column: pa.ChunkedArray) -> ColumnEncoding | None:
        kind = column.type
        if pa.types.is_list(kind) or pa.types.is_large_list(kind):
            flat = pc.list_flatten(column)
            if not (pa.types.is_string(flat.type) or pa.types.is_large_string(flat.type)):
                return None
            return ColumnEncoding(name, "multi_hot", self._frequent(flat))
        if pa.types.is_boolean(kind):
            return ColumnEncoding(name, "one_hot", [True, False])
        if pa.types.is_string(kind) or pa.types.is_large_string(kind):
            distinct = pc.count_distinct(column).as_py()
            if distinct > self.max_categories and distinct > column.length() // 2:
                return None
            return ColumnEncoding(name, "one_hot", self._frequent(column))
        if _is_numeric_like(kind):
            values = _numeric(column)
            values = values[~np.isnan(values)]
            if len(values) == 0:
                return None
            quantiles = np.linspace(0, 1, self.bucket_count + 1)[1:-1]
            edges = sorted({float(v) for v in np.quantile(values, quantiles)})
            edges = [e for e in edges if e > values.min()]
            return ColumnEncoding(name, "buckets", edges)
        return None

    def _frequent(self, values: pa.Array | pa.ChunkedArray) -> list:
        counts = pc.value_counts(values).to_pylist()
        kept = [c for c in counts if c["values"] is not None and c["counts"] >= self.min_count]
        kept.sort(key=lambda c: (-c["counts"], str(c["values"])))
        return [c["values"] for c in kept[: self.max_categories]]


def _is_numeric_like(kind: pa.DataType) -> bool:
    return (
        pa.types.is_integer(kind)
        or pa.types.is_floating(kind)
        or pa.types.is_decimal(kind)
        or pa.types.is_date(kind)
        or pa.types.is_timestamp(kind)
    )


def _numeric(column: pa.ChunkedArray) -> np.ndarray:
    """Numbers as float64 with NaN for nulls; dates and timestamps as fractional years."""
    kind = column.type
    if pa.types.is_date(kind) or pa.types.is_timestamp(kind):
        values = column.to_pylist()
        return np.array([_year(v) for v in values], dtype=np.float64)
    return np.asarray(pc.cast(column, pa.float64()).to_numpy(zero_copy_only=False), dtype=np.float64)


def _year(value) -> float:
    if value is None:
        return np.nan
    if isinstance(value, dt.datetime):
        value = value.date()
    return value.year + (value.timetuple().tm_yday - 1) / 366.0


def _fill_multi_hot(block: np.ndarray, column: pa.ChunkedArray, values: list) -> None:
    position = {v: i for i, v in enumerate(values)}
    for row, entries in enumerate(column.to_pylist()):
        for entry in entries or ():
            slot = position.get(entry)
            if slot is not None:
                block[row, slot] = 1.0


def _fill_one_hot(block: np.ndarray, column: pa.ChunkedArray, values: list) -> None:
    position = {v: i for i, v in enumerate(values)}
    for row, entry in enumerate(column.to_pylist()):
        slot = position.get(entry)
        if slot is not None:
            block[row, slot] = 1.0


def _fill_buckets(block: np.ndarray, column: pa.ChunkedArray, edges: list) -> None:
    values = _numeric(column)
    missing = np.isnan(values)
    slots = np.searchsorted(np.asarray(edges, dtype=np.float64), values, side="right")
    slots[missing] = len(edges) + 1
    block[np.arange(len(values)), slots] = 1.0
