"""Input arrays of the two towers, built with numpy alone.

The query tower and the item tower take integer indices and dense feature rows.
:class:`TowerInputs` contains the vocabularies, the encoded metadata and each
user's recent items of one fitted model, and turns original ids plus context
into the arrays the towers read. The torch scorer and ONNX serving both build
their inputs here, so they cannot drift apart, and serving never imports torch.
"""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pyarrow as pa

from engine.features import FeatureEncoder, InteractionData

_log = logging.getLogger(__name__)

#: Index of an unknown user or item in the embedding tables; known ids start at 1.
UNKNOWN_INDEX = 0
#: ``hour`` value that means "no hour given": the tower learned a slot for it.
UNKNOWN_HOUR = 24
#: ``weekday`` value that means "no weekday given".
UNKNOWN_WEEKDAY = 0
#: ``since_last`` value that means "not given": no request time, a request
#: before the user's latest fitted interaction, or no fitted interaction.
UNKNOWN_SINCE_LAST = 24
#: Timestamp that marks a user without fitted interactions in ``user_last_seen``.
NEVER_SEEN = np.iinfo(np.int64).min

#: Input names of the query tower, in ``forward`` order; ONNX uses the same names.
QUERY_INPUTS = (
    "user_index", "user_features", "hour", "weekday", "since_last", "history"
)
#: Query tower inputs of towers saved before ``since_last`` existed.
QUERY_INPUTS_WITHOUT_SINCE_LAST = tuple(
    name for name in QUERY_INPUTS if name != "since_last"
)
#: Input names of the item tower, in ``forward`` order.
ITEM_INPUTS = ("item_index", "item_features")

USER_IDS_FILE = "user_ids.npy"
ITEM_IDS_FILE = "item_ids.npy"
USER_FEATURES_FILE = "user_features.npy"
ITEM_FEATURES_FILE = "item_features.npy"
USER_HISTORY_FILE = "user_history.npy"
USER_LAST_SEEN_FILE = "user_last_seen.npy"
USER_ENCODER_FILE = "user_encoder.json"
ITEM_ENCODER_FILE = "item_encoder.json"


class TowerInputs:
    """Vocabularies and encoded metadata that feed the two towers.

    Parameters
    ----------
    user_ids, item_ids : ndarray of shape (user_count,) and (item_count,), int64
        Original ids of the fitted data, ascending; id at position p has index p + 1.
    user_features : ndarray of shape (user_count, user_feature_count), float32
        Encoded user metadata aligned with ``user_ids``.
    item_features : ndarray of shape (item_count, item_feature_count), float32
        Encoded item metadata aligned with ``item_ids``.
    user_history : ndarray of shape (user_count, history_length), int64
        Item indices (position + 1) of each user's most recent fitted items, oldest
        first, padded with 0 at the front.
    user_encoder, item_encoder : FeatureEncoder
        The fitted encoders, used for rows of ids outside the vocabularies.
    user_last_seen : ndarray of shape (user_count,), int64, optional
        Unix seconds of each user's latest fitted interaction, ``NEVER_SEEN``
        for none. Without it (inputs saved before it existed) every query gets
        the "not given" ``since_last`` slot.
    """

    def __init__(
        self,
        user_ids: np.ndarray,
        item_ids: np.ndarray,
        user_features: np.ndarray,
        item_features: np.ndarray,
        user_history: np.ndarray,
        user_encoder: FeatureEncoder,
        item_encoder: FeatureEncoder,
        user_last_seen: np.ndarray | None = None,
    ):
        self.user_ids = np.asarray(user_ids, dtype=np.int64)
        self.item_ids = np.asarray(item_ids, dtype=np.int64)
        self.user_features = np.asarray(user_features, dtype=np.float32)
        self.item_features = np.asarray(item_features, dtype=np.float32)
        self.user_history = np.asarray(user_history, dtype=np.int64)
        self.user_encoder = user_encoder
        self.item_encoder = item_encoder
        self.user_last_seen = (
            None
            if user_last_seen is None
            else np.asarray(user_last_seen, dtype=np.int64)
        )

        # Ids without a metadata row get the encoding of a row whose every
        # column is null.
        self.null_user_features = _null_row(user_encoder)
        self.null_item_features = _null_row(item_encoder)

    @classmethod
    def from_data(cls, data: InteractionData, user_history: np.ndarray) -> TowerInputs:
        """Fit the metadata encoders on ``data`` and encode its users and items.

        Titles are skipped, because a free-text title adds little to the item id.
        """
        user_encoder = FeatureEncoder("user_id").fit(data.user_features)
        item_encoder = FeatureEncoder("item_id").fit(
            data.item_features, skip=("title",)
        )
        return cls(
            user_ids=data.user_ids,
            item_ids=data.item_ids,
            user_features=_encode(user_encoder, data.user_features),
            item_features=_encode(item_encoder, data.item_features),
            user_history=user_history,
            user_encoder=user_encoder,
            item_encoder=item_encoder,
            user_last_seen=last_seen(data),
        )

    @property
    def history_length(self) -> int:
        return self.user_history.shape[1]

    # Query tower.
    def query_inputs(
        self,
        user_ids,
        hour=None,
        weekday=None,
        *,
        timestamp=None,
        history=None,
        user_rows: pa.Table | None = None,
    ) -> dict[str, np.ndarray]:
        """Build the query tower's inputs for original user ids.

        Parameters
        ----------
        user_ids : array-like of shape (batch,), int
            Original user ids; ids outside the vocabulary get index 0.
        hour, weekday : array-like of shape (batch,), int, optional
            Hour of day (0-23) and ISO weekday (1 = Monday to 7 = Sunday) in UTC.
            Omitted, every row gets the learned "no context" slot (24 and 0).
        timestamp : array-like of shape (batch,), int, optional
            Unix seconds of each request. A known user's ``since_last`` slot
            then encodes the time since the user's latest fitted interaction
            (:func:`since_last_slots`). Omitted, every row gets the "not given"
            slot.
        history : sequence of array-like of item ids, optional
            One sequence per row, oldest first, replacing the fitted history; ids
            outside the item vocabulary are dropped. Omitted, known users get their
            fitted history and unknown users an empty one. A replaced history
            has no fitted time, so its row gets the "not given" ``since_last``.
        user_rows : pyarrow.Table, optional
            Metadata rows (``user_id`` plus any columns) for users outside the
            vocabulary; unknown users without a row get an all-null row.

        Returns
        -------
        dict of str to ndarray
            ``user_index``, ``user_features``, ``hour``, ``weekday``,
            ``since_last``, ``history``.
        """
        user_ids = _as_ids(user_ids, "user_ids")
        positions = _lookup(self.user_ids, user_ids)
        inputs = self.query_inputs_at(positions, hour, weekday, timestamp)

        unknown = positions < 0
        if user_rows is not None and unknown.any():
            inputs["user_features"][unknown] = self._encode_user_rows(
                user_ids[unknown], user_rows
            )
        if history is not None:
            inputs["history"] = self._history_from_ids(history, len(user_ids))
            inputs["since_last"][:] = UNKNOWN_SINCE_LAST
        return inputs

    def query_inputs_at(
        self, users, hour=None, weekday=None, timestamp=None
    ) -> dict[str, np.ndarray]:
        """Build the query tower's inputs for user positions (-1 = unknown user).

        ``hour``, ``weekday`` and ``timestamp`` are as in :meth:`query_inputs`.
        """
        users = _as_ids(users, "users")
        if (users >= len(self.user_ids)).any() or (users < -1).any():
            bad = users[(users >= len(self.user_ids)) | (users < -1)][0]
            raise ValueError(
                f"invalid user index: {bad}, expected -1 (unknown) or 0 to "
                f"{len(self.user_ids) - 1}"
            )
        known = users >= 0
        features = np.tile(self.null_user_features, (len(users), 1))
        features[known] = self.user_features[users[known]]
        history = np.zeros((len(users), self.history_length), dtype=np.int64)
        history[known] = self.user_history[users[known]]
        return {
            "user_index": np.where(known, users + 1, UNKNOWN_INDEX).astype(np.int64),
            "user_features": features,
            "hour": _context(hour, len(users), "hour", 0, 23, UNKNOWN_HOUR),
            "weekday": _context(weekday, len(users), "weekday", 1, 7, UNKNOWN_WEEKDAY),
            "since_last": since_last_slots(self._seconds_at(users, timestamp)),
            "history": history,
        }

    def seconds_since_last(self, user_ids, timestamp) -> np.ndarray:
        """Return the seconds from each user's latest fitted interaction to a request.

        ``user_ids`` are original ids and ``timestamp`` unix seconds, one per
        user. The result is -1 where the query tower reads the time as not
        given: an unknown user, a user without fitted interactions, inputs
        saved without last-seen times, or a request before that interaction.
        """
        user_ids = _as_ids(user_ids, "user_ids")
        return self._seconds_at(_lookup(self.user_ids, user_ids), timestamp)

    def _seconds_at(self, users: np.ndarray, timestamp) -> np.ndarray:
        """Return :meth:`seconds_since_last` for user positions (-1 = unknown user)."""
        seconds = np.full(len(users), -1, dtype=np.int64)
        if timestamp is None:
            return seconds
        times = _as_ids(timestamp, "timestamp")
        if len(times) != len(users):
            raise ValueError(
                f"invalid timestamp: {len(times)} values for {len(users)} users, "
                "expected one value per user"
            )
        if self.user_last_seen is None:
            return seconds
        known = users >= 0
        seen = np.full(len(users), NEVER_SEEN, dtype=np.int64)
        seen[known] = self.user_last_seen[users[known]]
        has_time = seen != NEVER_SEEN
        seconds[has_time] = np.maximum(times[has_time] - seen[has_time], -1)
        return seconds

    # Item tower.
    def item_inputs(self, item_ids=None) -> dict[str, np.ndarray]:
        """Build the item tower's inputs for original item ids (default: the catalogue).

        Ids outside the vocabulary get index 0 and an all-null metadata row.
        """
        if item_ids is None:
            positions = np.arange(len(self.item_ids), dtype=np.int64)
        else:
            positions = _lookup(self.item_ids, _as_ids(item_ids, "item_ids"))
        known = positions >= 0
        features = np.tile(self.null_item_features, (len(positions), 1))
        features[known] = self.item_features[positions[known]]
        return {
            "item_index": np.where(known, positions + 1, UNKNOWN_INDEX).astype(
                np.int64
            ),
            "item_features": features,
        }

    # Files.
    def save(self, directory: Path) -> None:
        """Write the arrays and encoders into ``directory`` (created if missing)."""
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        np.save(directory / USER_IDS_FILE, self.user_ids, allow_pickle=False)
        np.save(directory / ITEM_IDS_FILE, self.item_ids, allow_pickle=False)
        np.save(directory / USER_FEATURES_FILE, self.user_features, allow_pickle=False)
        np.save(directory / ITEM_FEATURES_FILE, self.item_features, allow_pickle=False)
        np.save(directory / USER_HISTORY_FILE, self.user_history, allow_pickle=False)
        if self.user_last_seen is not None:
            np.save(
                directory / USER_LAST_SEEN_FILE, self.user_last_seen, allow_pickle=False
            )
        (directory / USER_ENCODER_FILE).write_text(self.user_encoder.to_json())
        (directory / ITEM_ENCODER_FILE).write_text(self.item_encoder.to_json())

    @classmethod
    def load(cls, directory: Path) -> TowerInputs:
        """Read the files written by :meth:`save`."""
        directory = Path(directory)
        missing = [
            name
            for name in (
                USER_IDS_FILE,
                ITEM_IDS_FILE,
                USER_HISTORY_FILE,
                USER_ENCODER_FILE,
            )
            if not (directory / name).is_file()
        ]
        if missing:
            raise FileNotFoundError(
                f"tower input files not found in {directory}: {', '.join(missing)} "
                "(write them with TwoTowerScorer.save or export_towers)"
            )
        arrays = {
            name: np.load(directory / name, allow_pickle=False)
            for name in (
                USER_IDS_FILE,
                ITEM_IDS_FILE,
                USER_FEATURES_FILE,
                ITEM_FEATURES_FILE,
                USER_HISTORY_FILE,
            )
        }
        # Inputs saved before the request gap existed have no last-seen file.
        last_seen_path = directory / USER_LAST_SEEN_FILE
        return cls(
            user_last_seen=(
                np.load(last_seen_path, allow_pickle=False)
                if last_seen_path.is_file()
                else None
            ),
            user_ids=arrays[USER_IDS_FILE],
            item_ids=arrays[ITEM_IDS_FILE],
            user_features=arrays[USER_FEATURES_FILE],
            item_features=arrays[ITEM_FEATURES_FILE],
            user_history=arrays[USER_HISTORY_FILE],
            user_encoder=FeatureEncoder.from_json(
                (directory / USER_ENCODER_FILE).read_text()
            ),
            item_encoder=FeatureEncoder.from_json(
                (directory / ITEM_ENCODER_FILE).read_text()
            ),
        )

    def _encode_user_rows(
        self, user_ids: np.ndarray, user_rows: pa.Table
    ) -> np.ndarray:
        id_column = self.user_encoder.id_column
        if id_column not in user_rows.column_names:
            raise ValueError(
                f"user_rows has no {id_column!r} column, add it to match rows"
            )
        encoded = _encode(self.user_encoder, user_rows)
        row_ids = np.asarray(
            user_rows.column(id_column).to_numpy(zero_copy_only=False), dtype=np.int64
        )
        order = np.argsort(row_ids, kind="stable")
        found = _lookup(row_ids[order], user_ids)
        features = np.tile(self.null_user_features, (len(user_ids), 1))
        features[found >= 0] = encoded[order[found[found >= 0]]]
        return features

    def _history_from_ids(self, history, row_count: int) -> np.ndarray:
        if len(history) != row_count:
            raise ValueError(
                f"invalid history: {len(history)} sequences for {row_count} users, "
                "expected one sequence per user"
            )
        out = np.zeros((row_count, self.history_length), dtype=np.int64)
        for row, sequence in enumerate(history):
            positions = _lookup(self.item_ids, _as_ids(sequence, "history"))
            recent = positions[positions >= 0][-self.history_length :] + 1
            if len(recent):
                out[row, -len(recent) :] = recent
        return out


def _encode(encoder: FeatureEncoder, table: pa.Table) -> np.ndarray:
    """Encode ``table``, as one zero column when the encoder kept no column.

    The towers always take a feature matrix, and a zero-width one would give a
    weight matrix without entries, which ONNX export handles badly.
    """
    encoded = encoder.transform(table)
    if encoded.shape[1] == 0:
        return np.zeros((table.num_rows, 1), dtype=np.float32)
    return encoded


def since_last_slots(seconds) -> np.ndarray:
    """Return the slot of each gap in seconds from a user's previous interaction.

    0 is the same second, and a gap of g >= 1 seconds gets ``1 + floor(log2(g))``
    up to 23, which every gap of 2**22 seconds (about 49 days) or more
    shares. A negative gap, a request before the previous interaction, gets
    ``UNKNOWN_SINCE_LAST``.
    """
    seconds = np.asarray(seconds, dtype=np.int64)
    slots = 1 + np.minimum(
        np.floor(np.log2(np.maximum(seconds, 1))).astype(np.int64), 22
    )
    slots = np.where(seconds == 0, 0, slots)
    return np.where(seconds < 0, UNKNOWN_SINCE_LAST, slots).astype(np.int64)


def last_seen(data: InteractionData) -> np.ndarray:
    """Unix seconds of each user's latest interaction in ``data``, or ``NEVER_SEEN``."""
    offsets = data.user_offsets().astype(np.int64)
    seen = np.full(data.user_count, NEVER_SEEN, dtype=np.int64)
    has_rows = offsets[1:] > offsets[:-1]
    if has_rows.any():
        # The starts of users with rows rise strictly, so each reduction covers
        # exactly one user's rows.
        seen[has_rows] = np.maximum.reduceat(
            np.asarray(data.timestamps, dtype=np.int64), offsets[:-1][has_rows]
        )
    return seen


def utc_context(timestamps) -> tuple[np.ndarray, np.ndarray]:
    """Hour (0-23) and ISO weekday (1-7), in UTC, of unix-second timestamps."""
    timestamps = np.asarray(timestamps, dtype=np.int64)
    hours = (timestamps // 3600) % 24
    # Day 0 of the unix epoch, 1970-01-01, was a Thursday (ISO weekday 4).
    weekdays = (timestamps // 86400 + 3) % 7 + 1
    return hours.astype(np.int64), weekdays.astype(np.int64)


def _null_row(encoder: FeatureEncoder) -> np.ndarray:
    # The encoder marks a column absent from the table as missing, exactly as a null.
    table = pa.table({encoder.id_column: pa.array([0], pa.int64())})
    return _encode(encoder, table)[0]


def _as_ids(values, name: str) -> np.ndarray:
    array = np.asarray(values)
    if array.ndim != 1:
        raise ValueError(f"invalid {name}: shape {array.shape}, expected one dimension")
    if array.size and not np.issubdtype(array.dtype, np.integer):
        raise TypeError(f"invalid {name}: dtype {array.dtype}, expected integers")
    return array.astype(np.int64)


def _lookup(sorted_ids: np.ndarray, ids: np.ndarray) -> np.ndarray:
    """Positions of ``ids`` in ``sorted_ids``, -1 where absent."""
    if len(sorted_ids) == 0:
        return np.full(ids.shape, -1, dtype=np.int64)
    positions = np.clip(np.searchsorted(sorted_ids, ids), 0, len(sorted_ids) - 1)
    return np.where(sorted_ids[positions] == ids, positions, -1).astype(np.int64)


def _context(values, row_count: int, name: str, low: int, high: int, unknown: int):
    if values is None:
        return np.full(row_count, unknown, dtype=np.int64)
    array = _as_ids(values, name)
    if len(array) != row_count:
        raise ValueError(
            f"invalid {name}: {len(array)} values for {row_count} users, "
            "expected one value per user"
        )
    bad = (array < low) | (array > high)
    if bad.any():
        raise ValueError(f"invalid {name}: {array[bad][0]}, expected {low} to {high}")
    return array
