"""sqlrec: an embedded, SQL-native recommendation engine.

Open a store with :func:`open`, then ask it for recommendations::

    import engine
    store = engine.open("movies.sqlrec")
    store.recommend(42, k=10)
"""

from engine.errors import (
    ExportError,
    IngestError,
    NotBuiltError,
    SqlrecError,
    StoreError,
    UnknownUserError,
)
from engine.index import Filter
from engine.store import Store, open

__all__ = [
    "ExportError",
    "Filter",
    "IngestError",
    "NotBuiltError",
    "SqlrecError",
    "Store",
    "StoreError",
    "UnknownUserError",
    "open",
]
__version__ = "0.1.0"
