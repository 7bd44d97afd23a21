"""Export of a fitted two-tower scorer to two ONNX models, checked against torch.

torch and onnx are imported inside the functions that export and check the
files, so that serving code can import :mod:`engine.export` for
:class:`TowerInputs` and :class:`OnnxTower` without loading either.
"""

from __future__ import annotations

import importlib.resources
import json
import logging
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from engine.errors import ExportError, NotBuiltError
from engine.export._inputs import UNKNOWN_SINCE_LAST, TowerInputs, utc_context
from engine.export._runtime import OnnxTower
from engine.features import InteractionData

if TYPE_CHECKING:
    from engine.models._two_tower import TwoTowerScorer

_log = logging.getLogger(__name__)

#: ONNX opset of the exported towers. The export tests run it through the
#: TorchScript exporter of torch 2.13 and ONNX Runtime 1.32.
OPSET = 17
QUERY_TOWER_FILE = "query_tower.onnx"
ITEM_TOWER_FILE = "item_tower.onnx"
#: Batch sizes of the parity check; 1 is the request path's size.
CHECK_BATCH_SIZES = (1, 2, 17, 256)

#: Contract dtype names by ONNX tensor element type: the values of
#: onnx.TensorProto.INT64 and FLOAT, written out so that importing this module
#: does not load onnx.
_DTYPES = {7: "int64", 1: "float32"}


def load_contract(name: str) -> dict[str, Any]:
    """Read the contract of model ``name`` (``query_tower`` or ``item_tower``)."""
    resource = importlib.resources.files("onnx_models").joinpath(f"{name}.json")
    if not resource.is_file():
        raise FileNotFoundError(f"onnx contract not found: onnx_models/{name}.json")
    return json.loads(resource.read_text())


def check_contract(path: str | Path, contract: dict[str, Any]) -> None:
    """Raise :class:`ExportError` where the ONNX file at ``path`` breaks ``contract``.

    Names, order, dtypes and ranks must match. Axes the contract lists as
    dynamic must be symbolic with that name; every other axis must be a fixed size.
    """
    import onnx

    model = onnx.load(str(path))
    opset = next(
        (o.version for o in model.opset_import if o.domain in ("", "ai.onnx")), None
    )
    if opset != contract["opset"]:
        raise ExportError(
            f"{path}: opset {opset}, contract expects {contract['opset']}"
        )
    dynamic = set(contract["dynamic_axes"])
    initializers = {i.name for i in model.graph.initializer}
    graph_inputs = [i for i in model.graph.input if i.name not in initializers]
    for role, expected, actual in (
        ("input", contract["inputs"], graph_inputs),
        ("output", contract["outputs"], list(model.graph.output)),
    ):
        names = [value.name for value in actual]
        expected_names = [spec["name"] for spec in expected]
        if names != expected_names:
            raise ExportError(
                f"{path}: {role} names {names}, contract expects {expected_names}"
            )
        for spec, value in zip(expected, actual):
            _check_value(path, spec, value, dynamic)


def export_towers(
    scorer: TwoTowerScorer,
    directory: str | Path,
    *,
    check_data: InteractionData | None = None,
    tolerance: float = 1e-4,
) -> dict[str, Any]:
    """Write ``query_tower.onnx`` and ``item_tower.onnx`` and check them against torch.

    The directory also gets the tower input files (:meth:`TowerInputs.save`),
    so it is all that serving needs. Both models take a dynamic batch axis and
    follow the contracts in ``onnx_models/``.

    Parameters
    ----------
    scorer : TwoTowerScorer
        A fitted or loaded scorer.
    directory : str or Path
        Output directory, created if missing.
    check_data : InteractionData, optional
        Data whose users, items, histories and interaction times make the check
        batches; ids the scorer never saw check the unknown-id path. Default: the
        scorer's own vocabularies, with every hour and weekday.
    tolerance : float, default=1e-4
        Largest accepted absolute difference between ONNX Runtime and torch.

    Returns
    -------
    dict of str to float
        Max absolute difference between ONNX Runtime and torch over every check
        batch, under ``query_tower`` and ``item_tower``.

    Raises
    ------
    ExportError
        When an output differs by more than ``tolerance``, or a model breaks
        its contract.
    """
    if getattr(scorer, "query_tower_", None) is None:
        raise NotBuiltError(
            "two-tower scorer is not fitted (call fit, or load a saved scorer)"
        )
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    inputs = scorer.inputs_
    query_path = directory / QUERY_TOWER_FILE
    item_path = directory / ITEM_TOWER_FILE

    query_contract = load_contract("query_tower")
    # A tower saved before an input existed exports without it.
    read = set(scorer.query_tower_.input_names)
    query_contract["inputs"] = [
        spec for spec in query_contract["inputs"] if spec["name"] in read
    ]
    item_contract = load_contract("item_tower")

    # Two-row examples, so that tracing cannot fold the batch size into a constant.
    query_example = inputs.query_inputs_at(np.arange(2) % len(inputs.user_ids))
    _export_module(scorer.query_tower_, query_example, query_contract, query_path)
    _export_module(scorer.item_tower_, inputs.item_inputs(), item_contract, item_path)
    check_contract(query_path, query_contract)
    check_contract(item_path, item_contract)
    inputs.save(directory)

    query_batches, item_batches = _check_batches(inputs, check_data)
    differences = {
        "query_tower": _compare(
            query_path, scorer.query_vectors, query_batches, tolerance
        ),
        "item_tower": _compare(item_path, scorer.item_vectors, item_batches, tolerance),
    }
    _log.info(
        "exported towers to %s (opset %d), max abs diff to torch: "
        "query %.2e, item %.2e",
        directory,
        OPSET,
        differences["query_tower"],
        differences["item_tower"],
    )
    return differences


def _export_module(module, example, contract, path: Path) -> None:
    import torch

    names = [spec["name"] for spec in contract["inputs"]]
    output_names = [spec["name"] for spec in contract["outputs"]]
    dynamic = set(contract["dynamic_axes"])
    dynamic_axes = {
        spec["name"]: {
            axis: dim for axis, dim in enumerate(spec["shape"]) if dim in dynamic
        }
        for spec in contract["inputs"] + contract["outputs"]
    }
    arguments = tuple(torch.from_numpy(example[name]) for name in names)
    module.eval()
    with warnings.catch_warnings():
        # torch 2.9+ marks the TorchScript exporter deprecated; it is used because
        # the torch.export-based one needs onnxscript, which is not a dependency.
        warnings.simplefilter("ignore", DeprecationWarning)
        torch.onnx.export(
            module,
            arguments,
            str(path),
            dynamo=False,
            input_names=names,
            output_names=output_names,
            dynamic_axes=dynamic_axes,
            opset_version=OPSET,
        )
    import onnx

    onnx.checker.check_model(str(path))


def _check_value(path, spec, value, dynamic) -> None:
    tensor = value.type.tensor_type
    dtype = _DTYPES.get(tensor.elem_type, str(tensor.elem_type))
    if dtype != spec["dtype"]:
        raise ExportError(
            f"{path}: {value.name} is {dtype}, contract expects {spec['dtype']}"
        )
    dims = list(tensor.shape.dim)
    if len(dims) != len(spec["shape"]):
        raise ExportError(
            f"{path}: {value.name} has rank {len(dims)}, contract expects "
            f"{len(spec['shape'])} ({spec['shape']})"
        )
    for dim, name in zip(dims, spec["shape"]):
        if name in dynamic and dim.dim_param != name:
            raise ExportError(
                f"{path}: {value.name} axis {name!r} is not dynamic (got {dim}), "
                "contract expects a symbolic axis"
            )
        if name not in dynamic and not dim.dim_value > 0:
            raise ExportError(
                f"{path}: {value.name} axis {name!r} has no fixed size, "
                "contract expects one"
            )


def _check_batches(inputs: TowerInputs, check_data: InteractionData | None):
    """Query and item input batches of several sizes for the parity check."""
    if check_data is None:
        users = np.r_[-1, np.arange(len(inputs.user_ids))]
        positions = np.arange(len(users))
        query = inputs.query_inputs_at(
            users, positions % 24, positions % 7 + 1, _request_times(inputs, users)
        )
        no_context = inputs.query_inputs_at(users)
        item_ids = np.r_[inputs.item_ids, _absent_id(inputs.item_ids)]
    else:
        query, no_context = _check_data_queries(inputs, check_data)
        item_ids = np.r_[check_data.item_ids, _absent_id(inputs.item_ids)]
    items = inputs.item_inputs(item_ids)
    return _slices(query) + [_take(no_context, slice(0, 64))], _slices(items)


def _request_times(inputs: TowerInputs, users: np.ndarray) -> np.ndarray | None:
    """Request times 2**p - 1 seconds after each user's latest fitted time.

    Over the rows, p runs through 0 to 23, so the check meets every
    ``since_last`` slot. Unknown users get the "not given" one.
    """
    if inputs.user_last_seen is None:
        return None
    seen = np.zeros(len(users), dtype=np.int64)
    known = users >= 0
    seen[known] = inputs.user_last_seen[users[known]]
    return seen + 2 ** (np.arange(len(users)) % 24) - 1


def _check_data_queries(inputs: TowerInputs, check_data: InteractionData):
    """Query batches of the first users of ``check_data`` and one unknown user.

    Each user gets the context of their last interaction and their history in
    ``check_data``, and the rows cycle through every ``since_last`` slot.
    """
    users = np.arange(min(check_data.user_count, max(CHECK_BATCH_SIZES) - 1))
    user_ids = np.r_[check_data.user_ids[users], _absent_id(inputs.user_ids)]
    history = [check_data.item_ids[check_data.history(u)] for u in users] + [[]]
    hours = weekdays = None
    if check_data.interaction_count:
        offsets = check_data.user_offsets()
        last = np.maximum(offsets[users + 1] - 1, 0)
        hours, weekdays = utc_context(np.r_[check_data.timestamps[last], 0])
    query = inputs.query_inputs(user_ids, hours, weekdays, history=history)
    # A replaced history reads the time since as not given, so set the slots here.
    query["since_last"] = np.arange(len(user_ids), dtype=np.int64) % (
        UNKNOWN_SINCE_LAST + 1
    )
    return query, inputs.query_inputs(user_ids)


def _slices(batch: dict[str, np.ndarray]) -> list[dict[str, np.ndarray]]:
    row_count = len(next(iter(batch.values())))
    slices = []
    start = 0
    for size in CHECK_BATCH_SIZES:
        start = start if start + size <= row_count else 0
        slices.append(_take(batch, slice(start, min(start + size, row_count))))
        start += size
    return slices


def _take(batch: dict[str, np.ndarray], rows: slice) -> dict[str, np.ndarray]:
    return {name: np.ascontiguousarray(array[rows]) for name, array in batch.items()}


def _absent_id(ids: np.ndarray) -> int:
    return int(ids.max()) + 1 if len(ids) else 1


def _compare(path: Path, torch_tower, batches, tolerance: float) -> float:
    tower = OnnxTower(path)
    differences = []
    for batch in batches:
        expected = torch_tower(batch)
        actual = tower.run(batch)
        if actual.shape != expected.shape or actual.dtype != np.float32:
            raise ExportError(
                f"{path.name} returned {actual.dtype} {actual.shape}, torch returned "
                f"{expected.dtype} {expected.shape}"
            )
        differences.append(
            float(np.max(np.abs(actual - expected))) if actual.size else 0.0
        )
    worst = max(differences)
    if worst > tolerance:
        raise ExportError(
            f"{path.name} differs from torch by {worst:.2e}, above the tolerance "
            f"{tolerance:.0e}; the file is kept in {path.parent} for inspection"
        )
    sizes = [len(next(iter(batch.values()))) for batch in batches]
    _log.debug(
        "%s matches torch within %.2e on batches of %s rows", path.name, worst, sizes
    )
    return worst
