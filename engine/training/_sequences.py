"""Sequence training of the two towers: each position predicts the next item.

A user's items, in order, are cut into chunks of ``history_length`` targets,
the last chunk ending at the user's most recent item. The query tower encodes
each chunk's inputs (the same items shifted by one) with causal attention, so
one pass yields a query for every target. Each query reads only the items
before its target, with the target's own hour and weekday as context, and the
time from the previous item to the target as its ``since_last``. The first target of a
user has an empty history and trains the context-only query of a new user.

The loss is a softmax over the whole catalogue, whose vectors the item tower
computes at every step, when the catalogue has at most
:data:`FULL_SOFTMAX_MAX_ITEMS` items. A larger catalogue uses the batch's
target items as the candidates, with the logQ correction of the in-batch loss.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from engine.export._inputs import (
    UNKNOWN_HOUR,
    UNKNOWN_INDEX,
    UNKNOWN_SINCE_LAST,
    UNKNOWN_WEEKDAY,
    since_last_slots,
    utc_context,
)
from engine.features import InteractionData
from engine.training._two_tower import run_epochs

if TYPE_CHECKING:
    from engine.models._base import Progress
    from engine.training._two_tower import Settings

#: Largest catalogue trained with a softmax over every item; above it, the
#: candidates of a step are the batch's target items.
FULL_SOFTMAX_MAX_ITEMS = 20_000


@dataclass
class SequenceChunks:
    """Training chunks of every user's item sequence.

    Attributes
    ----------
    users : ndarray of shape (chunk_count,), int64
        User position of each chunk.
    inputs : ndarray of shape (chunk_count, length), int64
        Item index (position + 1) of the item before each target, 0 for none.
    targets : ndarray of shape (chunk_count, length), int64
        Item position of each target, -1 for padding.
    hours, weekdays : ndarray of shape (chunk_count, length), int64
        UTC hour and ISO weekday of each target, the "not given" slots at padding.
    since_last : ndarray of shape (chunk_count, length), int64
        Slot of the seconds from the item before each target to the target,
        "not given" for a user's first target and at padding.
    """

    users: np.ndarray
    inputs: np.ndarray
    targets: np.ndarray
    hours: np.ndarray
    weekdays: np.ndarray
    since_last: np.ndarray

    @property
    def chunk_count(self) -> int:
        return len(self.users)


def sequence_chunks(data: InteractionData, length: int) -> SequenceChunks:
    """Cut every user's sequence of ``data`` into right-aligned chunks of ``length``."""
    offsets = data.user_offsets().astype(np.int64)
    starts, stops = offsets[:-1], offsets[1:]
    chunk_counts = -(-(stops - starts) // length)
    users = np.repeat(np.arange(data.user_count, dtype=np.int64), chunk_counts)
    # Chunk c of a user ends c * length rows before the user's last row.
    first_chunk = np.repeat(np.cumsum(chunk_counts) - chunk_counts, chunk_counts)
    steps = np.arange(len(users)) - first_chunk
    ends = stops[users] - steps * length

    rows = ends[:, None] - length + np.arange(length)[None, :]
    has_target = rows >= starts[users][:, None]
    has_input = rows - 1 >= starts[users][:, None]
    items = data.items.astype(np.int64)
    hours, weekdays = utc_context(data.timestamps)
    safe = np.clip(rows, 0, None)
    timestamps = np.asarray(data.timestamps, dtype=np.int64)
    gaps = timestamps[safe] - timestamps[np.clip(rows - 1, 0, None)]
    return SequenceChunks(
        users=users,
        inputs=np.where(
            has_input, items[np.clip(rows - 1, 0, None)] + 1, UNKNOWN_INDEX
        ),
        targets=np.where(has_target, items[safe], -1),
        hours=np.where(has_target, hours[safe], UNKNOWN_HOUR),
        weekdays=np.where(has_target, weekdays[safe], UNKNOWN_WEEKDAY),
        since_last=np.where(has_input, since_last_slots(gaps), UNKNOWN_SINCE_LAST),
    )


def train_sequence_towers(
    query_tower: nn.Module,
    item_tower: nn.Module,
    chunks: SequenceChunks,
    user_features: np.ndarray,
    item_features: np.ndarray,
    log_probabilities: np.ndarray,
    settings: Settings,
    *,
    generator: torch.Generator,
    progress: Progress | None = None,
) -> tuple[torch.optim.Optimizer, int, list[float]]:
    """Fit both towers in place on ``chunks``; returns as ``train_towers`` does."""
    step_inputs = _StepInputs(chunks, user_features, item_features, log_probabilities)

    def batch_loss(batch: torch.Tensor) -> tuple[torch.Tensor, int]:
        return _step_loss(
            query_tower, item_tower, step_inputs, batch, settings, generator
        )

    return run_epochs(
        query_tower,
        item_tower,
        chunks.chunk_count,
        batch_loss,
        settings,
        generator=generator,
        progress=progress,
    )


class _StepInputs:
    """Chunk and feature arrays as tensors, converted once."""

    def __init__(self, chunks, user_features, item_features, log_probabilities):
        self.users = torch.from_numpy(chunks.users)
        self.inputs = torch.from_numpy(chunks.inputs)
        self.targets = torch.from_numpy(chunks.targets)
        self.hours = torch.from_numpy(chunks.hours)
        self.weekdays = torch.from_numpy(chunks.weekdays)
        self.since_last = torch.from_numpy(chunks.since_last)
        self.user_features = torch.from_numpy(np.ascontiguousarray(user_features))
        self.item_features = torch.from_numpy(np.ascontiguousarray(item_features))
        self.log_probabilities = torch.from_numpy(log_probabilities)
        self.item_count = len(item_features)


def _step_loss(query_tower, item_tower, inputs, batch, settings, generator):
    users = inputs.users[batch]
    history = inputs.inputs[batch]
    targets = inputs.targets[batch]
    hours = inputs.hours[batch]
    weekdays = inputs.weekdays[batch]
    since_last = inputs.since_last[batch]

    # A dropped user loses id and history for the whole chunk; dropped context
    # is per position. Both train the vectors of requests that lack them.
    size, length = history.shape
    drop_user = torch.rand(size, generator=generator) < settings.user_dropout
    drop_context = (
        torch.rand(size, length, generator=generator) < settings.context_dropout
    )
    user_index = torch.where(drop_user, UNKNOWN_INDEX, users + 1)
    history = torch.where(drop_user[:, None], UNKNOWN_INDEX, history)
    hours = torch.where(drop_context, UNKNOWN_HOUR, hours)
    weekdays = torch.where(drop_context, UNKNOWN_WEEKDAY, weekdays)
    since_last = torch.where(drop_context, UNKNOWN_SINCE_LAST, since_last)

    has_target = targets >= 0
    if inputs.item_count <= FULL_SOFTMAX_MAX_ITEMS:
        candidates = torch.arange(inputs.item_count)
        labels = targets[has_target]
        correction = None
    else:
        candidates, labels = torch.unique(targets[has_target], return_inverse=True)
        correction = inputs.log_probabilities[candidates]
    # Item dropout: a share of candidates loses its id, so new items get vectors
    # from their metadata alone.
    drop_item = torch.rand(len(candidates), generator=generator) < settings.item_dropout
    item_index = torch.where(drop_item, UNKNOWN_INDEX, candidates + 1)
    vectors = item_tower(item_index, inputs.item_features[candidates])

    history_vectors = None
    if settings.share_item_vectors:
        history_vectors = _history_vectors(
            item_tower, inputs, history, candidates, vectors
        )
    queries = query_tower.forward_sequence(
        user_index,
        inputs.user_features[users],
        hours,
        weekdays,
        since_last,
        history,
        history_vectors=history_vectors,
    )[has_target]

    logits = queries @ vectors.T / settings.temperature
    if correction is not None:
        logits = logits - correction[None, :]
    return F.cross_entropy(logits, labels), len(labels)


def _history_vectors(item_tower, inputs, history, candidates, vectors):
    """Item tower vectors of the history items, as (batch, length, size).

    Padding (index 0) reads zeros. With the full softmax every item already has
    a vector in ``vectors``; otherwise the history's items get their own pass.
    """
    if len(candidates) == inputs.item_count:
        table = F.pad(vectors, (0, 0, 1, 0))
        return table[history]
    indices, positions = torch.unique(history, return_inverse=True)
    known = indices > 0
    table = torch.zeros(len(indices), vectors.shape[1])
    table[known] = item_tower(
        indices[known], inputs.item_features[indices[known] - 1]
    )
    return table[positions]
