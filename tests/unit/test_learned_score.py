"""The learned scorer: DESIGN.md's taxonomy rows on day one, learning, explanations, state."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from config.taxonomy import load_taxonomy
from contracts.errors import ConfigurationError, PoisonRecord
from cuewire.evaluate import roc_auc
from operators.learned_score import (
    DEFAULT_SEED,
    LearnedScorer,
    load_seed_tickets,
    state_from_json,
    state_to_json,
)
from operators.score import Score, TicketScorer

SUPPORT_SET = Path(__file__).parents[1] / "data" / "support_tickets.jsonl"


@pytest.fixture(scope="module")
def seeded() -> LearnedScorer:
    return LearnedScorer.seeded(load_taxonomy())


@pytest.fixture
def fresh() -> LearnedScorer:
    return LearnedScorer.seeded(load_taxonomy())


def support_tickets() -> list[dict[str, object]]:
    return [orjson.loads(line) for line in SUPPORT_SET.read_bytes().splitlines() if line.strip()]


def test_it_is_a_ticket_scorer(seeded: LearnedScorer) -> None:
    scorer: TicketScorer = seeded
    assert isinstance(scorer.score("anything at all"), Score)


@pytest.mark.parametrize(
    ("text", "low", "high", "risk"),
    [
        ("The numbers are wrong on every dashboard", 80, 100, "critical"),
        ("Our data disappeared after the migration", 80, 100, "critical"),
        ("Half of our invoices vanished overnight", 80, 100, "critical"),
        ("I can't export the report, it just spins", 65, 79, "high"),
        ("Salesforce sync stopped last night", 65, 79, "high"),
        ("webhook not firing since yesterday", 65, 79, "high"),
        ("API error 500 on every call", 65, 79, "high"),
        ("We were charged the wrong amount this month", 50, 64, "medium-high"),
        ("The new editor is slow and a bit confusing", 35, 49, "low-medium"),
    ],
)
def test_design_taxonomy_rows_on_day_one(seeded: LearnedScorer, text: str, low: int, high: int,
                                         risk: str) -> None:
    result = seeded.score(text)
    assert low <= result.score <= high, result
    assert result.risk == risk
    assert result.phrases


def test_politeness_and_exclamation_marks_alone_are_not_frustration(seeded: LearnedScorer) -> None:
    assert seeded.score("Thank you so much!!! Please keep up the great work!!!").score < 50
    assert seeded.score("THIS IS AMAZING!!! Best release ever!!!").score < 50


def test_polite_words_do_not_hide_a_billing_complaint(seeded: LearnedScorer) -> None:
    # VADER rates this positive ("please", "help"); it is a frustrated billing ticket.
    result = seeded.score("Please help, I was charged twice and still no refund.")
    assert result.score >= 50
    assert result.signal == "billing_issue"
    assert "charged twice" in result.phrases


@pytest.mark.parametrize(
    ("text", "intent", "signal"),
    [
        ("What's in the Pro plan?", "upgrade_question", "upgrade_intent"),
        ("Can we add more users to our workspace?", "upgrade_question", "upgrade_intent"),
        ("Do you have an API?", "api_question", "upgrade_intent"),
        ("How do I cancel our subscription?", "cancellation", "churn_risk"),
        ("How can we export all our data?", "full_export", "churn_risk"),
    ],
)
def test_intents_and_signals(seeded: LearnedScorer, text: str, intent: str, signal: str) -> None:
    result = seeded.score(text)
    assert intent in result.intents
    assert result.signal == signal
    assert result.score < 50  # a question is not a complaint


def test_a_negated_phrase_does_not_count(seeded: LearnedScorer) -> None:
    result = seeded.score("We are not switching to another tool, just asking about Outlook.")
    assert "escalation_language" not in result.categories


def test_non_english_data_loss_is_critical(seeded: LearnedScorer) -> None:
    result = seeded.score("Die Daten vom letzten Quartal sind verschwunden.")
    assert result.score >= 80
    assert result.risk == "critical"


def test_phrases_are_what_the_ticket_said_not_function_words(seeded: LearnedScorer) -> None:
    result = seeded.score("Hi team, since the update yesterday our sync stopped and the numbers "
                          "are wrong. Could you please look into it? Thanks")
    assert result.phrases[:2] == ("numbers are wrong", "sync stopped") or \
        set(result.phrases[:2]) == {"numbers are wrong", "sync stopped"}
    assert not {"the", "and", "please", "thanks", "hi"} & set(result.phrases)
    assert len(result.phrases) <= 5


def test_score_is_within_0_100_and_tolerates_odd_text(seeded: LearnedScorer) -> None:
    for text in ("", "   ", "!!!", "😀😀", "a" * 10_000, "word " * 5_000, ":( :( :(", "\n\n"):
        result = seeded.score(text)
        assert 0 <= result.score <= 100
        assert 0.5 <= result.confidence <= 1.0


def test_scoring_does_not_change_the_model(fresh: LearnedScorer) -> None:
    before = state_to_json(fresh.to_state())
    for _ in range(3):
        fresh.score("Our data disappeared and I'm furious")
    assert state_to_json(fresh.to_state()) == before


def test_seeding_is_deterministic() -> None:
    taxonomy = load_taxonomy()
    a = state_to_json(LearnedScorer.seeded(taxonomy).to_state())
    b = state_to_json(LearnedScorer.seeded(taxonomy).to_state())
    assert a == b


def test_feedback_raises_the_score_of_similar_tickets(fresh: LearnedScorer) -> None:
    text = "The gantt view jumps around when I drag a bar"
    before = fresh.score("The gantt view jumps around again").score
    for _ in range(5):
        assert fresh.learn(text, {"frustrated": True, "signal": "churn_risk"}) == (
            "frustrated", "signal")
    after = fresh.score("The gantt view jumps around again").score
    assert after > before
    assert after >= 50


def test_feedback_can_lower_a_score(fresh: LearnedScorer) -> None:
    text = "Just confirming the missing data was restored, everything matches now"
    before = fresh.assess(text).probability
    for _ in range(5):
        fresh.learn(text, {"frustrated": False})
    assert fresh.assess(text).probability < before


def test_a_reviewer_can_teach_a_new_signal(fresh: LearnedScorer) -> None:
    text = "Our security team needs your pen test report before renewal"
    for _ in range(8):
        fresh.learn(text, {"signal": "security_review", "topic": "security"})
    result = fresh.score(text)
    assert result.signal == "security_review"
    assert result.topic == "security"


def test_absent_labels_teach_nothing(fresh: LearnedScorer) -> None:
    before = state_to_json(fresh.to_state())
    assert fresh.learn("whatever", {"note": "no labels here"}) == ()
    assert state_to_json(fresh.to_state()) == before


@pytest.mark.parametrize("labels", [{"frustrated": "yes"}, {"signal": 3}, {"topic": ["a"]}])
def test_a_label_of_the_wrong_type_is_a_poison_record(fresh: LearnedScorer,
                                                      labels: dict[str, object]) -> None:
    with pytest.raises(PoisonRecord) as err:
        fresh.learn("Secret ticket text", labels)
    assert "Secret" not in str(err.value)  # coordinates, never content


def test_state_round_trips_through_json(fresh: LearnedScorer) -> None:
    fresh.learn("The gantt view jumps around", {"frustrated": True, "signal": "churn_risk"})
    restored = LearnedScorer.from_state(fresh.taxonomy, state_from_json(state_to_json(
        fresh.to_state())))
    for text in ("The gantt view jumps around", "Our data disappeared", "What's in the Pro plan?",
                 "Thanks!"):
        assert restored.assess(text) == fresh.assess(text)
    # And it keeps learning the same way.
    fresh.learn("gantt bars vanish", {"frustrated": True})
    restored.learn("gantt bars vanish", {"frustrated": True})
    assert state_to_json(restored.to_state()) == state_to_json(fresh.to_state())


def test_a_foreign_or_damaged_state_is_refused(fresh: LearnedScorer) -> None:
    state = fresh.to_state()
    with pytest.raises(ConfigurationError, match="features"):
        LearnedScorer.from_state(fresh.taxonomy, {**state, "features": 999})
    damaged = orjson.loads(state_to_json(state))
    damaged["frustration"]["weights"]["base64"] = "AAAA"
    with pytest.raises(ConfigurationError, match="malformed"):
        LearnedScorer.from_state(fresh.taxonomy, damaged)
    damaged = orjson.loads(state_to_json(state))
    damaged["heads"]["heads"]["signal"]["w"]["shape"] = [1, 1]
    with pytest.raises(ConfigurationError, match="malformed"):
        LearnedScorer.from_state(fresh.taxonomy, damaged)


def test_pruning_bounds_the_model_and_keeps_the_taxonomy(fresh: LearnedScorer) -> None:
    assert len(fresh.frustration) > 200
    fresh.prune(max_features=100, max_head_features=50)
    assert len(fresh.frustration) <= 100
    assert len(fresh.heads) <= 50
    assert fresh.frustration.weight("tax:data_integrity") > 0
    assert fresh.score("Our data disappeared").score >= 80


def test_seed_loader_errors_name_the_line(tmp_path: Path) -> None:
    bad = tmp_path / "seed.jsonl"
    bad.write_text('{"text": "fine", "frustrated": false}\n\n{"text": "x", "frustrated": "no"}\n')
    with pytest.raises(ConfigurationError, match="line 3: frustrated must be true or false"):
        load_seed_tickets(bad)
    bad.write_text('{"frustrated": true}\n')
    with pytest.raises(ConfigurationError, match="line 1: missing 'text'"):
        load_seed_tickets(bad)
    bad.write_text("not json\n")
    with pytest.raises(ConfigurationError, match="line 1"):
        load_seed_tickets(bad)
    with pytest.raises(ConfigurationError, match="cannot read"):
        load_seed_tickets(tmp_path / "missing.jsonl")


def test_the_seed_set_and_the_support_set_do_not_overlap() -> None:
    seed = {t.text.casefold() for t in load_seed_tickets(DEFAULT_SEED)}
    support = {str(t["text"]).casefold() for t in support_tickets()}
    assert not seed & support


def test_the_support_set_covers_every_taxonomy_row(seeded: LearnedScorer) -> None:
    tickets = support_tickets()
    assert len(tickets) >= 200
    matched: set[str] = set()
    for ticket in tickets:
        features = seeded.featurizer.extract(str(ticket["text"]))
        matched |= {hit.owner for hit in features.hits}
    taxonomy = seeded.taxonomy
    every_row = {c.id for c in taxonomy.categories} | {i.id for i in taxonomy.intents}
    assert every_row <= matched


def test_every_critical_data_integrity_ticket_scores_80_or_more(seeded: LearnedScorer) -> None:
    critical = [t for t in support_tickets()
                if t["risk"] == "critical" and t.get("topic") == "data"]
    assert len(critical) >= 20
    low = [(seeded.score(str(t["text"])).score, t["text"]) for t in critical
           if seeded.score(str(t["text"])).score < 80]
    assert not low


def test_day_one_separates_frustrated_support_tickets(seeded: LearnedScorer) -> None:
    # A regression guard on the benchmark (make eval reports the figure).
    tickets = support_tickets()
    scores = [seeded.assess(str(t["text"])).exact_score for t in tickets]
    assert roc_auc([bool(t["frustrated"]) for t in tickets], scores) >= 0.92
