"""Accuracy floors of the non-neural models on MovieLens-100K, leave-last-out split.

The split follows the ``loo`` protocol: each user's interactions sorted by
(timestamp, item_id), the last one held out, the rest fitted (99,057 rows).
Every catalogue item except the user's fitted ones is ranked, ties to the
lower item id. The floors are published figures of public baselines on this
exact split, so a regression below them fails.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pyarrow as pa
import pytest

from engine.features import InteractionData
from engine.models._hybrid import HybridScorer
from engine.models._item_knn import ItemKNNScorer
from engine.models._metadata import MetadataScorer
from engine.models._popular import PopularityScorer
from engine.models._sequence_knn import SequenceKNNScorer
from engine.models._sequence_linear import SequenceLinearScorer
from engine.models._user_knn import UserKNNScorer

KS = (10, 30, 100)

# Recall@10, @30 and @100 of public baselines on this split: implicit's cosine
# item-kNN, a 50-neighbour cosine user-kNN, and a genre profile blended with a
# tuned popularity prior.
ITEM_KNN_BASELINE = (0.072, 0.178, 0.376)
USER_KNN_BASELINE = (0.073, 0.173, 0.423)
GENRE_PROFILE_BASELINE = (0.050, 0.103, 0.252)
BEST_KNN_BASELINE = tuple(map(max, ITEM_KNN_BASELINE, USER_KNN_BASELINE))

# Each model has to beat these at every k. Popularity only has to stay at its
# own published figures.
FLOORS = {
    "item_knn": BEST_KNN_BASELINE,
    "user_knn": BEST_KNN_BASELINE,
    "sequence_knn": BEST_KNN_BASELINE,
    "sequence_linear": BEST_KNN_BASELINE,
    "metadata": GENRE_PROFILE_BASELINE,
}
POPULAR_FIGURES = (0.050, 0.103, 0.233)


def read_items(directory) -> pa.Table:
    genre_names = [
        line.split("|")[0]
        for line in (directory / "u.genre").read_text(encoding="latin-1").splitlines()
        if line
    ]
    columns = {"item_id": [], "title": [], "release_date": [], "genres": []}
    for line in (directory / "u.item").read_text(encoding="latin-1").splitlines():
        if not line:
            continue
        fields = line.split("|")
        flags = fields[5 : 5 + len(genre_names)]
        columns["item_id"].append(int(fields[0]))
        columns["title"].append(fields[1])
        date = dt.datetime.strptime(fields[2], "%d-%b-%Y").date() if fields[2] else None
        columns["release_date"].append(date)
        columns["genres"].append(
            [g for g, flag in zip(genre_names, flags) if flag == "1"]
        )
    return pa.table(columns)


@pytest.fixture(scope="module")
def leave_last_out(ml100k_dir):
    rows = np.loadtxt(ml100k_dir / "u.data", dtype=np.int64)
    users, items, timestamps = rows[:, 0], rows[:, 1], rows[:, 3]
    order = np.lexsort((items, timestamps, users))
    users, items, timestamps = users[order], items[order], timestamps[order]
    last = np.r_[users[1:] != users[:-1], True]
    item_features = read_items(ml100k_dir)

    data = InteractionData.from_arrays(
        user_ids=np.unique(users),
        item_ids=item_features.column("item_id").to_numpy(),
        interaction_users=users[~last],
        interaction_items=items[~last],
        timestamps=timestamps[~last],
        item_features=item_features,
    )
    return data, data.item_index(items[last])


def recall_at_ks(scores: np.ndarray, data: InteractionData, held_out: np.ndarray):
    scores = np.where(data.matrix() > 0, -np.inf, scores.astype(np.float64))
    target = scores[np.arange(len(scores)), held_out][:, None]
    lower_id = np.arange(data.item_count)[None, :] < held_out[:, None]
    ranks = (
        1 + (scores > target).sum(axis=1) + ((scores == target) & lower_id).sum(axis=1)
    )
    return tuple(float((ranks <= k).mean()) for k in KS)


@pytest.mark.slow
def test_movielens_popular_figures(leave_last_out, seed):
    data, held_out = leave_last_out

    scores = PopularityScorer().fit(data, seed=seed).score(np.arange(data.user_count))
    recalls = recall_at_ks(scores, data, held_out)

    assert data.interaction_count == 99_057
    assert len(held_out) == 943
    for k, recall, figure in zip(KS, recalls, POPULAR_FIGURES):
        # The figures are rounded to three decimals, so the recalls are too.
        assert round(recall, 3) >= figure, f"popular recall@{k} {recall:.4f}"


@pytest.mark.slow
@pytest.mark.parametrize(
    "scorer",
    [ItemKNNScorer(), UserKNNScorer(), SequenceKNNScorer(), SequenceLinearScorer(),
     MetadataScorer()],
    ids=lambda scorer: scorer.name,
)
def test_movielens_beats_baselines(scorer, leave_last_out, seed):
    data, held_out = leave_last_out

    scores = scorer.fit(data, seed=seed).score(np.arange(data.user_count))
    recalls = recall_at_ks(scores, data, held_out)

    for k, recall, floor in zip(KS, recalls, FLOORS[scorer.name]):
        assert recall > floor, f"{scorer.name} recall@{k} {recall:.4f} <= {floor}"


@pytest.mark.slow
def test_movielens_hybrid_beats_parts(leave_last_out, seed):
    data, held_out = leave_last_out
    users = np.arange(data.user_count)
    hybrid = HybridScorer().fit(data, seed=seed)

    hybrid_recalls = recall_at_ks(hybrid.score(users), data, held_out)

    # The parts as registered models, each with its own defaults. The two-tower
    # part is the hybrid's own, because a second fit would take minutes.
    for part in (
        ItemKNNScorer().fit(data),
        UserKNNScorer().fit(data),
        SequenceKNNScorer().fit(data),
        SequenceLinearScorer().fit(data),
        MetadataScorer().fit(data),
        hybrid.parts_["two_tower"],
    ):
        part_recalls = recall_at_ks(part.score(users), data, held_out)
        for k, blended, alone in zip(KS, hybrid_recalls, part_recalls):
            # Scored without a request time, the hybrid's recall@10 was 0.193
            # against 0.179 for sequence-kNN, its closest part, on one machine.
            assert blended > alone, (
                f"hybrid recall@{k} {blended:.4f} <= {part.name} {alone:.4f}"
            )
