"""The taxonomy file: what a CS lead may write in it, and errors that point at the line."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from config.taxonomy import DEFAULT_BANDS, load_taxonomy
from contracts.errors import ConfigurationError
from operators.text_features import Featurizer, tokens_of

VALID = """\
version: 1
levels: {critical: 88, high: 72, medium-high: 62, low-medium: 38}
categories:
  - id: data_integrity
    level: critical
    signal: churn_risk
    topic: data_integrity
    phrases: [numbers are wrong, data disappeared, refund]
    weights: {refund: 0.5}
    patterns:
      - words: [data, record*]
        near: [vanished, gone]
        within: 3
intents:
  - id: cancellation
    signal: churn_risk
    topic: cancellation
    phrases: [cancel]
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "taxonomy.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def error_of(path: Path) -> str:
    with pytest.raises(ConfigurationError) as err:
        load_taxonomy(path)
    return str(err.value)


def test_the_shipped_taxonomy_loads_and_each_level_sits_in_its_band() -> None:
    taxonomy = load_taxonomy()
    for level, score in taxonomy.levels.items():
        low, high = taxonomy.band(level)
        assert low <= score <= high
    assert taxonomy.band("none") == (50, 79)
    assert all(cat.phrases for cat in taxonomy.categories)


def test_a_minimal_file_gets_the_default_bands(tmp_path: Path) -> None:
    taxonomy = load_taxonomy(write(tmp_path, VALID))
    assert taxonomy.bands == DEFAULT_BANDS
    assert taxonomy.categories[0].weight_of("refund") == 0.5
    assert taxonomy.categories[0].weight_of("data disappeared") == 1.0
    assert taxonomy.categories[0].patterns[0].words == ["data", "record*"]


def test_an_unknown_key_names_its_line(tmp_path: Path) -> None:
    path = write(tmp_path, VALID.replace("    topic: data_integrity\n",
                                         "    topic: data_integrity\n    colour: red\n"))
    message = error_of(path)
    assert "category 'data_integrity': colour" in message
    assert "line 8" in message


def test_a_pattern_word_with_a_space_names_its_line(tmp_path: Path) -> None:
    path = write(tmp_path, VALID.replace("near: [vanished, gone]", "near: [vanished, was gone]"))
    message = error_of(path)
    assert "category 'data_integrity': patterns.0.near.1" in message
    assert "line 12" in message
    assert "must be one word" in message


def test_an_unquoted_yaml_boolean_is_caught_with_its_line(tmp_path: Path) -> None:
    # YAML 1.1 reads a bare `off` or `no` as false: the error says where to add quotes.
    path = write(tmp_path, VALID.replace("near: [vanished, gone]", "near: [vanished, off]"))
    message = error_of(path)
    assert "category 'data_integrity': patterns.0.near.1 (line 12)" in message
    assert "valid string" in message


def test_weights_must_name_a_phrase_of_the_category(tmp_path: Path) -> None:
    path = write(tmp_path, VALID.replace("weights: {refund: 0.5}", "weights: {refunds: 0.5}"))
    message = error_of(path)
    assert "weights names ['refunds']" in message
    assert "line 4" in message


def test_a_weight_out_of_range_names_its_line(tmp_path: Path) -> None:
    path = write(tmp_path, VALID.replace("weights: {refund: 0.5}", "weights: {refund: -1}"))
    message = error_of(path)
    assert "category 'data_integrity': weights.refund (line 9)" in message


def test_a_band_out_of_order_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, VALID + "bands:\n  critical: [90, 80]\n")
    assert "bands.critical must be [low, high]" in error_of(path)


def test_a_level_outside_its_band_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, VALID + "bands:\n  critical: [90, 100]\n")
    assert "levels.critical is 88, outside its band [90, 100]" in error_of(path)


def test_an_unknown_level_names_its_line(tmp_path: Path) -> None:
    path = write(tmp_path, VALID.replace("level: critical", "level: severe"))
    message = error_of(path)
    assert "category 'data_integrity': level (line 5)" in message


def test_a_yaml_syntax_error_names_its_line(tmp_path: Path) -> None:
    path = write(tmp_path, "version: 1\nlevels: {critical: 90\ncategories: []\n")
    assert "line" in error_of(path)


def test_a_key_written_twice_in_one_entry_is_refused_with_its_line(tmp_path: Path) -> None:
    # Plain YAML keeps the second list and drops the first without a word.
    path = write(tmp_path, VALID.replace("    phrases: [cancel]\n",
                                         "    examples: [\"We won't renew.\"]\n"
                                         "    phrases: [cancel]\n"
                                         "    examples: [\"Please end our contract.\"]\n"))
    message = error_of(path)
    assert "line 20: key 'examples' is written twice in one entry" in message


def test_a_key_yaml_cannot_hash_is_not_valid_yaml_rather_than_a_crash(tmp_path: Path) -> None:
    assert "line 1: not valid YAML" in error_of(write(tmp_path, "? [a, b]\n: 1\n"))


def test_the_same_key_in_two_entries_is_not_a_duplicate(tmp_path: Path) -> None:
    path = write(tmp_path, VALID.replace("    phrases: [cancel]\n",
                                         "    phrases: [cancel]\n    examples: [\"We won't renew.\"]\n"))
    intent = load_taxonomy(path).intents[0]
    assert intent.examples == ["We won't renew."]


def test_ids_used_twice_are_refused(tmp_path: Path) -> None:
    path = write(tmp_path, VALID.replace("  - id: cancellation", "  - id: data_integrity"))
    assert "ids used twice: ['data_integrity']" in error_of(path)


def test_an_empty_or_missing_file_is_a_configuration_error(tmp_path: Path) -> None:
    assert "taxonomy" in error_of(write(tmp_path, ""))
    assert "cannot read" in error_of(tmp_path / "nope.yaml")


# -- what the file's entries match -------------------------------------------


@pytest.fixture
def featurizer(tmp_path: Path) -> Featurizer:
    return Featurizer(load_taxonomy(write(tmp_path, VALID)))


def owners(featurizer: Featurizer, text: str) -> list[str]:
    return [hit.owner for hit in featurizer.extract(text).hits]


def test_phrases_match_whole_words_any_case_any_punctuation(featurizer: Featurizer) -> None:
    assert owners(featurizer, "The NUMBERS -- are, wrong!") == ["data_integrity"]
    assert owners(featurizer, "numbers arewrong") == []
    assert owners(featurizer, "Check the numbers. Are wrong answers counted?") == []  # 2 sentences
    assert owners(featurizer, "refunding") == []


def test_apostrophes_are_optional(tmp_path: Path) -> None:
    f = Featurizer(load_taxonomy(write(tmp_path, VALID.replace(
        "phrases: [numbers are wrong", "phrases: [can't export, numbers are wrong"))))
    for text in ("I can't export", "I can’t export", "I cant export"):
        assert owners(f, text) == ["data_integrity"], text


def test_a_pattern_matches_near_words_in_one_sentence_only(featurizer: Featurizer) -> None:
    assert owners(featurizer, "Our records have all gone") == ["data_integrity"]
    assert owners(featurizer, "Records of the old pricing page are gone") == []  # too far apart
    assert owners(featurizer, "We exported the data. It's gone to finance") == []


def test_a_pattern_restating_a_phrase_counts_once(featurizer: Featurizer) -> None:
    hits = featurizer.extract("Our data disappeared and the data is gone").hits
    assert [h.phrase for h in hits] == ["data disappeared"]


def test_negation_right_before_a_phrase_cancels_it(featurizer: Featurizer) -> None:
    assert owners(featurizer, "We do not cancel anything") == []
    assert owners(featurizer, "No data disappeared, luckily") == []
    assert owners(featurizer, "I can't believe our data disappeared") == ["data_integrity"]


def test_weights_reach_the_features(featurizer: Featurizer) -> None:
    assert featurizer.extract("where is my refund").values["tax:data_integrity"] == 0.5
    assert featurizer.extract("data disappeared, refund").values["tax:data_integrity"] == 1.0


def test_tokens_drop_apostrophes_and_case() -> None:
    assert tokens_of("Can’t LOG-in, won't load!") == ["cant", "log-in", "wont", "load"]
