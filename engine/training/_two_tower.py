"""Training loop of the two towers: in-batch sampled softmax with logQ correction.

Each interaction is one training row. Its query is the user, the hour and
weekday of its timestamp (UTC), the time since the user's previous interaction
and the user's items just before it, and its
positive is its item. The other items of the batch are the negatives. Their
logits are corrected by the log of their sampling probability (their share of
interactions), so frequent items are not pushed down merely for appearing in
many batches (Yi et al., "Sampling-bias-corrected neural modeling
for large corpus item recommendations", RecSys 2019).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable

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

if TYPE_CHECKING:
    # Imported for annotations only: engine.models imports this module.
    from engine.models._base import Progress

_log = logging.getLogger(__name__)


@dataclass
class TrainingRows:
    """Per-interaction arrays the training loop samples batches from.

    Attributes
    ----------
    users, items : ndarray of shape (interaction_count,), int64
        User and item position (index - 1) of each interaction.
    hours, weekdays : ndarray of shape (interaction_count,), int64
        Hour (0-23) and ISO weekday (1-7) of each timestamp, in UTC.
    since_last : ndarray of shape (interaction_count,), int64
        Slot of the seconds since the user's previous interaction, "not given"
        for the user's first.
    run_starts : ndarray of shape (interaction_count,), int64
        Row of the first interaction of the same user, so a row's history is the
        rows from ``max(run_start, row - history_length)`` up to itself.
    """

    users: np.ndarray
    items: np.ndarray
    hours: np.ndarray
    weekdays: np.ndarray
    since_last: np.ndarray
    run_starts: np.ndarray

    @property
    def row_count(self) -> int:
        return len(self.users)


@dataclass
class Settings:
    """Training settings of :func:`train_towers` (see ``TwoTowerScorer``)."""

    epochs: int
    learning_rate: float
    batch_size: int
    temperature: float
    regularization: float
    history_length: int
    user_dropout: float
    item_dropout: float
    context_dropout: float
    share_item_vectors: bool = False
    averaging_start: int | None = None


def training_rows(data: InteractionData) -> TrainingRows:
    """Build one training row per interaction of ``data``."""
    hours, weekdays = utc_context(data.timestamps)
    offsets = data.user_offsets()
    run_starts = offsets[data.users].astype(np.int64)
    timestamps = np.asarray(data.timestamps, dtype=np.int64)
    rows = np.arange(len(timestamps))
    gaps = timestamps - timestamps[np.maximum(rows - 1, 0)]
    return TrainingRows(
        users=data.users.astype(np.int64),
        items=data.items.astype(np.int64),
        hours=hours,
        weekdays=weekdays,
        since_last=np.where(
            rows > run_starts, since_last_slots(gaps), UNKNOWN_SINCE_LAST
        ),
        run_starts=run_starts,
    )


def history_windows(
    sequence_items: np.ndarray, rows: np.ndarray, run_starts: np.ndarray, length: int
) -> np.ndarray:
    """Item indices of the ``length`` interactions before each row, padded with 0.

    Returns (len(rows), length) int64, oldest first, right-aligned, using the
    tower's item index (position + 1).
    """
    positions = rows[:, None] - length + np.arange(length)[None, :]
    valid = positions >= run_starts[:, None]
    items = sequence_items[np.clip(positions, 0, None)] + 1
    return np.where(valid, items, UNKNOWN_INDEX).astype(np.int64)


def recent_history(data: InteractionData, length: int) -> np.ndarray:
    """Return each user's last ``length`` fitted items, shape (user_count, length)."""
    offsets = data.user_offsets()
    ends = offsets[1:].astype(np.int64)
    return history_windows(data.items, ends, offsets[:-1].astype(np.int64), length)


def item_log_probabilities(data: InteractionData) -> np.ndarray:
    """Log of each item's share of interactions, the in-batch sampling probability."""
    counts = np.bincount(data.items, minlength=data.item_count).astype(np.float64)
    shares = counts / max(counts.sum(), 1.0)
    # Items without interactions are never sampled; any finite value will do.
    return np.log(np.maximum(shares, 1e-12)).astype(np.float32)


def train_towers(
    query_tower: nn.Module,
    item_tower: nn.Module,
    rows: TrainingRows,
    sequence_items: np.ndarray,
    user_features: np.ndarray,
    item_features: np.ndarray,
    log_probabilities: np.ndarray,
    settings: Settings,
    *,
    generator: torch.Generator,
    progress: Progress | None = None,
) -> tuple[torch.optim.Optimizer, int, list[float]]:
    """Fit both towers in place.

    Returns
    -------
    optimizer : torch.optim.AdamW
        The optimizer, whose state a warm restart can resume from.
    step : int
        Number of optimizer steps taken.
    losses : list of float
        Mean loss of each epoch.
    """
    tensors = _Tensors(user_features, item_features, log_probabilities)

    def batch_loss(batch: torch.Tensor) -> tuple[torch.Tensor, int]:
        loss = _batch_loss(
            query_tower,
            item_tower,
            rows,
            batch.numpy(),
            sequence_items,
            tensors,
            settings,
            generator,
        )
        return loss, 1

    return run_epochs(
        query_tower,
        item_tower,
        rows.row_count,
        batch_loss,
        settings,
        generator=generator,
        progress=progress,
    )


def run_epochs(
    query_tower: nn.Module,
    item_tower: nn.Module,
    row_count: int,
    batch_loss: Callable[[torch.Tensor], tuple[torch.Tensor, int]],
    settings: Settings,
    *,
    generator: torch.Generator,
    progress: Progress | None = None,
) -> tuple[torch.optim.AdamW, int, list[float]]:
    """Train both towers with AdamW over shuffled batches of ``row_count`` rows.

    ``batch_loss(batch)`` takes the row positions of one batch, an int64
    tensor, and returns the batch's loss and its weight in the epoch's mean
    loss. Returns the optimizer, the step count and the mean loss of each
    epoch, as :func:`train_towers` documents.
    """
    parameters = list(query_tower.parameters()) + list(item_tower.parameters())
    optimizer = torch.optim.AdamW(
        parameters, lr=settings.learning_rate, weight_decay=settings.regularization
    )
    query_tower.train()
    item_tower.train()

    step = 0
    losses = []
    average = _WeightAverage(parameters)
    if progress is not None:
        # A bar drawn before the first epoch ends shows which model is training.
        progress(0, settings.epochs, f"epoch 0/{settings.epochs}")
    for epoch in range(settings.epochs):
        started = time.perf_counter()
        order = torch.randperm(row_count, generator=generator)
        total, weight_total = 0.0, 0
        for start in range(0, row_count, settings.batch_size):
            loss, weight = batch_loss(order[start : start + settings.batch_size])
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            step += 1
            total += float(loss.detach()) * weight
            weight_total += weight

        losses.append(total / max(weight_total, 1))
        if settings.averaging_start is not None and epoch >= settings.averaging_start:
            average.add()
        message = f"epoch {epoch + 1}/{settings.epochs}: mean loss {losses[-1]:.4f}"
        _log.info("%s in %.2fs", message, time.perf_counter() - started)
        if progress is not None:
            progress(epoch + 1, settings.epochs, message)

    average.apply()
    query_tower.eval()
    item_tower.eval()
    return optimizer, step, losses


class _WeightAverage:
    """Running mean of parameters taken at the end of epochs.

    The mean of the last epochs' weights (stochastic weight averaging) sits
    nearer the middle of the region the optimizer moves in than the last
    weights, and on the MovieLens-100K ``loo`` tuning phase it ranked better
    (see ``TwoTowerScorer``). The towers use layer norm, not batch norm, so the
    mean needs no statistics recomputed.
    """

    def __init__(self, parameters: list[nn.Parameter]):
        self.parameters = parameters
        self.means: list[torch.Tensor] | None = None
        self.count = 0

    def add(self) -> None:
        """Add the current parameters to the mean."""
        self.count += 1
        if self.means is None:
            self.means = [p.detach().clone() for p in self.parameters]
            return
        for mean, parameter in zip(self.means, self.parameters):
            mean.add_(parameter.detach() - mean, alpha=1.0 / self.count)

    def apply(self) -> None:
        """Copy the mean into the parameters, unless no epoch was added."""
        if self.means is None:
            return
        with torch.no_grad():
            for mean, parameter in zip(self.means, self.parameters):
                parameter.copy_(mean)


class _Tensors:
    """Training arrays converted to tensors once."""

    def __init__(self, user_features, item_features, log_probabilities):
        self.user_features = torch.from_numpy(np.ascontiguousarray(user_features))
        self.item_features = torch.from_numpy(np.ascontiguousarray(item_features))
        self.log_probabilities = torch.from_numpy(log_probabilities)


def _batch_loss(
    query_tower, item_tower, rows, batch, sequence_items, tensors, settings, generator
):
    users = torch.from_numpy(rows.users[batch])
    items = torch.from_numpy(rows.items[batch])
    history = torch.from_numpy(
        history_windows(
            sequence_items, batch, rows.run_starts[batch], settings.history_length
        )
    )
    hours = torch.from_numpy(rows.hours[batch])
    weekdays = torch.from_numpy(rows.weekdays[batch])
    since_last = torch.from_numpy(rows.since_last[batch])

    # Id dropout: a share of rows loses its user id (and history) or its item id,
    # so the towers also learn vectors for unknown users and new items from
    # their metadata alone.
    size = len(batch)
    drop_user = torch.rand(size, generator=generator) < settings.user_dropout
    drop_item = torch.rand(size, generator=generator) < settings.item_dropout
    drop_context = torch.rand(size, generator=generator) < settings.context_dropout
    user_index = torch.where(drop_user, UNKNOWN_INDEX, users + 1)
    item_index = torch.where(drop_item, UNKNOWN_INDEX, items + 1)
    history = torch.where(drop_user[:, None], UNKNOWN_INDEX, history)
    hours = torch.where(drop_context, UNKNOWN_HOUR, hours)
    weekdays = torch.where(drop_context, UNKNOWN_WEEKDAY, weekdays)
    since_last = torch.where(drop_context, UNKNOWN_SINCE_LAST, since_last)

    queries = query_tower(
        user_index, tensors.user_features[users], hours, weekdays, since_last, history
    )
    candidates = item_tower(item_index, tensors.item_features[items])
    return sampled_softmax_loss(
        queries,
        candidates,
        items,
        tensors.log_probabilities[items],
        settings.temperature,
    )


def sampled_softmax_loss(
    queries: torch.Tensor,
    candidates: torch.Tensor,
    items: torch.Tensor,
    log_probabilities: torch.Tensor,
    temperature: float,
) -> torch.Tensor:
    """In-batch softmax loss with logQ correction.

    Row i's positive is candidate i; every other candidate of the batch is a
    negative, except copies of the positive item, which are masked out.
    """
    logits = queries @ candidates.T / temperature - log_probabilities[None, :]
    same_item = items[:, None] == items[None, :]
    same_item.fill_diagonal_(False)
    logits = logits.masked_fill(same_item, float("-inf"))
    labels = torch.arange(len(items))
    return F.cross_entropy(logits, labels)
