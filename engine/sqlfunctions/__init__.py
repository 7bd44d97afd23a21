"""SQL functions backed by the engine: serving UDFs and the item_vectors view.

:func:`register_functions` runs on every catalog connection the store opens, after
the ``sql`` macros, and adds:

- ``recommend(user_id, k)`` and ``recommend(user_id, k, hour, weekday)``: the
  active version's recommendations as ``STRUCT(item_id BIGINT, score DOUBLE,
  rank INTEGER)[]``;
- ``similar_items(item_id, k)``: the ``k`` items whose embeddings have the highest
  dot product with the item's own, the item itself left out, in the same type;
- ``item_embedding(item_id)``: the item's embedding as ``FLOAT[]``;
- the view ``item_vectors``: the LanceDB item table of the active version (item
  metadata and ``vector``), when a version is active.

Stability: experimental.
"""

from engine.sqlfunctions._item_vectors import ITEM_VECTORS_VIEW, register_item_vectors
from engine.sqlfunctions._register import FUNCTION_NAMES, register_functions
from engine.sqlfunctions._serving import ServingFunctions

__all__ = [
    "FUNCTION_NAMES",
    "ITEM_VECTORS_VIEW",
    "ServingFunctions",
    "register_functions",
    "register_item_vectors",
]
