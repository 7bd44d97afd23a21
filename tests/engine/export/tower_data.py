"""Small interaction data with metadata of every encoded kind, for the export tests."""

import numpy as np
import pyarrow as pa

from engine.features import InteractionData

TINY = dict(embedding_size=8, hidden_size=16, history_length=3, epochs=5, batch_size=16)


def small_data(
    seed: int, user_count: int = 30, item_count: int = 20
) -> InteractionData:
    """Random interactions with user and item metadata of every encoded kind."""
    rng = np.random.default_rng(seed)
    users = pa.table(
        {
            "user_id": pa.array(np.arange(1, user_count + 1), pa.int64()),
            "gender": rng.choice(["F", "M"], user_count).tolist(),
            "age": pa.array(rng.integers(18, 70, user_count), pa.int32()),
            "zip": [f"{10000 + user}" for user in range(user_count)],
        }
    )
    genres = [["comedy", "drama"][: item % 2 + 1] for item in range(item_count)]
    items = pa.table(
        {
            "item_id": pa.array(np.arange(1, item_count + 1) * 7, pa.int64()),
            "title": [f"film {item}" for item in range(item_count)],
            "genres": pa.array(genres, pa.list_(pa.string())),
            "year": pa.array(rng.integers(1950, 2020, item_count), pa.int32()),
            "christmas": [item % 5 == 0 for item in range(item_count)],
        }
    )
    interaction_users = np.repeat(np.arange(1, user_count + 1), 5)
    interaction_items = rng.integers(1, item_count + 1, len(interaction_users)) * 7
    timestamps = 1_700_000_000 + np.arange(len(interaction_users)) * 4021
    return InteractionData.from_arrays(
        user_ids=users.column("user_id").to_numpy(),
        item_ids=items.column("item_id").to_numpy(),
        interaction_users=interaction_users,
        interaction_items=interaction_items,
        timestamps=timestamps,
        user_features=users,
        item_features=items,
    )
