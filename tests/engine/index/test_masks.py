import datetime as dt

import lancedb
import numpy as np
import pyarrow as pa
import pytest

from engine.index import Filter, compile_filters
from engine.index._masks import filter_mask

ROW_COUNT = 400


@pytest.fixture(scope="module")
def items(tmp_path_factory):
    rng = np.random.default_rng(11)
    genres = ["Horror", "Comedy", "Drama", "Christmas", "O'Brien"]
    lists = [
        list(rng.choice(genres, rng.integers(0, 4), replace=False))
        for _ in range(ROW_COUNT)
    ]
    # Every tenth row has NULL metadata, which no condition matches in SQL.
    nulls = np.arange(ROW_COUNT) % 10 == 9
    table = pa.table(
        {
            "item_id": pa.array(np.arange(ROW_COUNT), pa.int64()),
            "title": pa.array(
                [None if n else f"t{i % 37}" for i, n in enumerate(nulls)]
            ),
            "genres": pa.array(
                [None if n else g for g, n in zip(lists, nulls)], pa.list_(pa.string())
            ),
            "year": pa.array(
                np.where(nulls, 0, 1950 + np.arange(ROW_COUNT) % 70),
                pa.int32(),
                mask=nulls,
            ),
            "minutes": pa.array(rng.uniform(60, 200, ROW_COUNT), pa.float64()),
            "christmas": pa.array(
                [None if n else bool(i % 7 == 0) for i, n in enumerate(nulls)]
            ),
            "release_date": pa.array(
                [
                    dt.date(1990, 1, 1) + dt.timedelta(days=int(d))
                    for d in rng.integers(0, 4000, ROW_COUNT)
                ]
            ),
        }
    )
    lance_table = lancedb.connect(str(tmp_path_factory.mktemp("masks"))).create_table(
        "items", table
    )
    return table, lance_table


CASES = [
    [Filter("genres", "any", ["Horror"])],
    [Filter("genres", "any", ["Horror", "Christmas"])],
    [Filter("genres", "all", ["Horror", "Comedy"])],
    [Filter("genres", "any", ["O'Brien"])],
    [Filter("genres", "any", ["Western"])],
    [Filter("year", ">=", 1990), Filter("year", "<", 2000)],
    [Filter("year", "=", "1995")],
    [Filter("year", "!=", 1995)],
    [Filter("year", "in", [1951, 1960, 2001])],
    [Filter("year", "not in", [1951, 1960, 2001])],
    [Filter("title", "not in", ["t1", "t5", "nope"])],
    [Filter("minutes", "<=", 90.5)],
    [Filter("minutes", ">", 150)],
    [Filter("christmas", "=", True)],
    [Filter("christmas", "=", "false")],
    [Filter("title", "=", "t3")],
    [Filter("title", "<", "t2")],
    [Filter("title", "in", ["t1", "t5", "nope"])],
    [Filter("release_date", ">=", "1995-06-01")],
    [
        Filter("genres", "any", ["Drama"]),
        Filter("christmas", "=", False),
        Filter("year", ">", 1960),
    ],
]


@pytest.mark.parametrize("filters", CASES)
def test_mask_matches_lance_sql(items, filters):
    table, lance_table = items
    where = compile_filters(filters, table.schema)

    expected = (
        lance_table.search()
        .where(where)
        .select(["item_id"])
        .limit(ROW_COUNT)
        .to_arrow()
    )
    mask = filter_mask(filters, table)

    found = table.column("item_id").to_numpy()[mask]
    assert sorted(found.tolist()) == sorted(expected.column("item_id").to_pylist())


def test_mask_without_filters_keeps_all(items):
    table, _ = items

    mask = filter_mask([], table)

    assert mask.all()
    assert len(mask) == ROW_COUNT


@pytest.mark.parametrize(
    ("flt", "message"),
    [
        (Filter("nope", "=", 1), "unknown filter column: 'nope'"),
        (Filter("vector", "=", 1), "unknown filter column"),
        (Filter("ivf_partition", "=", 1), "unknown filter column"),
        (Filter("year", "=", "199x"), "invalid filter value for year"),
        (Filter("genres", "=", "Horror"), "invalid operator '=' for list column"),
        (Filter("title", "any", ["t1"]), r"invalid operator ~A\|B \('any'\)"),
        (Filter("year", "<", 99999999999), "the range of its type int32"),
        (Filter("item_id", "in", [2**70]), "the range of its type int64"),
    ],
)
def test_mask_rejects_bad_filter(items, flt, message):
    table, _ = items

    with pytest.raises(ValueError, match=message):
        filter_mask([flt], table)
