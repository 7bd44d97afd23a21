import re

import engine
from cli import sqlrec
from engine.demo import generate_demo
from engine.ingest import ingest_files


def test_train_timings_aligned(runner, store_path):
    store = engine.open(store_path, create=True)
    demo = generate_demo(seed=1, user_count=40, item_count=60)
    ingest_files(store, demo.interactions, items=demo.items, users=demo.users)

    result = runner.invoke(
        sqlrec,
        ["--store", str(store_path), "train", "--model", "popular,sequence_knn,item_knn"],
    )

    assert result.exit_code == 0, result.output
    timing_lines = [line for line in result.output.splitlines() if line.endswith(" s")]
    assert [line.split()[0] for line in timing_lines] == [
        "popular",
        "sequence_knn",
        "item_knn",
    ]
    assert len({len(line) for line in timing_lines}) == 1
    assert all(re.fullmatch(r"  \S+ +\d+\.\d s", line) for line in timing_lines)


def test_train_empty_model_names_value(runner, store_path):
    engine.open(store_path, create=True)

    result = runner.invoke(sqlrec, ["--store", str(store_path), "train", "--model", ""])

    assert result.exit_code == 2
    assert "invalid models: ''" in result.output
    assert "(''" not in result.output
