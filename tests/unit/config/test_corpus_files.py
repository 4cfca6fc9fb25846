"""The shipped labelled corpus keeps ``config/corpus/LABELLING.md``'s rules, line by line, and
every training file reaches the start-up model and the splits that measure it."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import orjson
import pytest

from cuewire_dev.evaluate import WRITERS, held_out_training
from operators.corpus import DEV, TRAIN2, TRAIN3, TRAIN4, load_tickets, training_corpus
from operators.training_data import training_files

FIELDS = {"id", "lang", "tone", "subject", "body", "frustration", "frustrated", "signal", "topic",
          "intents", "problem"}
LANGS = {"en", "de", "es", "fr"}
TONES = {"plain", "angry", "sarcastic", "polite_serious", "non_native", "typos", "terse",
         "rambling"}
TOPICS = {"integration", "data_integrity", "export", "billing", "performance", "login_access",
          "ui_bug", "how_to", "plan_seats", "api", "cancellation", "other"}
INTENTS = {"cancellation", "full_export", "api_question", "upgrade_question", "billing_dispute",
           "feature_request"}
SIGNALS = {"churn_risk", "upgrade_intent", "feature_gap", "billing_issue", None}
CORE = {"data_integrity", "integration", "performance", "login_access", "export", "api"}
"""Topics whose frustrated tickets are a broken core workflow: churn risk."""
CORPUS = (*training_corpus(), DEV)
"""Every labelled file the model learns from, a new ``train<N>.jsonl`` included."""
CHECKED = (*CORPUS, WRITERS)
"""Those and the later writers' guide the model never learns from (``--split writers``)."""
PREFIX = {**{p: "tr" for p in CORPUS}, TRAIN2: "tr2", DEV: "dv", WRITERS: "uw"}
SPLIT_TOPIC = {"pg-tr-en-027"}
"""Triples whose hand check moved one ticket to another topic (LABELLING.md, "the hand check")."""


def rows(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    for number, line in enumerate(path.read_bytes().splitlines(), start=1):
        if line.strip():
            yield number, orjson.loads(line)


def signal_breaks_the_order(row: dict[str, Any]) -> bool:
    """True when the signal contradicts LABELLING.md's order (the first rule that applies wins).

    A competitor's mention or a full export to leave also mean churn risk, which the labels
    alone cannot show, so only what they do show is checked.

    >>> signal_breaks_the_order({"intents": ["cancellation"], "signal": "billing_issue",
    ...                          "frustrated": False, "topic": "billing"})
    True
    >>> signal_breaks_the_order({"intents": ["full_export"], "signal": None, "frustrated": False,
    ...                          "topic": "export"})
    False
    """
    intents: set[str] = set(row["intents"])
    signal: str | None = row["signal"]
    if "cancellation" in intents or (row["frustrated"] and row["topic"] in CORE):
        return signal != "churn_risk"
    if "billing_dispute" in intents:
        return signal not in {"churn_risk", "billing_issue"}
    if intents & {"upgrade_question", "api_question"}:
        return signal not in {"churn_risk", "billing_issue", "upgrade_intent"}
    if "feature_request" in intents:
        return signal is None
    return False


@pytest.mark.parametrize("path", CHECKED, ids=lambda p: p.name)
def test_every_line_holds_the_labelling_rules_fields_and_values(path: Path) -> None:
    for number, row in rows(path):
        where = f"{path.name} line {number}"
        assert set(row) == FIELDS, where
        assert row["lang"] in LANGS and row["tone"] in TONES and row["topic"] in TOPICS, where
        assert re.fullmatch(rf"{PREFIX[path]}-{row['lang']}-\d{{4}}", row["id"]), where
        assert isinstance(row["subject"], str) and isinstance(row["body"], str), where
        assert row["body"].strip(), where
        assert isinstance(row["frustration"], int) and 0 <= row["frustration"] <= 100, where
        assert row["frustrated"] is (row["frustration"] >= 50), where
        assert set(row["intents"]) <= INTENTS and len(set(row["intents"])) == len(row["intents"]), where
        assert row["signal"] in SIGNALS, where
        assert not signal_breaks_the_order(row), where


HOW_TO_FIRST = {"tr-es-1093", "tr-fr-1096", "tr-en-1015", "tr-en-2706", "tr-en-1811",
                "tr-en-1205", "tr-de-2657", "tr-en-2713", "uw-en-6448"}
"""Feature requests kept under ``how_to``: the how-to question comes first, the wish after it."""


@pytest.mark.parametrize("path", CHECKED, ids=lambda p: p.name)
def test_a_feature_the_product_lacks_is_filed_under_other_not_how_to(path: Path) -> None:
    """LABELLING.md, under the topic table: a request with nothing broken is ``other``."""
    filed = [row["id"] for _, row in rows(path)
             if row["topic"] == "how_to" and "feature_request" in row["intents"]
             and row["id"] not in HOW_TO_FIRST]
    assert not filed, f"{path.name}: feature requests filed under how_to: {filed}"


def test_ids_are_unique_across_the_corpus() -> None:
    ids = [row["id"] for path in CHECKED for _, row in rows(path)]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("path", CHECKED, ids=lambda p: p.name)
def test_a_problem_group_is_one_files_triple_on_one_topic(path: Path) -> None:
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for _, row in rows(path):
        if row["problem"] is not None:
            groups[row["problem"]].append(row)
    assert groups
    for problem, members in groups.items():
        assert len(members) == 3, problem
        assert len({m["topic"] for m in members}) == 1 or problem in SPLIT_TOPIC, problem
    others = {row["problem"] for other in CHECKED if other != path for _, row in rows(other)}
    assert not set(groups) & others


def sentences(body: str) -> set[str]:
    return {s.strip() for s in re.split(r"(?<=[.!?])\s+|\n", body) if len(s.strip()) > 40}


LATER = training_corpus()[2:]
"""Files written after the first training file, ``train2.jsonl`` and the dev split."""


@pytest.mark.parametrize("path", LATER, ids=lambda p: p.name)
def test_a_later_file_copies_no_ticket_and_no_sentence_of_the_earlier_ones(path: Path) -> None:
    files = training_corpus()
    assert_no_sentence_repeats(path, (*files[:files.index(path)], DEV))


def assert_no_sentence_repeats(path: Path, earlier_files: Sequence[Path]) -> None:
    """No long sentence of ``path`` is one of ``earlier_files``' or another of its own tickets'."""
    earlier = set().union(*(sentences(row["body"]) for p in earlier_files for _, row in rows(p)))
    seen: dict[str, str] = {}
    for _, row in rows(path):
        for sentence in sentences(row["body"]):
            assert sentence not in earlier, row["id"]
            assert seen.setdefault(sentence, row["id"]) == row["id"], row["id"]


def test_the_third_file_weights_the_languages_the_model_was_weakest_in() -> None:
    langs = [row["lang"] for _, row in rows(TRAIN3)]
    assert len(langs) >= 600
    assert (langs.count("es") + langs.count("fr")) / len(langs) >= 0.4
    assert langs.count("de") / len(langs) >= 0.18


def test_the_fourth_file_weights_german_topic_other_and_the_band_below_the_gate() -> None:
    labelled = [row for _, row in rows(TRAIN4)]
    langs = [row["lang"] for row in labelled]
    assert len(labelled) >= 300
    assert max(set(langs), key=langs.count) == "de" and langs.count("de") / len(langs) >= 0.3
    assert sum(row["topic"] == "other" for row in labelled) / len(labelled) >= 0.15
    assert sum(50 <= row["frustration"] < 65 for row in labelled) >= 80


def test_the_fourth_file_asks_about_the_api_in_every_language_and_tone() -> None:
    """API questions are filed under ``api`` whoever asks (a developer, a treasurer with a
    volunteer's script, a kiosk's installer), in every language and tone."""
    labelled = [row for _, row in rows(TRAIN4)]
    asks = [row for row in labelled if "api_question" in row["intents"]]
    assert len(asks) >= 60
    assert all(row["topic"] == "api" for row in asks)
    assert all(sum(row["lang"] == lang for row in asks) >= 12 for lang in LANGS)
    assert {row["tone"] for row in asks} == TONES


@pytest.mark.parametrize("path", [p for p in CORPUS if p not in (TRAIN2, DEV)], ids=lambda p: p.name)
def test_every_training_file_reaches_the_start_up_model_and_the_held_out_splits(path: Path) -> None:
    assert path in training_files() and path in training_files(with_dev=False)
    ids = {t.id for t in load_tickets(path)}
    for split in ("dev", "proxy"):
        learned = held_out_training(split)
        assert learned is not None and ids <= {t.id for t in learned}, split


def test_the_writers_guide_copies_no_sentence_the_model_learns_from() -> None:
    """Scored as unseen writers, so no sentence of theirs may be one the model was taught."""
    assert_no_sentence_repeats(WRITERS, CORPUS)
