"""Causal self-attention over a user's items in order, for the query tower.

Each position of a right-aligned item sequence attends to itself and to the
positions before it, never to later ones, so the vector at a position sums up
the history up to that item. Training reads the vector at every position (each
predicts the next item); serving reads the last one. Positions are embedded by
age, counted from the most recent item, so a window of the last items means the
same at training and at serving time whatever the user's history length.

The blocks follow the self-attentive sequential recommender of Kang and
McAuley (ICDM 2018): pre-norm single-head attention and a feed-forward layer,
each with a residual connection, and dropout. Attention is written with plain
matrix products so that the ONNX export needs no fused attention operator.
"""

from __future__ import annotations

import torch
from torch import nn

#: Added to the attention logits of masked pairs. Finite, so that a padding row
#: whose every key is masked gets finite weights, which the mask then zeroes.
_MASKED_LOGIT = -1e9


class SequenceEncoder(nn.Module):
    """Causal self-attention blocks over embedded item sequences.

    Parameters
    ----------
    embedding_size : int
        Width of the item embeddings and of every position's output.
    history_length : int
        Number of position embeddings. Columns older than that share the
        embedding of the oldest age.
    block_count : int, default=2
        Number of attention blocks.
    dropout : float, default=0.2
        Dropout rate on the inputs, the attention weights and the feed-forward
        outputs while training.

    ``forward`` takes ``embedded`` (batch, length, embedding_size) float32 and
    ``mask`` (batch, length) float32, 1 for real items and 0 for the padding
    at the front, and returns (batch, length, embedding_size), zero at padding.
    """

    def __init__(
        self,
        embedding_size: int,
        history_length: int,
        *,
        block_count: int = 2,
        dropout: float = 0.2,
    ):
        super().__init__()
        self.history_length = history_length
        self.position_embedding = nn.Parameter(
            torch.randn(history_length, embedding_size) * embedding_size**-0.5
        )
        self.dropout = nn.Dropout(dropout)
        self.blocks = nn.ModuleList(
            _Block(embedding_size, dropout) for _ in range(block_count)
        )
        self.final_norm = nn.LayerNorm(embedding_size)

    def forward(self, embedded: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        length = embedded.shape[1]
        ages = ((length - 1) - torch.arange(length)).clamp(max=self.history_length - 1)
        keep = mask.unsqueeze(-1)
        hidden = self.dropout(embedded + self.position_embedding[ages][None]) * keep

        # Query row i may read key column j when j <= i and column j is an item.
        positions = torch.arange(length)
        allowed = (positions[None, :] <= positions[:, None]).to(mask.dtype)
        allowed = allowed[None, :, :] * mask[:, None, :]
        bias = (1.0 - allowed) * _MASKED_LOGIT
        for block in self.blocks:
            hidden = block(hidden, bias) * keep
        return self.final_norm(hidden) * keep


class _Block(nn.Module):
    """One pre-norm block: single-head causal attention, then a feed-forward layer."""

    def __init__(self, embedding_size: int, dropout: float):
        super().__init__()
        self.attention_norm = nn.LayerNorm(embedding_size)
        self.query = nn.Linear(embedding_size, embedding_size)
        self.key = nn.Linear(embedding_size, embedding_size)
        self.value = nn.Linear(embedding_size, embedding_size)
        self.attention_dropout = nn.Dropout(dropout)
        self.feed_forward_norm = nn.LayerNorm(embedding_size)
        self.feed_forward = nn.Sequential(
            nn.Linear(embedding_size, embedding_size),
            nn.ReLU(),
            nn.Dropout(dropout),
            nn.Linear(embedding_size, embedding_size),
            nn.Dropout(dropout),
        )
        self.scale = embedding_size**-0.5

    def forward(self, hidden: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:
        normed = self.attention_norm(hidden)
        logits = self.query(normed) @ self.key(normed).transpose(1, 2) * self.scale
        weights = self.attention_dropout(torch.softmax(logits + bias, dim=-1))
        hidden = hidden + weights @ self.value(normed)
        return hidden + self.feed_forward(self.feed_forward_norm(hidden))
