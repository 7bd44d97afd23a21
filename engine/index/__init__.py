"""Index: item embeddings with metadata in LanceDB, filtered nearest-neighbour search."""

from engine.index._build import build_index, embed_items, item_table_name, latest_version
from engine.index._filters import Filter, compile_filters
from engine.index._table import EXACT_SCAN_MAX_ROWS, ItemIndex
from engine.index._update import IndexUpdate, update_index

__all__ = [
    "EXACT_SCAN_MAX_ROWS",
    "Filter",
    "IndexUpdate",
    "ItemIndex",
    "build_index",
    "compile_filters",
    "embed_items",
    "item_table_name",
    "latest_version",
    "update_index",
]
