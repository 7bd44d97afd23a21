"""Offline evaluation: protocol splits, full-catalogue ranking and SQL metrics.

:func:`evaluate` splits the store's interactions by a protocol (``loo``,
``loo-shuffled`` or ``temporal``), fits each model on the fitted part, ranks every
catalogue item for every evaluated user and computes recall@10/30/100, NDCG@10 and
MRR with the SQL macros of ``sql/evaluation``. Runs are recorded in ``eval_runs``.
"""

from engine.evaluation._protocols import (
    PHASES,
    PROTOCOLS,
    Split,
    build_split,
    split_fingerprint,
)
from engine.evaluation._runner import EvaluationResult, ModelMetrics, evaluate

__all__ = [
    "PHASES",
    "PROTOCOLS",
    "EvaluationResult",
    "ModelMetrics",
    "Split",
    "build_split",
    "evaluate",
    "split_fingerprint",
]
