"""make eval's splits: the tickets a split scores are never among those the model learns from."""

from __future__ import annotations

from pathlib import Path

from cuewire_dev.evaluate import WRITERS, held_out_training
from operators.corpus import DEV, TRAIN, TRAIN2, load_tickets, training_corpus


def test_the_dev_and_proxy_splits_are_held_out_of_training() -> None:
    for split, scored in (("dev", DEV), ("proxy", TRAIN2)):
        learned = held_out_training(split)
        assert learned is not None
        ids = {t.id for t in learned}
        assert not ids & {t.id for t in load_tickets(scored)}
        assert {t.id for t in load_tickets(TRAIN)} <= ids


def test_the_proxy_model_still_learns_from_the_dev_split() -> None:
    learned = held_out_training("proxy")
    assert learned is not None and {t.id for t in load_tickets(DEV)} <= {t.id for t in learned}


def test_the_test_split_is_scored_by_the_shipped_model() -> None:
    assert held_out_training("test") is None


def test_a_given_corpus_file_is_held_out_of_the_model_that_scores_it() -> None:
    learned = held_out_training("test", TRAIN2)
    assert learned is not None
    assert not {t.id for t in learned} & {t.id for t in load_tickets(TRAIN2)}
    assert {t.id for t in load_tickets(TRAIN)} <= {t.id for t in learned}


def test_a_given_file_the_model_never_learns_from_is_scored_by_the_shipped_model(
        tmp_path: Path) -> None:
    assert held_out_training("proxy", tmp_path / "tickets.jsonl") is None


def test_the_writers_guide_is_scored_by_the_shipped_model_and_never_trained_on() -> None:
    assert held_out_training("writers") is None
    written = {t.id for t in load_tickets(WRITERS)}
    assert len(written) == 300
    assert not written & {t.id for p in training_corpus() for t in load_tickets(p)}
