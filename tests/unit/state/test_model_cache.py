"""The start-up model's cache: the same inputs find the same model, changed inputs miss,
arrays that do not fit are not used, and a cache that cannot be written is only skipped."""

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from config.taxonomy import load_taxonomy
from operators import startup_model
from operators.learned_score import LearnedScorer
from operators.startup_model import TrainingInputs, cached_or_trained, model_arrays, scorer_from_arrays
from operators.training_data import taxonomy_examples, training_files
from state.model_cache import DiskModelCache

TAXONOMY = load_taxonomy()


def inputs(tmp_path: Path, corpus: str = "a", taxonomy: str = "{}", epochs: int = 3) -> TrainingInputs:
    path = tmp_path / "train.jsonl"
    path.write_text(corpus)
    return TrainingInputs(taxonomy, (path,), {"EPOCHS": epochs})


def test_a_model_is_found_by_the_inputs_it_was_trained_from(tmp_path: Path) -> None:
    cache = DiskModelCache(tmp_path / "cache")
    arrays = {"w": np.arange(6, dtype=np.float32).reshape(2, 3)}
    cache.save(inputs(tmp_path), arrays)
    found = cache.load(inputs(tmp_path))
    assert found is not None and np.array_equal(found["w"], arrays["w"])
    assert cache.load(inputs(tmp_path, corpus="b")) is None  # the corpus changed
    assert cache.load(inputs(tmp_path, taxonomy='{"topics": []}')) is None
    assert cache.load(inputs(tmp_path, epochs=4)) is None  # the trainer changed


def test_a_cache_that_cannot_be_written_or_read_is_skipped(tmp_path: Path) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("not a directory")
    cache = DiskModelCache(blocked / "cache")
    cache.save(inputs(tmp_path), {"w": np.zeros(2)})
    assert cache.load(inputs(tmp_path)) is None
    broken = DiskModelCache(tmp_path / "broken")
    broken.save(inputs(tmp_path), {"w": np.zeros(2)})
    for npz in (tmp_path / "broken").glob("*.npz"):
        npz.write_bytes(b"truncated")
    assert broken.load(inputs(tmp_path)) is None


@pytest.fixture(scope="module")
def trained() -> LearnedScorer:
    return LearnedScorer.seeded(TAXONOMY)


def shipped_examples() -> list[Any]:
    from operators.corpus import load_tickets

    return [*(t for p in training_files() for t in load_tickets(p)), *taxonomy_examples(TAXONOMY)]


def test_a_scorer_rebuilt_from_its_arrays_scores_the_same(trained: LearnedScorer) -> None:
    rebuilt = scorer_from_arrays(TAXONOMY, shipped_examples(), model_arrays(trained))
    for text in ("the Pipedrive connector stopped syncing again, third time this month",
                 "How do I add a custom field to projects?"):
        assert rebuilt.score(text) == trained.score(text)
        assert rebuilt.score(text).problem == trained.score(text).problem


def test_arrays_that_do_not_fit_are_refused(trained: LearnedScorer) -> None:
    with pytest.raises(ValueError, match="does not fit"):
        scorer_from_arrays(TAXONOMY, shipped_examples()[:-1], model_arrays(trained))


class Remembering:
    def __init__(self, arrays: dict[str, np.ndarray] | None) -> None:
        self.arrays, self.saved = arrays, 0

    def load(self, inputs: TrainingInputs) -> dict[str, np.ndarray] | None:
        return self.arrays

    def save(self, inputs: TrainingInputs, arrays: dict[str, np.ndarray]) -> None:
        self.saved += 1
        self.arrays = arrays


def test_a_cached_model_is_used_and_a_misfit_one_retrained(
        trained: LearnedScorer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    hit = Remembering(model_arrays(trained))
    assert cached_or_trained(TAXONOMY, hit).score("sync broken").score == trained.score("sync broken").score
    assert hit.saved == 0
    # A misfit: a small corpus (so training is quick) against the shipped model's arrays.
    small = tmp_path / "small.jsonl"
    small.write_text((training_files()[0]).read_text().splitlines()[0] + "\n")
    monkeypatch.setattr(startup_model, "training_files", lambda: [small])
    misfit = Remembering(model_arrays(trained))
    retrained = cached_or_trained(TAXONOMY, misfit)
    assert misfit.saved == 1 and len(retrained.examples) == 1 + len(taxonomy_examples(TAXONOMY))
