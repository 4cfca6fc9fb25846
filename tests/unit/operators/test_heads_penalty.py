"""The heads' L2 penalty per head: a head named in ``L2_BY_HEAD`` is held back by its own."""

from __future__ import annotations

from itertools import pairwise

import numpy as np
import pytest
from scipy import sparse  # type: ignore[import-untyped]

from operators import heads as heads_module
from operators.heads import Heads, Targets
from operators.ticket_repr import BUCKETS


def fitted(monkeypatch: pytest.MonkeyPatch, by_head: dict[str, float]) -> Heads:
    monkeypatch.setattr(heads_module, "L2_BY_HEAD", by_head)
    rows = 8
    x = sparse.csr_matrix((np.ones(rows, np.float32), np.arange(rows) % 2, np.arange(rows + 1)),
                          shape=(rows, BUCKETS))
    dense = np.zeros((rows, 2), np.float32)
    heads = Heads({"topic": ["a", "b"], "intents": ["x"], "frustration": ["f50"]}, 2)
    label = (np.arange(rows) % 2).astype(np.float32)
    y = {"topic": np.stack([1 - label, label], axis=1), "intents": label[:, None],
         "frustration": label[:, None]}
    mask = {"topic": np.ones(rows, np.float32), "intents": np.ones((rows, 1), np.float32),
            "frustration": np.ones((rows, 1), np.float32)}
    heads.fit(x, dense, Targets(y, mask), epochs=100, l2=None)
    return heads


def test_a_head_with_its_own_heavier_penalty_keeps_smaller_weights(
        monkeypatch: pytest.MonkeyPatch) -> None:
    light = fitted(monkeypatch, {})
    heavy = fitted(monkeypatch, {"topic": 1.0})
    a, b = heavy.spans["topic"]
    assert np.abs(heavy.sparse_w[:2, a:b]).max() < 0.5 * np.abs(light.sparse_w[:2, a:b]).max()
    col = heavy.column("intents", "x")
    assert np.allclose(heavy.sparse_w[:2, col], light.sparse_w[:2, col])


def test_an_explicit_penalty_overrides_every_head(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(heads_module, "L2_BY_HEAD", {"topic": 1.0})
    rows = 4
    x = sparse.csr_matrix((np.ones(rows, np.float32), np.zeros(rows, np.int64), np.arange(rows + 1)),
                          shape=(rows, BUCKETS))
    heads = Heads({"topic": ["a", "b"], "intents": ["x"], "frustration": ["f50"]}, 1)
    y = {"topic": np.tile([1.0, 0.0], (rows, 1)).astype(np.float32),
         "intents": np.zeros((rows, 1), np.float32), "frustration": np.zeros((rows, 1), np.float32)}
    mask = {"topic": np.ones(rows, np.float32), "intents": np.zeros((rows, 1), np.float32),
            "frustration": np.zeros((rows, 1), np.float32)}
    heads.fit(x, np.zeros((rows, 1), np.float32), Targets(y, mask), epochs=50, l2=0.0)
    assert heads.sparse_w[0, 0] - heads.sparse_w[0, 1] > 1.0


def test_adams_step_settles_to_nothing_over_the_last_epochs() -> None:
    epochs = heads_module.EPOCHS
    steps = [heads_module._schedule(s, epochs) for s in range(1, epochs + 1)]
    assert steps[: epochs // 4] == [1.0] * (epochs // 4)
    assert all(a >= b for a, b in pairwise(steps))
    assert steps[-1] < 0.02
