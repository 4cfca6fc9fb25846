"""The flow's ticket scorer against DESIGN.md's examples of language."""

from pathlib import Path

import pytest

from config.taxonomy import load_taxonomy
from contracts.errors import ConfigurationError
from operators.learned_score import LearnedScorer


@pytest.fixture(scope="module")
def scorer() -> LearnedScorer:
    return LearnedScorer.shipped()


@pytest.mark.parametrize(
    ("text", "low", "high"),
    [
        ("Since Monday every invoice we sent out has the wrong totals and our customers are "
         "calling us about it. This is really serious.", 80, 100),
        ("Our data disappeared after the migration, 300 projects are gone", 80, 100),
        ("The Salesforce sync stopped last night and my whole team is stuck entering leads by "
         "hand. This needs fixing today.", 65, 100),
        ("The new editor is a bit slow and a little confusing", 0, 64),
        ("Thanks!!! How do I add a column?", 0, 29),
    ],
)
def test_the_labelling_bands(scorer: LearnedScorer, text: str, low: int, high: int) -> None:
    result = scorer.score(text)
    assert low <= result.score <= high, result
    assert (result.risk is not None) == (result.score >= 35)


def test_politeness_and_exclamation_marks_do_not_make_frustration(scorer: LearnedScorer) -> None:
    assert scorer.score("Thank you so much!!! Please keep up the great work!!!").score < 35
    assert scorer.score("Please help us, thanks!!! How do I invite a colleague???").score < 35


def test_apostrophe_variants_read_the_same(scorer: LearnedScorer) -> None:
    curly, straight = (scorer.score(f"I can{a}t export anything and it{a}s urgent") for a in "’'")
    assert curly.score == straight.score and curly.topic == straight.topic


def test_more_trouble_scores_higher_but_stays_within_100(scorer: LearnedScorer) -> None:
    one = scorer.score("a small display glitch in the sidebar")
    many = scorer.score("data disappeared, sync stopped, charged twice, everything is slow, "
                        "unacceptable, we are looking at other vendors")
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
