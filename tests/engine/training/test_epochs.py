"""Tests of the epoch loop shared by both ways of training the two towers."""

import pytest
import torch
from torch import nn

from engine.training._two_tower import Settings, run_epochs


def settings(epochs: int, averaging_start: int | None) -> Settings:
    return Settings(
        epochs=epochs,
        learning_rate=0.1,
        batch_size=4,
        temperature=1.0,
        regularization=0.0,
        history_length=1,
        user_dropout=0.0,
        item_dropout=0.0,
        context_dropout=0.0,
        averaging_start=averaging_start,
    )


def train(epochs: int, averaging_start: int | None):
    """Fit two linear layers to a fixed target; return them and per-epoch weights."""
    torch.manual_seed(0)
    first, second = nn.Linear(3, 2), nn.Linear(2, 1)
    inputs = torch.randn(12, 3)
    targets = torch.randn(12, 1)

    def batch_loss(batch):
        predictions = second(first(inputs[batch]))
        return ((predictions - targets[batch]) ** 2).mean(), len(batch)

    snapshots = []

    def progress(done, total, message):
        snapshots.append([p.detach().clone() for p in first.parameters()])

    run_epochs(
        first,
        second,
        len(inputs),
        batch_loss,
        settings(epochs, averaging_start),
        generator=torch.Generator().manual_seed(0),
        progress=progress,
    )
    return first, snapshots


@pytest.mark.parametrize(("start", "averaged"), [(1, 2), (0, 3)])
def test_averaging_means_last_epochs(start, averaged):
    layer, snapshots = train(epochs=3, averaging_start=start)

    for position, parameter in enumerate(layer.parameters()):
        averaged_weights = [snapshot[position] for snapshot in snapshots[-averaged:]]
        expected = torch.stack(averaged_weights).mean(0)
        torch.testing.assert_close(parameter.detach(), expected)
        # The mean differs from the last epoch's weights.
        assert not torch.allclose(parameter.detach(), snapshots[-1][position])


@pytest.mark.parametrize("start", [None, 2, 3, 20])
def test_late_start_keeps_last_weights(start):
    layer, snapshots = train(epochs=3, averaging_start=start)

    for position, parameter in enumerate(layer.parameters()):
        torch.testing.assert_close(parameter.detach(), snapshots[-1][position])
