"""Interaction data indexed for model fitting.

Models work on dense integer indices; the catalog speaks in original ids. This
module is the one place that maps between them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import duckdb
import numpy as np
import pyarrow as pa

_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def check_identifier(name: str) -> str:
    """Return ``name`` when it is a plain SQL identifier, else raise ``ValueError``."""
    if not isinstance(name, str) or not _IDENTIFIER.match(name):
        raise ValueError(
            f"invalid table or column name: {name!r}, expected letters, digits and _"
        )
    return name


@dataclass
class InteractionData:
    """Interactions of one fitted part, with the full catalogue and user table.

    Attributes
    ----------
    user_ids : ndarray of shape (user_count,), int64
        Original user ids, ascending; position = user index.
    item_ids : ndarray of shape (item_count,), int64
        Every catalogue item id, ascending, including items nobody interacted with.
    users, items : ndarray of shape (interaction_count,), int64
        User and item index of each interaction.
    timestamps : ndarray of shape (interaction_count,), int64
        Unix seconds of each interaction.
    user_features, item_features : pyarrow.Table
        Metadata rows aligned with ``user_ids`` and ``item_ids`` (id column included).

    Interactions are sorted by user index, then in sequence order (timestamp, then
    the tie key the loader was given), so each user's rows form one run.
    """

    user_ids: np.ndarray
    item_ids: np.ndarray
    users: np.ndarray
    items: np.ndarray
    timestamps: np.ndarray
    user_features: pa.Table
    item_features: pa.Table
    _matrix: np.ndarray | None = field(default=None, repr=False)

    @property
    def user_count(self) -> int:
        return len(self.user_ids)

    @property
    def item_count(self) -> int:
        return len(self.item_ids)

    @property
    def interaction_count(self) -> int:
        return len(self.users)

    def user_index(self, ids) -> np.ndarray:
        """Map original user ids to indices; unknown ids map to -1."""
        return _lookup(self.user_ids, ids)

    def item_index(self, ids) -> np.ndarray:
        """Map original item ids to indices; unknown ids map to -1."""
        return _lookup(self.item_ids, ids)

    def matrix(self) -> np.ndarray:
        """Binary user-item matrix of shape (user_count, item_count), float32.

        Repeated interactions of a user with an item count once, as the
        evaluation protocol treats every interaction as one implicit positive.
        """
        if self._matrix is None:
            matrix = np.zeros((self.user_count, self.item_count), dtype=np.float32)
            matrix[self.users, self.items] = 1.0
            self._matrix = matrix
        return self._matrix

    def user_offsets(self) -> np.ndarray:
        """Start offsets of each user's run of interactions, shape (user_count + 1,)."""
        return np.searchsorted(self.users, np.arange(self.user_count + 1))

    def history(self, user: int) -> np.ndarray:
        """Item indices of one user's interactions in sequence order."""
        start, stop = np.searchsorted(self.users, [user, user + 1])
        return self.items[start:stop]

    @classmethod
    def from_catalog(
        cls,
        con: duckdb.DuckDBPyConnection,
        interactions: str = "interactions",
        *,
        tie_key: str = "item_id",
    ) -> InteractionData:
        """Load the interactions of a catalog table, ``interactions`` by default.

        Parameters
        ----------
        con : duckdb connection
            An open catalog.
        interactions : str, default="interactions"
            Table or view with ``user_id, item_id, timestamp`` columns.
        tie_key : str, default="item_id"
            SQL expression over that table ordering a user's interactions within
            one second; ``item_id`` follows the ``loo`` protocol. Only plain
            identifiers are accepted.
        """
        check_identifier(interactions)
        check_identifier(tie_key)
        items = con.sql("select * from items order by item_id").to_arrow_table()
        users = con.sql("select * from users order by user_id").to_arrow_table()
        rows = con.execute(
            f"select user_id, item_id, epoch(timestamp)::bigint as ts "
            f"from {interactions} order by user_id, timestamp, {tie_key}, item_id"
        ).fetchnumpy()
        return cls.from_arrays(
            user_ids=_to_numpy(users, "user_id"),
            item_ids=_to_numpy(items, "item_id"),
            interaction_users=np.asarray(rows["user_id"], dtype=np.int64),
            interaction_items=np.asarray(rows["item_id"], dtype=np.int64),
            timestamps=np.asarray(rows["ts"], dtype=np.int64),
            user_features=users,
            item_features=items,
        )

    @classmethod
    def from_arrays(
        cls,
        *,
        user_ids,
        item_ids,
        interaction_users,
        interaction_items,
        timestamps,
        user_features: pa.Table | None = None,
        item_features: pa.Table | None = None,
    ) -> InteractionData:
        """Build from original ids; interactions must already be in sequence order.

        Users that appear only in the interactions are added to ``user_ids``
        with null features. Interactions with items outside ``item_ids`` raise
        ``ValueError``, because the catalogue defines what can be ranked.
        """
        item_ids = np.asarray(item_ids, dtype=np.int64)
        interaction_users = np.asarray(interaction_users, dtype=np.int64)
        interaction_items = np.asarray(interaction_items, dtype=np.int64)
        user_ids = np.union1d(np.asarray(user_ids, dtype=np.int64), interaction_users)
        if user_features is None:
            user_features = pa.table({"user_id": user_ids})
        if item_features is None:
            item_features = pa.table({"item_id": item_ids})
        user_features = _align(user_features, "user_id", user_ids)
        item_features = _align(item_features, "item_id", item_ids)

        users = _lookup(user_ids, interaction_users)
        items = _lookup(item_ids, interaction_items)
        if (items < 0).any():
            missing = interaction_items[items < 0][:5].tolist()
            raise ValueError(f"interactions name items missing from the catalogue: {missing}")

        # A stable sort by user keeps the given sequence order inside each user.
        order = np.argsort(users, kind="stable")
        return cls(
            user_ids=user_ids,
            item_ids=item_ids,
            users=users[order],
            items=items[order],
            timestamps=np.asarray(timestamps, dtype=np.int64)[order],
            user_features=user_features,
            item_features=item_features,
        )


def _lookup(sorted_ids: np.ndarray, ids) -> np.ndarray:
    ids = np.asarray(ids, dtype=np.int64)
    positions = np.searchsorted(sorted_ids, ids)
    positions = np.clip(positions, 0, max(len(sorted_ids) - 1, 0))
    if len(sorted_ids) == 0:
        return np.full(ids.shape, -1, dtype=np.int64)
    found = sorted_ids[positions] == ids
    return np.where(found, positions, -1).astype(np.int64)


def _to_numpy(table: pa.Table, column: str) -> np.ndarray:
    return np.asarray(table.column(column).to_numpy(zero_copy_only=False), dtype=np.int64)


def _align(table: pa.Table, id_column: str, ids: np.ndarray) -> pa.Table:
    """Reorder ``table`` to match ``ids``, adding null rows for ids it lacks."""
    present = _to_numpy(table, id_column)
    if len(present) == len(ids) and np.array_equal(present, ids):
        return table
    positions = _lookup(present, ids) if len(present) else np.full(len(ids), -1)
    if (np.diff(present) <= 0).any() if len(present) > 1 else False:
        raise ValueError(f"{id_column} values of the feature table are not unique and sorted")
    take = pa.array(np.where(positions >= 0, positions, 0), mask=positions < 0)
    aligned = table.take(take)
    return aligned.set_column(
        aligned.schema.get_field_index(id_column), id_column, pa.array(ids, pa.int64())
    )
