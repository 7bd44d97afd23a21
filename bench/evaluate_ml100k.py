"""Evaluate every model on MovieLens-100K under the loo and temporal protocols.

Usage::

    python bench/evaluate_ml100k.py [--data ../shared/data/ml-100k] [--seed 0]
        [--protocols loo,temporal,loo-shuffled] [--models two_tower,item_knn]

The script ingests the data into a fresh temporary store and runs ``evaluate``
for each protocol on the final phase. It prints one Markdown table per protocol
with recall@10/30/100, NDCG@10, MRR and fit seconds, the split fingerprint, and
the machine it ran on.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import tempfile
import time
from pathlib import Path

import engine
from engine.evaluation import evaluate
from engine.ingest import ingest_movielens

DEFAULT_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "ml-100k"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="MovieLens-100K folder.")
    parser.add_argument("--seed", type=int, default=0, help="Seed of every model.")
    parser.add_argument("--protocols", default="loo,temporal", help="Comma-separated protocols.")
    parser.add_argument("--models", help="Comma-separated models. Default: all registered.")
    args = parser.parse_args()

    print(f"date: {dt.date.today().isoformat()}")
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, {platform.python_version()}")
    with tempfile.TemporaryDirectory() as work:
        store = engine.open(Path(work) / "ml.sqlrec", create=True)
        ingest_movielens(store, args.data)
        for protocol in args.protocols.split(","):
            started = time.perf_counter()
            models = args.models.split(",") if args.models else None
            result = evaluate(store, protocol, models=models, seed=args.seed)
            print(
                f"\n{protocol} (final): fingerprint {result.fingerprint}, "
                f"{result.user_count} users, {time.perf_counter() - started:.0f} s in all\n"
            )
            print("| model | recall@10 | recall@30 | recall@100 | NDCG@10 | MRR | fit s |")
            print("| --- | --- | --- | --- | --- | --- | --- |")
            for m in sorted(result.models, key=lambda m: -m.recall_at_10):
                print(
                    f"| {m.model} | {m.recall_at_10:.3f} | {m.recall_at_30:.3f} | "
                    f"{m.recall_at_100:.3f} | {m.ndcg_at_10:.3f} | {m.mrr:.3f} | "
                    f"{m.fit_seconds:.1f} |"
                )


if __name__ == "__main__":
    main()
