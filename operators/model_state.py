"""The ticket model's checkpoint state: what reviewers' feedback changed, as plain JSON.

The start-up model is rebuilt from the shipped corpus and taxonomy in every
process, so a checkpoint holds only what feedback changed: the rows of the
weight matrix that moved (a few hundred per corrected ticket) with their new
values, the dense rows and the bias, each column named by its head and class.
Restoring writes those values over the start-up weights, so a restored model
scores exactly as the one saved. Applied to a start-up model built from a
changed corpus it still works, column by name; a class the checkpoint knows and
the model does not is added.

Format ``cuewire.ticket-model/2``. The phrase model's ``cuewire.learned-scorer/1``
checkpoints are refused with a line that says what to do: its weights mean
nothing to this model. JSON only: a checkpoint is data, never code.
"""

from __future__ import annotations

import base64
import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
import orjson

from contracts.errors import ConfigurationError
from operators.ticket_repr import BUCKETS

if TYPE_CHECKING:
    from operators.learned_score import LearnedScorer

STATE_FORMAT = "cuewire.ticket-model/2"
REPRESENTATION_VERSION = 2
"""Bump when ``ticket_repr`` or the word vectors change what a row means: older checkpoints
are then refused. 2: the sparse part hashes into ``1 << 18`` rows, not ``1 << 16``, so a
row of an earlier checkpoint holds other features' weights."""


def pack_array(values: np.ndarray, dtype: str = "<f4") -> dict[str, Any]:
    array = np.ascontiguousarray(values, dtype=dtype)
    return {"dtype": dtype, "shape": list(array.shape),
            "base64": base64.b64encode(array.tobytes()).decode("ascii")}


def unpack_array(packed: Mapping[str, Any]) -> np.ndarray:
    dtype = packed.get("dtype")
    if dtype not in ("<f4", "<i4"):
        raise ValueError(f"unexpected array dtype {dtype!r}")
    shape = tuple(int(s) for s in packed["shape"])
    raw = base64.b64decode(packed["base64"], validate=True)
    if len(raw) != 4 * math.prod(shape):
        raise ValueError(f"array data has {len(raw)} bytes, shape {shape} needs {4 * math.prod(shape)}")
    return np.frombuffer(raw, dtype=dtype).reshape(shape).copy()


def _columns(scorer: LearnedScorer) -> list[str]:
    return [f"{head}:{name}" for head, names in scorer.heads.classes.items() for name in names]


def state_of(scorer: LearnedScorer) -> dict[str, Any]:
    heads, base = scorer.heads, scorer.base
    width = base.width
    columns = _columns(scorer)
    # Columns added since start-up sit inside their head's span: compare by name.
    base_columns = [f"{h}:{n}" for h, names in base.classes.items() for n in names]
    order = [base_columns.index(c) if c in base_columns else -1 for c in columns]

    def aligned(matrix: np.ndarray) -> np.ndarray:
        out = np.zeros((matrix.shape[0], len(columns)), dtype=np.float32)
        for j, i in enumerate(order):
            if i >= 0:
                out[:, j] = matrix[:, i]
        return out

    base_sparse = aligned(base.sparse_w) if heads.width != width else base.sparse_w
    delta = heads.sparse_w - base_sparse
    rows = np.flatnonzero(np.abs(delta).max(axis=1) > 0)
    return {
        "format": STATE_FORMAT,
        "representation": REPRESENTATION_VERSION,
        "columns": columns,
        "learned": scorer.learned,
        "rows": pack_array(rows.astype(np.int32), "<i4"),
        "sparse": pack_array(heads.sparse_w[rows]),
        "dense": pack_array(heads.dense_w),
        "bias": pack_array(heads.bias),
    }


def apply_state(scorer: LearnedScorer, state: Mapping[str, Any]) -> None:
    """Write a checkpoint's learned weights over ``scorer``'s start-up weights, in place."""
    if state.get("format") != STATE_FORMAT or state.get("representation") != REPRESENTATION_VERSION:
        raise ConfigurationError(
            f"model checkpoint is {state.get('format')!r} (representation "
            f"v{state.get('representation', '?')}); this build reads {STATE_FORMAT!r} v"
            f"{REPRESENTATION_VERSION}: delete the model keys to start from the shipped model "
            "(feedback since then will not be re-learned)")
    try:
        columns = [str(c) for c in state["columns"]]
        rows = unpack_array(state["rows"]).astype(np.int64)
        sparse_rows = unpack_array(state["sparse"])
        dense = unpack_array(state["dense"])
        bias = unpack_array(state["bias"])
        if (sparse_rows.shape != (len(rows), len(columns)) or bias.shape != (len(columns),)
                or dense.shape != (scorer.heads.dimensions, len(columns))
                or (len(rows) and (rows.min() < 0 or rows.max() >= BUCKETS))):
            raise ValueError("arrays do not fit the model")
    except (KeyError, TypeError, ValueError) as exc:
        raise ConfigurationError(f"model checkpoint is malformed ({exc.__class__.__name__}: "
                                 f"{exc})") from None
    heads = scorer.heads
    for column in columns:
        head, _, name = column.partition(":")
        if head not in heads.classes:
            raise ConfigurationError(f"model checkpoint names a head {head!r} this model lacks")
        if name not in heads.classes[head]:
            heads.add_class(head, name)
    for j, column in enumerate(columns):
        head, _, name = column.partition(":")
        col = heads.column(head, name)
        heads.sparse_w[rows, col] = sparse_rows[:, j]
        heads.dense_w[:, col] = dense[:, j]
        heads.bias[col] = bias[j]
    scorer.learned = int(state.get("learned", 0))


def state_to_json(state: Mapping[str, Any]) -> bytes:
    return orjson.dumps(state)


def state_from_json(blob: bytes) -> dict[str, Any]:
    state = orjson.loads(blob)
    if not isinstance(state, dict):
        raise ConfigurationError("model state is not a JSON object")
    return state
