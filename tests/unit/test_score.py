"""The flow's ticket scorer against DESIGN.md's examples of language."""

from pathlib import Path

import pytest

from config.taxonomy import load_taxonomy
from contracts.errors import ConfigurationError
from operators.learned_score import LearnedScorer


@pytest.fixture(scope="module")
def scorer() -> LearnedScorer:
    return LearnedScorer.seeded(load_taxonomy())


@pytest.mark.parametrize(
    ("text", "low", "high", "risk"),
    [
        ("The numbers are wrong on every dashboard", 80, 100, "critical"),
        ("Our data disappeared after the migration", 80, 100, "critical"),
        ("I can't export the report, it just spins", 65, 79, "high"),
        ("Salesforce sync stopped last night", 65, 79, "high"),
        ("webhook not firing since yesterday", 65, 79, "high"),
        ("API error 500 on every call", 65, 79, "high"),
        ("We were charged the wrong amount this month", 55, 70, "medium-high"),
        ("The new editor is slow and a bit confusing", 20, 50, "low-medium"),
    ],
)
def test_taxonomy_rows(scorer: LearnedScorer, text: str, low: int, high: int, risk: str) -> None:
    result = scorer.score(text)
    assert low <= result.score <= high, result
    assert result.risk == risk
    assert result.phrases


def test_politeness_and_exclamation_marks_do_not_make_frustration(scorer: LearnedScorer) -> None:
    # Below every frustrated band (35 is the floor of low-medium), however many "!!!".
    assert scorer.score("Thank you so much!!! Please keep up the great work!!!").score < 35
    assert scorer.score("Please help us, thanks!!! How do I invite a colleague???").score < 35


def test_apostrophe_variants_match(scorer: LearnedScorer) -> None:
    assert scorer.score("I can’t export anything").score >= 65
    assert scorer.score("I cant export anything").score >= 65


def test_several_categories_add_up_but_stay_within_100(scorer: LearnedScorer) -> None:
    one = scorer.score("data disappeared")
    many = scorer.score("data disappeared, sync stopped, charged twice, slow, unacceptable")
    assert many.score > one.score
    assert many.score <= 100


def test_taxonomy_errors_name_the_entry_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "t.yaml"
    bad.write_text(
        "version: 1\nlevels: {critical: 90}\ncategories:\n"
        "  - id: data\n    level: severe\n    signal: churn_risk\n    topic: d\n    phrases: [x]\n"
    )
    with pytest.raises(ConfigurationError) as err:
        load_taxonomy(bad)
    assert "category 'data': level" in str(err.value)
    assert "line 5" in str(err.value)


def test_taxonomy_yaml_syntax_error_names_the_line(tmp_path: Path) -> None:
    bad = tmp_path / "t.yaml"
    bad.write_text("version: 1\nlevels: {critical: 90\n")
    with pytest.raises(ConfigurationError, match="line"):
        load_taxonomy(bad)
