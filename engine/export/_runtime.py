"""A light ONNX Runtime wrapper for one exported tower."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import onnxruntime as ort

_log = logging.getLogger(__name__)


class OnnxTower:
    """One tower as an ONNX Runtime session on the CPU, one thread.

    On a machine with few busy cores, a second intra-op thread can make small
    batches many times slower, so the session runs on one thread.

    Parameters
    ----------
    path : str or Path
        An ``.onnx`` file written by :func:`export_towers`.
    """

    def __init__(self, path: str | Path):
        self.path = Path(path)
        if not self.path.is_file():
            raise FileNotFoundError(
                f"onnx model not found: {self.path} (run export first)"
            )
        options = ort.SessionOptions()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        self.session = ort.InferenceSession(
            str(self.path), sess_options=options, providers=["CPUExecutionProvider"]
        )
        self.input_names = [node.name for node in self.session.get_inputs()]
        self.output_name = self.session.get_outputs()[0].name

    def run(self, inputs: dict[str, np.ndarray]) -> np.ndarray:
        """Run the tower; returns (batch, embedding_size) float32.

        ``inputs`` maps every input name of the model to its array, as
        :class:`TowerInputs` builds them; other keys are ignored.
        """
        missing = [name for name in self.input_names if name not in inputs]
        if missing:
            raise ValueError(
                f"missing inputs for {self.path.name}: {', '.join(missing)} "
                f"(expected {', '.join(self.input_names)})"
            )
        feed = {name: inputs[name] for name in self.input_names}
        return self.session.run([self.output_name], feed)[0]
