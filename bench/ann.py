"""Filtered nearest-neighbour search at catalogue scale: sqlrec against its anchors.

In one run, for each catalogue size, this builds three searchers over the same
synthetic item embeddings and times the same queries on each:

- ``sqlrec``: ``ItemIndex.build`` then ``ItemIndex.nearest``, the serving path;
- ``numpy``: exact scoring of every row plus ``argpartition``, the floor for
  exact search and the ground truth for recall;
- ``hnswlib``: HNSW with M = 16 and ef = max(100, k), the speed anchor
  (unfiltered queries only, since hnswlib has no metadata filters);
- ``lancedb``: a search call on the same LanceDB table through its own
  IVF_HNSW_SQ index with a prefilter, for reference.

Embeddings are a normalised Gaussian mixture drawn with a fixed seed. Filters
keep 50%, 1% and 0.01% of the items through an integer ``bucket`` column, which
is independent of the vectors. Results go to stdout as a Markdown table, one row
per case as it finishes, and, with ``--output``, to a JSON file. Progress lines
go to stderr.

Example (from the repository root, with hnswlib from bench/requirements.txt)::

    OPENBLAS_NUM_THREADS=1 .venv/bin/python bench/ann.py --sizes 100000,500000
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import platform
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa

from engine.index import Filter, ItemIndex

BUCKETS = 10_000
#: Filter name, the Filter, and the share of items it keeps.
FILTERS = {
    "none": (None, 1.0),
    "50%": (Filter("bucket", "<", 5000), 0.5),
    "1%": (Filter("bucket", "<", 100), 0.01),
    "0.01%": (Filter("bucket", "=", 0), 0.0001),
}


def mixture(
    count: int, size: int, rng: np.random.Generator, centres: np.ndarray
) -> np.ndarray:
    """Draw ``count`` normalised points around randomly chosen ``centres``."""
    labels = rng.integers(0, len(centres), count)
    points = centres[labels] + rng.normal(scale=1.0 / np.sqrt(size), size=(count, size))
    points /= np.linalg.norm(points, axis=1, keepdims=True)
    return points.astype(np.float32)


def make_data(item_count: int, size: int, query_count: int, seed: int):
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(max(16, item_count // 500), size))
    centres /= np.linalg.norm(centres, axis=1, keepdims=True)
    items = mixture(item_count, size, rng, centres)
    queries = mixture(query_count, size, rng, centres)
    metadata = pa.table(
        {
            "item_id": pa.array(np.arange(item_count), pa.int64()),
            "bucket": pa.array(rng.integers(0, BUCKETS, item_count), pa.int32()),
        }
    )
    return items, queries, metadata


def exact_top(items, query, k, mask):
    """Exact numpy search: score every row, mask, argpartition, sort the k best."""
    scores = items @ query
    if mask is not None:
        scores[~mask] = -np.inf
    count = min(k, int(mask.sum()) if mask is not None else len(scores))
    best = np.argpartition(-scores, count - 1)[:count]
    return best[np.argsort(-scores[best])]


def timed(search, queries):
    """Run ``search`` on every query; return the results and latencies in ms."""
    results, latencies = [], []
    for query in queries:
        started = time.perf_counter()
        results.append(search(query))
        latencies.append((time.perf_counter() - started) * 1e3)
    return results, np.array(latencies)


def recall(found, truth) -> float:
    """Share of the exact results that ``found`` contains, over all queries.

    When no query has an exact result (the filter matches no item), recall is
    1.0 if every search also returned nothing, and 0.0 otherwise.
    """
    expected = sum(len(t) for t in truth)
    if expected == 0:
        return 1.0 if all(len(f) == 0 for f in found) else 0.0
    hits = sum(len(np.intersect1d(f, t)) for f, t in zip(found, truth))
    return hits / expected


def summary(path, size, k, name, latencies, found, truth, build_s):
    return {
        "path": path,
        "items": size,
        "k": k,
        "filter": name,
        "p50_ms": float(np.percentile(latencies, 50)),
        "p99_ms": float(np.percentile(latencies, 99)),
        "recall": recall(found, truth),
        "build_s": build_s,
    }


def run_size(item_count, size, query_count, ks, seed, workdir, skip):
    items, queries, metadata = make_data(item_count, size, query_count, seed)
    bucket = metadata.column("bucket").to_numpy()
    masks = {
        "none": None,
        "50%": bucket < 5000,
        "1%": bucket < 100,
        "0.01%": bucket == 0,
    }
    rows = []

    started = time.perf_counter()
    index = ItemIndex.build(workdir, f"items_{item_count}", metadata, items, seed=seed)
    build_s = time.perf_counter() - started
    reader = ItemIndex(workdir, index.table_name, index.table_version)
    started = time.perf_counter()
    reader.snapshot()
    load_s = time.perf_counter() - started
    print(
        f"{item_count} items: sqlrec build {build_s:.1f}s, snapshot load {load_s:.2f}s",
        file=sys.stderr,
    )

    hnsw, hnsw_build_s = None, None
    if "hnswlib" not in skip:
        import hnswlib

        started = time.perf_counter()
        hnsw = hnswlib.Index(space="ip", dim=size)
        hnsw.init_index(
            max_elements=item_count, M=16, ef_construction=100, random_seed=seed
        )
        hnsw.add_items(items, np.arange(item_count))
        hnsw_build_s = time.perf_counter() - started
        print(
            f"{item_count} items: hnswlib build {hnsw_build_s:.1f}s", file=sys.stderr
        )

    lance_table = reader.table
    for k in ks:
        for name, (flt, _) in FILTERS.items():
            mask = masks[name]
            first_row = len(rows)
            truth, latencies = timed(lambda q: exact_top(items, q, k, mask), queries)
            rows.append(
                summary("numpy", item_count, k, name, latencies, truth, truth, 0.0)
            )

            filters = [flt] if flt is not None else []

            def ours(q):
                return reader.nearest(q, k, filters=filters, columns=("item_id",))

            results, latencies = timed(ours, queries)
            found = [r.column("item_id").to_numpy() for r in results]
            rows.append(
                summary("sqlrec", item_count, k, name, latencies, found, truth, build_s)
            )

            if hnsw is not None and flt is None:
                hnsw.set_ef(max(100, k))
                results, latencies = timed(
                    lambda q: hnsw.knn_query(q, k)[0][0], queries
                )
                rows.append(
                    summary(
                        "hnswlib",
                        item_count,
                        k,
                        name,
                        latencies,
                        results,
                        truth,
                        hnsw_build_s,
                    )
                )

            if "lancedb" not in skip:
                where = (
                    f"bucket < {5000 if name == '50%' else 100}"
                    if name in ("50%", "1%")
                    else ("bucket = 0" if name == "0.01%" else None)
                )

                def lance(q):
                    search = (
                        lance_table.search(q)
                        .distance_type("dot")
                        .select(["item_id", "_distance"])
                    )
                    if where:
                        search = search.where(where, prefilter=True)
                    return search.limit(k).ef(max(100, k)).to_arrow()

                results, latencies = timed(lance, queries[: max(20, query_count // 4)])
                found = [r.column("item_id").to_numpy() for r in results]
                rows.append(
                    summary(
                        "lancedb",
                        item_count,
                        k,
                        name,
                        latencies,
                        found,
                        truth[: len(found)],
                        build_s,
                    )
                )
            print(format_rows(rows[first_row:]), flush=True)
    return rows


def format_rows(rows) -> str:
    lines = []
    for r in rows:
        lines.append(
            f"| {r['items']:,} | {r['k']:,} | {r['filter']} | {r['path']} | "
            f"{r['p50_ms']:.2f} | {r['p99_ms']:.2f} | {r['recall']:.3f} | "
            f"{r['build_s']:.1f} |"
        )
    return "\n".join(lines)


def positive_int(text: str) -> int:
    """Parse a positive integer argument."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value <= 0:
        raise argparse.ArgumentTypeError(
            f"invalid value: {text!r}, expected a positive integer"
        )
    return value


def positive_ints(text: str) -> list[int]:
    """Parse a comma-separated list of positive integers, such as 100000,500000."""
    return [positive_int(part.strip()) for part in text.split(",")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes",
        type=positive_ints,
        default="100000,500000",
        help="Item counts, comma-separated.",
    )
    parser.add_argument(
        "--embedding-size", type=positive_int, default=64, help="Vector dimension."
    )
    parser.add_argument(
        "--queries", type=positive_int, default=200, help="Queries per case."
    )
    parser.add_argument(
        "--ks",
        type=positive_ints,
        default="100,10000",
        help="Values of k, comma-separated.",
    )
    parser.add_argument(
        "--seed", type=int, default=0, help="Seed of data, queries and k-means."
    )
    parser.add_argument(
        "--skip", default="", help="Paths to leave out: hnswlib,lancedb."
    )
    parser.add_argument("--output", type=Path, help="Write the results as JSON here.")
    args = parser.parse_args()

    skip = set(filter(None, args.skip.split(",")))
    rows = []
    print("| items | k | filter | path | p50 ms | p99 ms | recall | build s |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    with tempfile.TemporaryDirectory() as workdir:
        for item_count in args.sizes:
            rows += run_size(
                item_count,
                args.embedding_size,
                args.queries,
                args.ks,
                args.seed,
                Path(workdir),
                skip,
            )

    if args.output:
        record = {
            "date": dt.date.today().isoformat(),
            "machine": platform.platform(),
            "arguments": vars(args) | {"output": str(args.output)},
            "rows": rows,
        }
        args.output.write_text(json.dumps(record, indent=2))


if __name__ == "__main__":
    main()
