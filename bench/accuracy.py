"""Benchmark sqlrec's models against public anchors on MovieLens-100K, side by side.

Usage::

    python bench/accuracy.py --data PATH/TO/ml-100k \\
        --protocols loo,temporal,loo-shuffled --seeds 0,1,2 \\
        [--anchors ease,sasrec] [--sqlrec two_tower] [--quick] [--output FILE]

The script ingests the data into a fresh temporary store. For each protocol it
tunes every anchor on the tuning phase (``phase="tune"``, seed 0, a small grid,
best recall@10), then runs every chosen configuration and sqlrec's models on the
final phase once per seed. Models whose fit ignores the seed run once. SASRec
is not tuned in the run, because one fit takes over a minute on 2 shared cores.
It uses the settings its class documents, which were chosen on the loo tuning
phase. All models go through ``engine.evaluation.evaluate``, so they share the
split, the full-catalogue ranking (fitted items excluded, ties to the lower item
id) and the SQL metrics. A paired bootstrap compares the per-user recall@10 of the
best sqlrec model with that of the best anchor.

It prints Markdown tables to stdout, progress to stderr, and writes every number
to a JSON file (``bench/results/accuracy-<date>.json`` by default).

The anchors need the packages of ``bench/requirements.txt`` (see that file for
the LightFM install). Anchors whose packages are missing are skipped and listed.
OpenBLAS and OpenMP run on one thread unless the environment already sets their
thread counts. ``implicit`` warns against OpenBLAS threads, and on a busy 2-core
machine one torch thread fitted SASRec about 3 times faster than two.
"""

from __future__ import annotations

import os

for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

import argparse  # noqa: E402
import datetime as dt  # noqa: E402
import importlib.metadata  # noqa: E402
import json  # noqa: E402
import logging  # noqa: E402
import platform  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

from _anchors import MODEL_SPECS, paired_bootstrap, run_final, tune  # noqa: E402
from _anchors._report import (  # noqa: E402
    bootstrap_line,
    final_record,
    final_table,
    tuning_record,
    tuning_table,
)

import engine  # noqa: E402
from engine.evaluation import PROTOCOLS  # noqa: E402
from engine.ingest import ingest_movielens  # noqa: E402

_log = logging.getLogger("accuracy")

BENCH = Path(__file__).resolve().parent
DEFAULT_DATA = BENCH.parents[1] / "shared" / "data" / "ml-100k"
SPECS = {spec.name: spec for spec in MODEL_SPECS}
PACKAGES = ("numpy", "torch", "duckdb", "implicit", "lightfm", "scipy")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--data",
        type=Path,
        default=DEFAULT_DATA,
        help="MovieLens-100K folder (u.data, u.item, u.user, u.genre).",
    )
    parser.add_argument(
        "--protocols",
        default="loo,temporal,loo-shuffled",
        help="Comma-separated protocols. Under loo-shuffled, anchors that read no "
        "interaction order are left out.",
    )
    parser.add_argument(
        "--seeds", default="0,1,2", help="Comma-separated final-phase seeds."
    )
    parser.add_argument(
        "--anchors", help="Comma-separated anchors, or 'none'. Default: all installed."
    )
    parser.add_argument(
        "--sqlrec", help="Comma-separated sqlrec models, or 'none'. Default: all."
    )
    parser.add_argument(
        "--quick", action="store_true", help="One seed and the smaller grids."
    )
    parser.add_argument(
        "--resamples", type=int, default=10_000, help="Bootstrap resamples."
    )
    parser.add_argument(
        "--bootstrap-seed",
        type=int,
        default=0,
        help="Seed of the bootstrap resampling.",
    )
    parser.add_argument(
        "--output",
        type=Path,
        help="JSON file. Default: bench/results/accuracy-<date>.json.",
    )
    parser.add_argument(
        "-v", "--verbose", action="store_true", help="Log the engine too."
    )
    args = parser.parse_args(argv)

    args.protocols = _split(args.protocols)
    unknown = [name for name in args.protocols if name not in PROTOCOLS]
    if unknown:
        parser.error(
            f"invalid protocols: {unknown}, expected some of {list(PROTOCOLS)}"
        )
    args.seeds = [int(value) for value in _split(args.seeds)]
    if args.quick:
        args.seeds = args.seeds[:1]
    args.models = _select(parser, args.anchors, "anchor") + _select(
        parser, args.sqlrec, "sqlrec"
    )
    return args


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def _select(
    parser: argparse.ArgumentParser, text: str | None, source: str
) -> list[str]:
    known = [spec.name for spec in MODEL_SPECS if spec.source == source]
    if text is None:
        return known
    names = [] if text == "none" else _split(text)
    unknown = [name for name in names if name not in known]
    if unknown:
        parser.error(f"invalid {source} models: {unknown}, expected some of {known}")
    return names


def run_protocol(store, protocol: str, names: list[str], args) -> dict:
    """Tune, run the final phase and bootstrap one protocol; print its tables."""
    specs = [SPECS[name] for name in names if protocol in SPECS[name].protocols]
    if not specs:
        print(f"\n### {protocol}: no selected model runs under this protocol")
        return {"final": [], "tuning": [], "bootstrap": None}
    started = time.perf_counter()
    tunings = []
    for spec in specs:
        _log.info("tuning %s on %s", spec.name, protocol)
        tunings.append(tune(store, protocol, spec, quick=args.quick))
    tuning_seconds = time.perf_counter() - started

    _log.info(
        "final phase of %s: %d models, seeds %s", protocol, len(specs), args.seeds
    )
    chosen = {tuning.model: (SPECS[tuning.model], tuning.params) for tuning in tunings}
    results = run_final(store, protocol, chosen, args.seeds)
    final_seconds = time.perf_counter() - started - tuning_seconds

    first = next(iter(results.values()))
    print(
        f"\n### {protocol} (final phase, fingerprint {first.runs[0]['fingerprint']}, "
        f"{first.runs[0]['user_count']} users)\n"
    )
    print(final_table(results, SPECS))
    print(f"\nTuning on {protocol}/tune (seed 0, best recall@10):\n")
    print(tuning_table(tunings, SPECS))

    bootstrap = compare_best(protocol, results, args)
    timing = f"tuning {tuning_seconds:.0f} s, final phase {final_seconds:.0f} s"
    print(f"\n{protocol}: {timing}")
    return {
        "fingerprint": first.runs[0]["fingerprint"],
        "user_count": first.runs[0]["user_count"],
        "tuning_seconds": tuning_seconds,
        "final_seconds": final_seconds,
        "tuning": [tuning_record(tuning) for tuning in tunings],
        "final": [
            final_record(result, SPECS[name]) for name, result in results.items()
        ],
        "bootstrap": bootstrap,
    }


def compare_best(protocol: str, results: dict, args) -> dict | None:
    """Bootstrap per-user recall@10 of the best sqlrec model and the best anchor."""
    best = {}
    for source in ("sqlrec", "anchor"):
        candidates = [r for r in results.values() if SPECS[r.model].source == source]
        if candidates:
            best[source] = max(candidates, key=lambda r: r.mean("recall_at_10"))
    if len(best) < 2:
        return None
    sqlrec, anchor = best["sqlrec"], best["anchor"]
    if list(sqlrec.user_ids) != list(anchor.user_ids):
        raise ValueError(f"evaluated users differ between models under {protocol}")
    interval = paired_bootstrap(
        sqlrec.user_recall_at_10,
        anchor.user_recall_at_10,
        resamples=args.resamples,
        seed=args.bootstrap_seed,
    )
    print("\n" + bootstrap_line(protocol, sqlrec, anchor, interval, SPECS))
    return {"sqlrec": sqlrec.model, "anchor": anchor.model, **vars(interval)}


def _command(args: argparse.Namespace) -> str:
    """Return the command line of this run, with the data folder by name only."""
    words = ["python", "bench/accuracy.py"]
    for word in sys.argv[1:]:
        if word.startswith("--data="):
            word = f"--data=.../{args.data.name}"
        elif words[-1] == "--data":
            word = f".../{args.data.name}"
        words.append(word)
    return " ".join(words)


def _versions() -> dict[str, str | None]:
    versions = {}
    for package in PACKAGES:
        try:
            versions[package] = importlib.metadata.version(package)
        except importlib.metadata.PackageNotFoundError:
            versions[package] = None
    return versions


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(asctime)s %(name)s %(message)s",
        stream=sys.stderr,
    )
    for name in ("accuracy", "_anchors"):
        logging.getLogger(name).setLevel(logging.INFO)
    started = time.perf_counter()

    skipped = {}
    names = []
    for name in args.models:
        missing = SPECS[name].missing_modules()
        if missing:
            skipped[name] = f"missing packages: {', '.join(missing)}"
        else:
            names.append(name)
    for name, reason in skipped.items():
        print(f"skipped {name}: {reason}", file=sys.stderr)

    record = {
        "date": dt.date.today().isoformat(),
        "command": _command(args),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}",
        "threads": {
            key: os.environ.get(key)
            for key in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS")
        },
        "versions": _versions(),
        "quick": args.quick,
        "seeds": args.seeds,
        "skipped": skipped,
        "protocols": {},
    }
    print(f"date: {record['date']}\nmachine: {record['machine']}")
    with tempfile.TemporaryDirectory() as work:
        store = engine.open(Path(work) / "ml.sqlrec", create=True)
        ingest_movielens(store, args.data)
        for protocol in args.protocols:
            record["protocols"][protocol] = run_protocol(store, protocol, names, args)

    record["wall_seconds"] = time.perf_counter() - started
    output = args.output or BENCH / "results" / f"accuracy-{record['date']}.json"
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(
        json.dumps(record, indent=2, default=float) + "\n", encoding="utf-8"
    )
    print(f"\nwall time {record['wall_seconds']:.0f} s; results in {output}")


if __name__ == "__main__":
    main()
