"""Arrow callbacks behind the serving UDFs: recommend, similar_items, item_embedding.

DuckDB calls each callback once per chunk of up to 2048 rows with pyarrow arrays.
The serving state comes from :meth:`Store.recommender`, which the store caches, so
every chunk of every query shares one ONNX Runtime session and one LanceDB handle.
Nothing is loaded before the first call.
"""

from __future__ import annotations

import itertools
import logging
import threading
import time

import numpy as np
import pyarrow as pa

from engine.errors import UnknownUserError

_log = logging.getLogger(__name__)

#: Arrow type of one list returned by recommend and similar_items.
RESULT_ARROW_TYPE = pa.list_(
    pa.struct([("item_id", pa.int64()), ("score", pa.float64()), ("rank", pa.int32())])
)
EMBEDDING_ARROW_TYPE = pa.list_(pa.float32())


class ServingFunctions:
    """The callbacks of one store's serving UDFs.

    Parameters
    ----------
    store : Store
        The store whose active version serves the calls.
    """

    def __init__(self, store):
        self.store = store
        # DuckDB may call from several threads; the first call loads the version.
        self._lock = threading.Lock()

    def recommender(self):
        """Return the store's cached serving object, loading it on first use."""
        with self._lock:
            return self.store.recommender()

    def recommend_now(self, user_ids: pa.Array, ks: pa.Array) -> pa.Array:
        """Recommend with the current UTC hour and weekday as the query context."""
        none = itertools.repeat(None)
        return self._recommend(
            user_ids.to_pylist(), ks.to_pylist(), none, none, at=False
        )

    def recommend_at(
        self, user_ids: pa.Array, ks: pa.Array, hours: pa.Array, weekdays: pa.Array
    ) -> pa.Array:
        """Recommend at a given hour (0-23) and ISO weekday (1 = Monday)."""
        return self._recommend(
            user_ids.to_pylist(),
            ks.to_pylist(),
            hours.to_pylist(),
            weekdays.to_pylist(),
            at=True,
        )

    def _recommend(self, user_ids, ks, hours, weekdays, *, at: bool) -> pa.Array:
        started = time.perf_counter()
        lists = []
        unknown = 0
        for user_id, k, hour, weekday in zip(user_ids, ks, hours, weekdays):
            if (
                user_id is None
                or k is None
                or (at and (hour is None or weekday is None))
            ):
                lists.append(None)
                continue
            _check_k("recommend", k)
            try:
                result = self.recommender().recommend(
                    user_id, k, hour=hour, weekday=weekday
                )
            except UnknownUserError:
                unknown += 1
                lists.append(None)
                continue
            except ValueError as exc:
                raise ValueError(f"recommend: {exc}") from exc
            lists.append([_entry(r.item_id, r.score, r.rank) for r in result])
        _log.debug(
            "recommend: %d rows, %d unknown users, %.2fs",
            len(lists),
            unknown,
            time.perf_counter() - started,
        )
        return pa.array(lists, type=RESULT_ARROW_TYPE)

    def similar_items(self, item_ids: pa.Array, ks: pa.Array) -> pa.Array:
        """Find the ``k`` items nearest to each item's embedding, the item left out."""
        started = time.perf_counter()
        pairs = list(zip(item_ids.to_pylist(), ks.to_pylist()))
        for item_id, k in pairs:
            if item_id is not None and k is not None:
                _check_k("similar_items", k)
        requested_ids = {i for i, k in pairs if i is not None and k is not None}
        index = self.recommender().index if requested_ids else None
        vectors = _item_vectors(index, requested_ids) if requested_ids else {}

        lists = []
        for item_id, k in pairs:
            vector = vectors.get(item_id) if k is not None else None
            if vector is None:
                lists.append(None)
                continue
            rows = index.nearest(
                vector,
                k,
                exclude=np.array([item_id], dtype=np.int64),
                columns=("item_id",),
            )
            lists.append(_table_entries(rows))
        _log.debug(
            "similar_items: %d rows, %d known items, %.2fs",
            len(lists),
            len(vectors),
            time.perf_counter() - started,
        )
        return pa.array(lists, type=RESULT_ARROW_TYPE)

    def item_embedding(self, item_ids: pa.Array) -> pa.Array:
        """Look up each item's embedding, or NULL for an item the version lacks."""
        ids = item_ids.to_pylist()
        requested_ids = {i for i in ids if i is not None}
        vectors = (
            _item_vectors(self.recommender().index, requested_ids)
            if requested_ids
            else {}
        )
        embeddings = [
            vectors[i].tolist() if i is not None and i in vectors else None for i in ids
        ]
        return pa.array(embeddings, type=EMBEDDING_ARROW_TYPE)


def _entry(item_id, score, rank) -> dict:
    return {"item_id": int(item_id), "score": float(score), "rank": int(rank)}


def _table_entries(rows: pa.Table) -> list[dict]:
    columns = [rows.column(name).to_pylist() for name in ("item_id", "score", "rank")]
    return [_entry(*values) for values in zip(*columns)]


def _check_k(function: str, k: int) -> None:
    if k < 1:
        raise ValueError(f"{function}: invalid k: {k}, expected a positive integer")


def _item_vectors(index, item_ids: set[int]) -> dict[int, np.ndarray]:
    """Read the stored vectors of ``item_ids`` from the item table in one query."""
    listed = ", ".join(str(int(i)) for i in sorted(item_ids))
    rows = (
        index.table.search()
        .where(f"item_id IN ({listed})")
        .select(["item_id", "vector"])
        .limit(len(item_ids))
        .to_arrow()
    )
    if rows.num_rows == 0:
        return {}
    vectors = rows.column("vector").combine_chunks()
    matrix = vectors.flatten().to_numpy().reshape(len(vectors), vectors.type.list_size)
    return dict(zip(rows.column("item_id").to_pylist(), matrix))
