"""The ticket model's heads: linear read-outs of the shared representation, one weight matrix.

Every head is a group of columns of one matrix (hashed sparse rows, plus the
dense rows, plus a bias), so a ticket's rows are gathered once for all heads:

* **softmax** heads pick one class: ``topic``, ``signal`` (with ``none``);
* **sigmoid** heads say yes or no per column: ``intents`` (one column per
  intent) and ``frustration``, three columns P(frustration ≥ 50 / 65 / 80) from
  which :mod:`operators.frustration_scale` builds the 0–100 score.

Training at start-up is full-batch Adam over the labelled corpus with an L2
penalty (about a second for two thousand tickets); a reviewer's correction is
one plain gradient step on that ticket alone (:meth:`Heads.learn_one`). A label
that is unknown for an example (``None``) teaches its head nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse  # type: ignore[import-untyped]

from operators.ticket_repr import BUCKETS, TicketRepresentation

SOFTMAX = ("topic", "signal")
SIGMOID = ("intents", "frustration")
FRUSTRATION_LEVELS = (50, 65, 80)
L2 = 1e-4
L2_BY_HEAD: dict[str, float] = {"topic": 2e-5}
"""Heads whose columns take another penalty than :data:`L2`. The topic head, a softmax
over twelve classes whose tickets share most of their words, needs its rarer words'
weights: at a fifth of the penalty, topic accuracy across held-out blocks of the corpus
(``python -m cuewire_dev.evaluate_cv``) rose from 0.763 to 0.785 and on ``train2.jsonl``'s
writers held out from 0.806 to 0.812. The sigmoid heads keep :data:`L2`: less penalty there
overfits them (cancellation recall at precision 0.85 fell, calibration error doubled)."""
EPOCHS = 200
ADAM_LR = 0.3
ONLINE_LR = 2.0
ONLINE_STEPS = 3
MAX_BALANCE = 10.0
BALANCE_POWER = 1.0
"""Positives of a rare sigmoid column weigh negatives / positives (at most 10):
rare intents are recalled without flooding the common ones."""


LR_SETTLE = 0.5
"""Share of the epochs, at the end, over which Adam's step falls linearly to zero. At a
constant step the weights never settle: Adam's normalised step moves a weight by the full
rate whatever the size of its gradient, so a last-bit difference in a sum (how many threads
BLAS uses) sent the API-question column to another solution (held-out blocks of the corpus,
``python -m cuewire_dev.evaluate_cv``: 181 API questions shown in one block on one thread,
14 on two). With the step settling, one and two threads train the same model; across the
held-out blocks API questions 0.71 / 0.86 (precision / recall), topic accuracy 0.786,
cancellation 0.85 / 0.85, as before."""


def _schedule(step: int, epochs: int) -> float:
    """The share of :data:`ADAM_LR` taken at ``step`` (1-based) of ``epochs``."""
    settle = int(LR_SETTLE * epochs)
    if settle <= 0 or step <= epochs - settle:
        return 1.0
    return (epochs - step + 1) / (settle + 1)


@dataclass(frozen=True, slots=True)
class Targets:
    """Per head, an (n, classes) 0/1 target matrix and an (n,) or (n, classes) mask of known labels."""

    y: dict[str, np.ndarray]
    mask: dict[str, np.ndarray]


class Heads:
    """The weight matrix and which columns belong to which head."""

    def __init__(self, classes: Mapping[str, Sequence[str]], dimensions: int) -> None:
        self.classes: dict[str, list[str]] = {h: list(dict.fromkeys(c)) for h, c in classes.items()}
        self.dimensions = dimensions
        width = sum(len(c) for c in self.classes.values())
        self.sparse_w = np.zeros((BUCKETS, width), dtype=np.float32)
        self.dense_w = np.zeros((dimensions, width), dtype=np.float32)
        self.bias = np.zeros(width, dtype=np.float32)
        self.spans: dict[str, tuple[int, int]] = {}
        self._reindex()

    def copy(self) -> Heads:
        """The same classes and weights, free to move apart from these."""
        twin = Heads(self.classes, self.dimensions)
        twin.sparse_w = self.sparse_w.copy()
        twin.dense_w = self.dense_w.copy()
        twin.bias = self.bias.copy()
        return twin

    def _reindex(self) -> None:
        start = 0
        for head, names in self.classes.items():
            self.spans[head] = (start, start + len(names))
            start += len(names)

    @property
    def width(self) -> int:
        return int(self.bias.shape[0])

    def column(self, head: str, name: str) -> int:
        return self.spans[head][0] + self.classes[head].index(name)

    # -- reading --------------------------------------------------------------

    def logits(self, rep: TicketRepresentation) -> np.ndarray:
        # ``take`` gathers the same rows as ``sparse_w[rows]`` in half the time (no
        # fancy-index machinery); the product is the same gemv on the same matrix.
        z = (rep.values @ self.sparse_w.take(rep.rows, axis=0) if len(rep.rows)
             else np.zeros(self.width, dtype=np.float32))
        return z + rep.dense @ self.dense_w + self.bias

    def probabilities(self, logits: np.ndarray) -> dict[str, np.ndarray]:
        """Per head, its classes' probabilities (softmax or independent sigmoids)."""
        # The ufuncs called directly: ``z.max()``, ``e.sum()`` and ``np.clip`` are the same
        # reductions and comparisons behind a few microseconds of Python each, per head.
        out: dict[str, np.ndarray] = {}
        for head, (a, b) in self.spans.items():
            z = logits[a:b]
            if head in SOFTMAX:
                e = np.exp(z - np.maximum.reduce(z))
                out[head] = e / np.add.reduce(e)
            else:
                out[head] = 1.0 / (1.0 + np.exp(-np.minimum(np.maximum(z, -30), 30)))
        return out

    # -- learning -------------------------------------------------------------

    def add_class(self, head: str, name: str) -> None:
        """A class first met in a reviewer's label: a new, zero column at the end of its head."""
        at = self.spans[head][1]
        self.sparse_w = np.insert(self.sparse_w, at, 0.0, axis=1)
        self.dense_w = np.insert(self.dense_w, at, 0.0, axis=1)
        self.bias = np.insert(self.bias, at, 0.0)
        self.classes[head].append(name)
        self._reindex()

    def _gradient(self, logits: np.ndarray, targets: Targets,
                  balance: Mapping[str, np.ndarray] | None = None) -> tuple[np.ndarray, float]:
        """d(loss)/d(logits) for a batch, each head's loss averaged over its known labels;
        ``balance`` weighs the positive examples of sigmoid columns (rare intents)."""
        grad = np.zeros_like(logits)
        loss = 0.0
        for head, (a, b) in self.spans.items():
            y, mask = targets.y[head], targets.mask[head]
            z = logits[:, a:b]
            if head in SOFTMAX:
                z = z - z.max(axis=1, keepdims=True)
                p = np.exp(z)
                p /= p.sum(axis=1, keepdims=True)
                known = max(float(mask.sum()), 1.0)
                grad[:, a:b] = (p - y) * mask[:, None] / known
                loss -= float((np.log(np.maximum(p, 1e-12)) * y * mask[:, None]).sum()) / known
            else:
                p = 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))
                known = np.maximum(mask.sum(axis=0), 1.0)  # per column: each is its own model
                weight = mask if balance is None or head not in balance else (
                    mask * (1.0 + (balance[head][None, :] - 1.0) * y))
                grad[:, a:b] = (p - y) * weight / known
                loss -= float(((mask * (y * np.log(np.maximum(p, 1e-12))
                                        + (1 - y) * np.log(np.maximum(1 - p, 1e-12)))) / known).sum())
        return grad, loss

    def fit(self, x_sparse: sparse.csr_matrix, x_dense: np.ndarray, targets: Targets, *,
            epochs: int | None = None, lr: float | None = None, l2: float | None = None) -> float:
        """Full-batch Adam from the current weights; returns the last loss."""
        epochs = EPOCHS if epochs is None else epochs
        lr = ADAM_LR if lr is None else lr
        l2_of = np.full(self.width, L2 if l2 is None else l2, dtype=np.float32)
        if l2 is None:
            for head, penalty in L2_BY_HEAD.items():
                if head in self.spans:
                    a, b = self.spans[head]
                    l2_of[a:b] = penalty
        active = np.unique(x_sparse.indices)
        xs = x_sparse[:, active].tocsr().astype(np.float32)
        xs_t = xs.T.tocsr()
        ws = self.sparse_w[active].copy()
        params = [ws, self.dense_w, self.bias]
        moments = [(np.zeros_like(p), np.zeros_like(p)) for p in params]
        beta1, beta2, eps = 0.9, 0.999, 1e-8
        balance = {}
        for head in SIGMOID:
            y, mask = targets.y[head], targets.mask[head]
            positives = (y * mask).sum(axis=0)
            negatives = ((1 - y) * mask).sum(axis=0)
            balance[head] = np.clip(negatives / np.maximum(positives, 1.0), 1.0,
                                    MAX_BALANCE) ** BALANCE_POWER
        loss = 0.0
        for step in range(1, epochs + 1):
            logits = xs @ ws + x_dense @ self.dense_w + self.bias
            g, loss = self._gradient(logits, targets, balance)
            grads = [xs_t @ g + l2_of * ws, x_dense.T @ g + l2_of * self.dense_w, g.sum(axis=0)]
            rate = lr * _schedule(step, epochs)
            for p, grad, (m, v) in zip(params, grads, moments, strict=True):
                m *= beta1
                m += (1 - beta1) * grad
                v *= beta2
                v += (1 - beta2) * grad * grad
                p -= rate * (m / (1 - beta1 ** step)) / (np.sqrt(v / (1 - beta2 ** step)) + eps)
        self.sparse_w[active] = ws
        return loss

    def learn_one(self, rep: TicketRepresentation, targets: Targets, *, lr: float | None = None,
                  steps: int | None = None) -> None:
        """A few gradient steps on one labelled ticket (a reviewer's correction)."""
        lr = ONLINE_LR if lr is None else lr
        steps = ONLINE_STEPS if steps is None else steps
        rows, values = rep.rows, rep.values
        for _ in range(steps):
            logits = self.logits(rep)[None, :]
            g, _ = self._gradient(logits, targets)
            g = g[0].astype(np.float32)
            np.add.at(self.sparse_w, rows, -lr * values[:, None] * g[None, :])
            self.dense_w -= lr * rep.dense[:, None] * g[None, :]
            self.bias -= lr * 0.1 * g
