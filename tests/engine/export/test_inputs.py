"""Tests of the numpy input builder of the two towers."""

import datetime as dt

import numpy as np
import pyarrow as pa
import pytest

from engine.export import TowerInputs, utc_context
from engine.export._inputs import (
    NEVER_SEEN,
    UNKNOWN_SINCE_LAST,
    last_seen,
    since_last_slots,
)


@pytest.fixture
def inputs(scorer) -> TowerInputs:
    return scorer.inputs_


def test_query_inputs_known_user(inputs):
    user_id = int(inputs.user_ids[4])

    batch = inputs.query_inputs([user_id], [7], [2])

    assert batch["user_index"].tolist() == [5]
    np.testing.assert_array_equal(batch["user_features"][0], inputs.user_features[4])
    np.testing.assert_array_equal(batch["history"][0], inputs.user_history[4])
    assert batch["hour"].tolist() == [7]
    assert batch["weekday"].tolist() == [2]


def test_query_inputs_dtypes(inputs):
    batch = inputs.query_inputs(inputs.user_ids[:3])

    assert {name: array.dtype for name, array in batch.items()} == {
        "user_index": np.int64,
        "user_features": np.float32,
        "hour": np.int64,
        "weekday": np.int64,
        "since_last": np.int64,
        "history": np.int64,
    }


def test_query_inputs_unknown_user_null_row(inputs):
    batch = inputs.query_inputs([424242])

    names = inputs.user_encoder.feature_names()
    features = dict(zip(names, batch["user_features"][0]))
    assert batch["user_index"].tolist() == [0]
    assert features["age:missing"] == 1.0
    assert features["gender=F"] == 0.0
    assert features["gender=M"] == 0.0
    assert not batch["history"].any()


def test_query_inputs_user_rows(inputs):
    rows = pa.table(
        {"user_id": [424243, 424242], "gender": ["F", "M"], "age": [20, None]}
    )

    batch = inputs.query_inputs(
        [424242, int(inputs.user_ids[0]), 424244], user_rows=rows
    )

    features = [
        dict(zip(inputs.user_encoder.feature_names(), row))
        for row in batch["user_features"]
    ]
    assert features[0]["gender=M"] == 1.0
    assert features[0]["age:missing"] == 1.0
    np.testing.assert_array_equal(batch["user_features"][1], inputs.user_features[0])
    np.testing.assert_array_equal(batch["user_features"][2], inputs.null_user_features)


def test_query_inputs_user_rows_without_id(inputs):
    with pytest.raises(ValueError, match="no 'user_id' column"):
        inputs.query_inputs([424242], user_rows=pa.table({"gender": ["F"]}))


def test_query_inputs_history_drops_unknown_items(inputs):
    known = inputs.item_ids[[0, 1]]

    batch = inputs.query_inputs([1], history=[[known[0], 999999, known[1]]])

    assert batch["history"].tolist() == [[0, 1, 2]]


def test_query_inputs_history_keeps_recent(inputs):
    batch = inputs.query_inputs([1], history=[inputs.item_ids[:6]])

    assert batch["history"].tolist() == [[4, 5, 6]]


@pytest.mark.parametrize(
    ("hour", "weekday", "message"),
    [
        ([24], [1], "invalid hour: 24, expected 0 to 23"),
        ([-1], [1], "invalid hour: -1"),
        ([3], [8], "invalid weekday: 8, expected 1 to 7"),
        ([3, 4], [1], "invalid hour: 2 values for 1 users"),
    ],
)
def test_query_inputs_invalid_context(inputs, hour, weekday, message):
    with pytest.raises(ValueError, match=message):
        inputs.query_inputs([1], hour, weekday)


def test_query_inputs_float_ids(inputs):
    with pytest.raises(TypeError, match="invalid user_ids: dtype float64"):
        inputs.query_inputs(np.array([1.0]))


def test_query_inputs_at_out_of_range(inputs):
    with pytest.raises(ValueError, match="invalid user index: 30"):
        inputs.query_inputs_at(np.array([30]))


def test_item_inputs_catalogue(inputs):
    batch = inputs.item_inputs()

    assert batch["item_index"].tolist() == list(range(1, len(inputs.item_ids) + 1))
    np.testing.assert_array_equal(batch["item_features"], inputs.item_features)


def test_item_inputs_unknown_item(inputs):
    batch = inputs.item_inputs([int(inputs.item_ids[2]), 5])

    assert batch["item_index"].tolist() == [3, 0]
    np.testing.assert_array_equal(batch["item_features"][1], inputs.null_item_features)


def test_utc_context_known_dates():
    moments = [
        dt.datetime(2026, 12, 4, 0, 0, tzinfo=dt.timezone.utc),
        dt.datetime(1970, 1, 1, 13, 5, tzinfo=dt.timezone.utc),
        dt.datetime(1969, 12, 31, 23, 59, tzinfo=dt.timezone.utc),
        dt.datetime(1998, 4, 22, 23, 30, tzinfo=dt.timezone.utc),
    ]
    timestamps = np.array([int(moment.timestamp()) for moment in moments])

    hours, weekdays = utc_context(timestamps)

    assert hours.tolist() == [moment.hour for moment in moments]
    assert weekdays.tolist() == [moment.isoweekday() for moment in moments]


def test_since_last_slots_by_powers_of_two():
    seconds = [0, 1, 2, 3, 4, 59, 60, 3_600, 86_400, 2**22 - 1, 2**22, 10**9, -1]

    slots = since_last_slots(seconds)

    expected = [0, 1, 2, 2, 3, 6, 6, 12, 17, 22, 23, 23, UNKNOWN_SINCE_LAST]
    assert slots.tolist() == expected
    assert slots.dtype == np.int64


def test_last_seen_latest_time_per_user(data):
    seen = last_seen(data)

    offsets = data.user_offsets()
    for user in range(data.user_count):
        times = data.timestamps[offsets[user] : offsets[user + 1]]
        assert seen[user] == (times.max() if len(times) else NEVER_SEEN)


def test_query_inputs_since_last_slots(inputs):
    user_ids = inputs.user_ids[:3]
    seen = inputs.user_last_seen[:3]

    batch = inputs.query_inputs(user_ids, timestamp=seen + np.array([0, 1, 3_600]))

    assert batch["since_last"].tolist() == [0, 1, 12]


@pytest.mark.parametrize(
    "case", ["no timestamp", "unknown user", "before last seen", "new history"]
)
def test_query_inputs_since_last_not_given(inputs, case):
    user_id = int(inputs.user_ids[0])
    later = int(inputs.user_last_seen[0]) + 60
    if case == "no timestamp":
        batch = inputs.query_inputs([user_id])
    elif case == "unknown user":
        batch = inputs.query_inputs([424242], timestamp=[later])
    elif case == "before last seen":
        batch = inputs.query_inputs([user_id], timestamp=[later - 3_600])
    else:
        history = [inputs.item_ids[:2]]
        batch = inputs.query_inputs([user_id], timestamp=[later], history=history)

    assert batch["since_last"].tolist() == [UNKNOWN_SINCE_LAST]


def test_query_inputs_timestamp_length_checked(inputs):
    with pytest.raises(ValueError, match="invalid timestamp: 1 values for 2 users"):
        inputs.query_inputs(inputs.user_ids[:2], timestamp=[1_700_000_000])


def test_inputs_without_last_seen_file(inputs, tmp_path):
    inputs.save(tmp_path)
    (tmp_path / "user_last_seen.npy").unlink()

    loaded = TowerInputs.load(tmp_path)
    batch = loaded.query_inputs(
        inputs.user_ids[:2], timestamp=inputs.user_last_seen[:2] + 5
    )

    assert loaded.user_last_seen is None
    assert batch["since_last"].tolist() == [UNKNOWN_SINCE_LAST] * 2


def test_inputs_round_trip_last_seen(inputs, tmp_path):
    inputs.save(tmp_path)

    loaded = TowerInputs.load(tmp_path)

    np.testing.assert_array_equal(loaded.user_last_seen, inputs.user_last_seen)


def test_seconds_since_last_by_user_id(inputs):
    user_ids = np.r_[inputs.user_ids[:2], 424242]
    seen = inputs.user_last_seen[:2]

    seconds = inputs.seconds_since_last(user_ids, np.r_[seen + [7, -5], 0])

    assert seconds.tolist() == [7, -1, -1]
