"""Export of the two towers to ONNX, and the numpy side that feeds them when serving.

Importing this package does not import torch: :func:`export_towers` loads it
when called, so serving can use :class:`TowerInputs` and :class:`OnnxTower` alone.
"""

from engine.export._inputs import TowerInputs, utc_context
from engine.export._onnx import (
    ITEM_TOWER_FILE,
    OPSET,
    QUERY_TOWER_FILE,
    check_contract,
    export_towers,
    load_contract,
)
from engine.export._runtime import OnnxTower

__all__ = [
    "ITEM_TOWER_FILE",
    "OPSET",
    "QUERY_TOWER_FILE",
    "OnnxTower",
    "TowerInputs",
    "check_contract",
    "export_towers",
    "load_contract",
    "utc_context",
]
