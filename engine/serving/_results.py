"""Result types of the serving path."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class Recommendation:
    """One recommended item: its id, title, higher-is-better score and 1-based rank."""

    item_id: int
    title: str | None
    score: float
    rank: int


@dataclass
class RecommendationList:
    """Result of one request.

    ``source`` is ``"two_tower"`` for personalised results and ``"popular"``
    when an unknown user was served the fallback list. ``match_count`` is the
    number of items that match the request's filters, seen items included. So
    for ``"two_tower"``, fewer than ``k`` items and a larger ``match_count``
    mean that the user has seen the other matching items.
    """

    user_id: int | None
    source: str
    version: str
    k: int
    items: list[Recommendation] = field(default_factory=list)
    context: dict = field(default_factory=dict)
    match_count: int | None = None

    def __iter__(self):
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def __getitem__(self, position: int) -> Recommendation:
        return self.items[position]

    def item_ids(self) -> list[int]:
        return [r.item_id for r in self.items]

    def to_dict(self) -> dict:
        return {
            "user_id": self.user_id,
            "source": self.source,
            "version": self.version,
            "k": self.k,
            "context": self.context,
            "match_count": self.match_count,
            "items": [asdict(r) for r in self.items],
        }
