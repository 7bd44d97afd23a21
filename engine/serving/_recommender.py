"""Online serving of the active model version.

A request runs the query tower in ONNX Runtime, searches the LanceDB item table
for the nearest items under the request's filters, drops the items the user already
interacted with, and returns ``k`` items. Everything is read from the manifest,
the version's files and LanceDB: serving never opens the DuckDB catalog, so the
offline build and analysts can use it while an app serves.
"""

from __future__ import annotations

import datetime as dt
import logging

import numpy as np
import pyarrow.parquet as pq

from engine.errors import NotBuiltError, UnknownUserError
from engine.index import Filter, ItemIndex, compile_filters
from engine.index._filters import as_filters
from engine.index._table import check_k
from engine.serving._results import Recommendation, RecommendationList

_log = logging.getLogger(__name__)

FALLBACKS = (None, "popular")


class Recommender:
    """Serving state of one model version; build it with :meth:`load`."""

    def __init__(self, store, manifest: dict):
        from engine.export import OnnxTower, TowerInputs

        self.manifest = manifest
        self.version = manifest["version"]
        version_path = store.version_path(self.version)
        self.inputs = TowerInputs.load(version_path / "two_tower")
        self.query_tower = OnnxTower(version_path / "query_tower.onnx")
        self.index = ItemIndex(
            store.lance_path, manifest["item_table"], manifest.get("item_table_version")
        )
        seen = pq.read_table(version_path / "seen.parquet")
        self._seen_users = seen.column("user_id").to_numpy()
        self._seen_items = seen.column("item_ids")
        self._popular = pq.read_table(version_path / "popularity.parquet")

    @classmethod
    def load(cls, store, manifest: dict | None) -> Recommender:
        if manifest is None:
            raise NotBuiltError(
                f'no active model version in {store.path} (run "sqlrec train" then '
                '"sqlrec index")'
            )
        return cls(store, manifest)

    def known_user(self, user_id: int) -> bool:
        """Tell whether the active version was trained with ``user_id``."""
        position = np.searchsorted(self._seen_users, user_id)
        return position < len(self._seen_users) and self._seen_users[position] == user_id

    def seen_items(self, user_id: int) -> np.ndarray:
        """Item ids the user interacted with before the version was trained."""
        position = np.searchsorted(self._seen_users, user_id)
        if position < len(self._seen_users) and self._seen_users[position] == user_id:
            return np.asarray(self._seen_items[int(position)].values, dtype=np.int64)
        return np.zeros(0, dtype=np.int64)

    def recommend(
        self,
        user_id: int | None,
        k: int = 10,
        *,
        filters: Filter | str | list[Filter | str] | tuple[Filter | str, ...] = (),
        genre: str | None = None,
        hour: int | None = None,
        weekday: int | None = None,
        fallback: str | None = None,
        exclude_seen: bool = True,
    ) -> RecommendationList:
        """Recommend ``k`` items to ``user_id``.

        Parameters
        ----------
        user_id : int or None
            Original user id. ``None`` or an unknown id raises
            :class:`UnknownUserError` unless ``fallback="popular"``.
        k : int, default=10
            Number of items. Exactly ``k`` come back whenever ``k`` unseen items
            match the filters.
        filters : Filter, str, or list of them, optional
            Metadata conditions, applied before ranking; a str is read by
            :meth:`Filter.parse`, such as ``"year>=1990"`` or ``"genres~Horror"``.
        genre : str, optional
            Shorthand for ``Filter("genres", "any", [genre])``.
        hour, weekday : int, optional
            Request context: hour of day 0-23 and ISO weekday 1 = Monday to
            7 = Sunday. Default: the current UTC time. When both are left out,
            the query tower also reads the time from the user's latest
            interaction in the version to now. Given either, the request is for
            another moment, so that time is read as not given.
        fallback : {None, "popular"}, default=None
            What an unknown user gets: an error, or the most popular items.
        exclude_seen : bool, default=True
            Leave out items the user already interacted with.
        """
        k = check_k(k)
        if fallback not in FALLBACKS:
            raise ValueError(f"invalid fallback: {fallback!r}, expected None or 'popular'")
        filters = as_filters(filters)
        if genre is not None:
            filters.append(Filter("genres", "any", [genre]))
        now = None
        if hour is None and weekday is None:
            now = int(dt.datetime.now(dt.timezone.utc).timestamp())
        hour, weekday = _context(hour, weekday)
        context = {"hour": hour, "weekday": weekday, "since_last_seconds": None}

        if user_id is None or not self.known_user(int(user_id)):
            if fallback != "popular":
                raise UnknownUserError(
                    f"unknown user: {user_id} (not in version {self.version}; for "
                    "popular items instead, pass --fallback popular in the CLI or "
                    'fallback="popular" in Python)'
                )
            return self._popular_items(user_id, k, filters, context)

        user_id = int(user_id)
        inputs = self.inputs.query_inputs(
            [user_id], [hour], [weekday], timestamp=None if now is None else [now]
        )
        if now is not None:
            seconds = int(self.inputs.seconds_since_last([user_id], [now])[0])
            context["since_last_seconds"] = seconds if seconds >= 0 else None
        query = self.query_tower.run(inputs)[0]
        exclude = self.seen_items(user_id) if exclude_seen else None
        rows = self.index.nearest(query, k, filters=filters, exclude=exclude)
        items = _to_recommendations(rows)
        _log.debug("served %d items to user %d", len(items), user_id)
        match_count = self.index.snapshot().subset(filters).count
        return RecommendationList(
            user_id, "two_tower", self.version, k, items, context, match_count
        )

    def _popular_items(self, user_id, k, filters, context) -> RecommendationList:
        """Return the most popular items that match ``filters``, marked as the fallback."""
        ranked = self._popular.column("item_id").to_numpy()
        counts = self._popular.column("user_count").to_numpy()
        where = compile_filters(filters, self.index.schema)
        columns = [c for c in ("item_id", "title") if c in self.index.schema.names]
        query = self.index.table.search().select(columns)
        if where:
            query = query.where(where)
        matching = query.limit(self.index.table.count_rows()).to_arrow()
        ids = matching.column("item_id").to_pylist()
        titles = matching.column("title").to_pylist() if "title" in columns else [None] * len(ids)
        title_of = dict(zip(ids, titles))
        items = []
        for item_id, count in zip(ranked.tolist(), counts.tolist()):
            if item_id in title_of:
                rank = len(items) + 1
                items.append(Recommendation(item_id, title_of[item_id], float(count), rank))
                if len(items) == k:
                    break
        return RecommendationList(
            user_id, "popular", self.version, k, items, context, matching.num_rows
        )


def _context(hour, weekday) -> tuple[int, int]:
    now = dt.datetime.now(dt.timezone.utc)
    hour = now.hour if hour is None else hour
    weekday = now.isoweekday() if weekday is None else weekday
    if isinstance(hour, bool) or not isinstance(hour, (int, np.integer)) or not 0 <= hour <= 23:
        raise ValueError(f"invalid hour: {hour!r}, expected an integer from 0 to 23")
    if isinstance(weekday, bool) or not isinstance(weekday, (int, np.integer)) or not 1 <= weekday <= 7:
        raise ValueError(
            f"invalid weekday: {weekday!r}, expected 1 (Monday) to 7 (Sunday)"
        )
    return int(hour), int(weekday)


def _to_recommendations(rows) -> list[Recommendation]:
    titles = rows.column("title").to_pylist() if "title" in rows.column_names else [None] * rows.num_rows
    return [
        Recommendation(int(i), t, float(s), int(r))
        for i, t, s, r in zip(
            rows.column("item_id").to_pylist(), titles,
            rows.column("score").to_pylist(), rows.column("rank").to_pylist(),
        )
    ]
