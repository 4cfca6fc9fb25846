"""`cuewire taxonomy check` and `cuewire score --explain`: what a CS lead runs on the model."""

from __future__ import annotations

import textwrap
from pathlib import Path

import orjson
from typer.testing import CliRunner

from config.taxonomy import DEFAULT_TAXONOMY
from cuewire.cli import app

runner = CliRunner()

SMALL = """\
version: 1
levels: {critical: 88, high: 72, medium-high: 62, low-medium: 38}
categories:
  - id: data_integrity
    level: critical
    signal: churn_risk
    topic: data_integrity
    phrases: [numbers are wrong]
topics:
  - id: data_integrity
    examples: ["Every total in the weekly report is off by a few hundred"]
  - id: gantt
    examples: ["The gantt bars jump back when I drag them"]
intents:
  - id: cancellation
    signal: churn_risk
    topic: data_integrity
    examples: ["We will not renew after March"]
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_the_shipped_taxonomy_checks_clean_against_the_corpus() -> None:
    result = runner.invoke(app, ["taxonomy", "check", str(DEFAULT_TAXONOMY)])
    assert result.exit_code == 0, result.output
    assert "checked against" in result.output
    assert "topic:cancellation" in result.output and "!" not in result.output


def test_thin_topics_and_missing_defaults_are_warnings(tmp_path: Path) -> None:
    result = runner.invoke(app, ["taxonomy", "check", str(write(tmp_path, "t.yaml", SMALL))])
    assert result.exit_code == 0, result.output
    assert "default topic 'billing' is not listed" in result.output
    assert "topic gantt has 1 labelled examples; add at least 4 more" in result.output


def test_corpus_labels_the_taxonomy_lacks_are_errors(tmp_path: Path) -> None:
    taxonomy = write(tmp_path, "t.yaml", SMALL)
    corpus = write(tmp_path, "c.jsonl", '{"id": "x-1", "text": "the export hangs", '
                                        '"topic": "export"}\n')
    result = runner.invoke(app, ["taxonomy", "check", str(taxonomy), "--corpus", str(corpus)])
    assert result.exit_code == 2
    assert "ticket x-1 has topic 'export'" in result.output
    corpus.write_text('{"id": "x-2", "text": "bye", "topic": "gantt", "intents": ["refund"]}\n')
    result = runner.invoke(app, ["taxonomy", "check", str(taxonomy), "--corpus", str(corpus)])
    assert result.exit_code == 2 and "intents ['refund']" in result.output


def test_a_category_naming_an_unlisted_topic_is_an_error(tmp_path: Path) -> None:
    bad = SMALL.replace("    topic: data_integrity\n    phrases", "    topic: data\n    phrases")
    result = runner.invoke(app, ["taxonomy", "check", str(write(tmp_path, "t.yaml", bad))])
    assert result.exit_code == 2
    assert "names topic 'data', which is not among topics" in result.output


def test_score_explain_adds_the_evidence(tmp_path: Path) -> None:
    texts = write(tmp_path, "in.txt", "Our Salesforce sync stopped and the pipeline is empty\n")
    plain = runner.invoke(app, ["score", "--seed-model", str(texts)])
    explained = runner.invoke(app, ["score", "--seed-model", "--explain", str(texts)])
    assert plain.exit_code == 0 and explained.exit_code == 0, explained.output
    row = orjson.loads(plain.output.splitlines()[-1])
    assert "evidence" not in row and row["topic"] == "integration"
    evidence = orjson.loads(explained.output.splitlines()[-1])["evidence"]
    assert set(evidence) == {"words", "sentence", "nearest", "confidence"}
    assert evidence["words"]["topic"] and len(evidence["nearest"]) == 3
