"""A ticket's problem fingerprint: what it is about, small enough to keep in every window member.

The fingerprint is the unit vector the ticket model compares tickets by (its
topic reading, the leading components of its word-vector representation and
its rarest words hashed into a few buckets: the tool, report or field the
customer names), quantised to one signed byte per component and
base64-encoded: about 150 characters a ticket. Two tickets
describe the same problem when their fingerprints' cosine similarity reaches
:data:`SAME_PROBLEM_AT`, chosen on the dev split's re-worded triples: for 0.71 of
them the third report is close to both earlier ones (what ``same: problem``
needs to fire), while 0.09 of pairs of different problems in one language pass.

>>> import numpy as np
>>> a, b = pack(np.array([0.6, 0.8, 0.0])), pack(np.array([0.0, 0.0, 1.0]))
>>> round(similarity(a, a), 2), round(similarity(a, b), 2), same_problem(a, b)
(1.0, 0.0, False)
"""

from __future__ import annotations

import base64
import binascii

import numpy as np

SAME_PROBLEM_AT = 0.50
"""Cosine similarity from which two tickets are taken to describe the same problem.

Re-chosen when ``train5.jsonl`` and ``train6.jsonl`` (511 tickets by new writers) moved the
words' rarities the fingerprint weighs: at 0.55 the re-worded triples found the same fell
on ``train2.jsonl``'s writers held out from 0.88 to 0.76 (across held-out blocks of the
corpus 0.93 → 0.88), while different problems passed as the same less often (0.12 → 0.11,
0.18 → 0.17). At 0.54 both are back where they were: 0.88 with 0.12 passing on
``train2.jsonl``'s writers, 0.95 with 0.20 across the blocks, 0.93 with 0.19 on the dev
split. At 0.53: 0.92 / 0.16 and 0.97 / 0.22; at 0.50: 0.92 / 0.22 and 0.98 / 0.29.

Re-chosen at 0.52 when ``train7.jsonl`` to ``train10.jsonl`` (1,000 tickets by new writers) moved
the rarities again: at 0.54 the triples found the same fell to 0.84 on ``train2.jsonl``'s writers
(false-same 0.14) and 0.85 across the blocks (0.17). At 0.52: 0.88 / 0.17 and 0.95 / 0.22, 0.93 /
0.20 on the dev split; at 0.51: 0.92 / 0.19 and 0.97 / 0.24; at 0.50: 0.92 / 0.20 and 0.98 /
0.26. 0.52 keeps the blocks' agreement where it was for the fewest pairs of different problems
passing.

Re-chosen at 0.50 when ``train12.jsonl`` to ``train18.jsonl`` (1,400 tickets by new writers) moved
them once more (``python -m cuewire_dev.sweep``): at 0.52 the triples found the same fell to 0.84
on ``train2.jsonl``'s writers (false-same 0.15) and 0.88 across the blocks (0.20). At 0.50: 0.88 /
0.19 and 0.95 / 0.23, 1.0 / 0.24 on the dev split; at 0.51: 0.84 / 0.17 and 0.93 / 0.22. 0.50 is
again where the blocks' agreement was, for the fewest pairs of different problems passing."""


def pack(vector: np.ndarray) -> str:
    norm = float(np.linalg.norm(vector))
    unit = vector / norm if norm > 0 else vector
    quantised = np.clip(np.round(unit * 127), -127, 127).astype(np.int8)
    return base64.b64encode(quantised.tobytes()).decode("ascii")


def unpack(packed: str) -> np.ndarray | None:
    """The fingerprint's vector, or ``None`` when it is not one (it then matches nothing)."""
    try:
        raw = base64.b64decode(packed, validate=True)
    except (binascii.Error, ValueError):
        return None
    return np.frombuffer(raw, dtype=np.int8).astype(np.float32) / 127.0


MEMO_SIZE = 50_000
"""Fingerprints (and pairs of them) whose reading is kept: a window's tickets are compared
with every new ticket of their account, batch after batch, so each is decoded once."""

_Reading = tuple[np.ndarray, float] | None
_readings: dict[str, _Reading] = {}
_similarities: dict[tuple[str, str], float] = {}


def _reading(packed: str) -> _Reading:
    found = _readings.get(packed, False)
    if found is False:
        vector = unpack(packed)
        found = None if vector is None else (vector, float(np.linalg.norm(vector)))
        if len(_readings) >= MEMO_SIZE:
            _readings.clear()
        _readings[packed] = found
    return found  # type: ignore[return-value]


def similarity(a: str, b: str) -> float:
    """Cosine similarity of two fingerprints; 0 when either is malformed or they differ in size."""
    found = _similarities.get((a, b))
    if found is not None:
        return found
    ra, rb = _reading(a), _reading(b)
    if ra is None or rb is None or ra[0].shape != rb[0].shape:
        found = 0.0
    else:
        (va, na), (vb, nb) = ra, rb
        found = float(va @ vb) / (na * nb) if na and nb else 0.0
    if len(_similarities) >= MEMO_SIZE:
        _similarities.clear()
    _similarities[(a, b)] = found
    return found


def same_problem(a: str | None, b: str | None, at: float = SAME_PROBLEM_AT) -> bool:
    return a is not None and b is not None and similarity(a, b) >= at
