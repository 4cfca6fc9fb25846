"""The ticket model: heads, evidence, learning from reviewers, and its checkpoint state."""

from __future__ import annotations

import numpy as np
import orjson
import pytest

from config.taxonomy import DEFAULT_INTENTS, DEFAULT_TOPICS, load_taxonomy
from contracts.errors import ConfigurationError, PoisonRecord
from operators.corpus import LabelledTicket
from operators.learned_score import LearnedScorer, state_from_json, state_to_json
from operators.score import Score, TicketScorer


@pytest.fixture(scope="module")
def shipped() -> LearnedScorer:
    return LearnedScorer.shipped()


@pytest.fixture
def fresh() -> LearnedScorer:
    return LearnedScorer.seeded(load_taxonomy())


def test_it_is_a_ticket_scorer_with_the_contracts_vocabulary(shipped: LearnedScorer) -> None:
    scorer: TicketScorer = shipped
    result = scorer.score("anything at all")
    assert isinstance(result, Score)
    assert shipped.heads.classes["topic"][:12] == list(DEFAULT_TOPICS)
    assert set(DEFAULT_INTENTS) <= set(shipped.heads.classes["intents"])
    assert result.topic in DEFAULT_TOPICS


@pytest.mark.parametrize(("text", "topic"), [
    ("the Pipedrive connector hasn't pushed a single deal since the weekend", "integration"),
    ("Overnight every contact got duplicated and the pipeline totals doubled", "data_integrity"),
    ("I get a 401 from your REST endpoint with the new token, what scope does it need?", "api"),
    ("We have decided not to renew when the contract ends, please confirm the steps", "cancellation"),
])
def test_topics_of_tickets_written_as_customers_write(shipped: LearnedScorer, text: str,
                                                      topic: str) -> None:
    assert shipped.score(text).topic == topic


@pytest.mark.parametrize(("text", "topic"), [
    ("is there a way to set a task to repeat every other Thursday? if not pls add it, we do "
     "biweekly checks", "other"),
    ("Wunsch: Es wäre toll, wenn man Aufgaben per Drag-and-drop zwischen Wochen verschieben "
     "könnte. Ist das geplant?", "other"),
    ("Bonjour, serait-il possible d'ajouter un mode hors ligne à l'application mobile ? Nos "
     "techniciens n'ont souvent pas de réseau.", "other"),
    ("quick q - can I move a task from one board to another and keep the comments? how?", "how_to"),
    ("Hola, ¿cómo se cambia el logo que aparece en los correos a clientes? Gracias", "how_to"),
])
def test_a_missing_feature_asked_for_is_other_and_a_how_to_question_is_how_to(
        shipped: LearnedScorer, text: str, topic: str) -> None:
    """LABELLING.md: a feature the product lacks, asked for with nothing broken, is ``other``."""
    assert shipped.score(text).topic == topic


def test_a_cancellation_question_that_reads_like_a_how_to(shipped: LearnedScorer) -> None:
    s = shipped.score("We've decided not to continue past March: what's the process to get our "
                      "records out and shut the workspace down?")
    assert "cancellation" in s.intents
    assert s.signal == "churn_risk"


def test_frustration_orders_angry_above_calm(shipped: LearnedScorer) -> None:
    angry = shipped.score("This is the THIRD time our data vanished. Unacceptable, we are "
                          "looking at other vendors.")
    calm = shipped.score("Thanks!!! How do I add a column to the list view?")
    assert angry.score >= 65 > 50 > calm.score
    assert angry.risk in ("critical", "high") and calm.risk is None


def test_every_score_carries_its_evidence(shipped: LearnedScorer) -> None:
    text = ("Hi there. Since Tuesday every invoice we sent has the wrong totals and our "
            "customers are calling us. Please fix this today.")
    s = shipped.score(text)
    assert s.evidence is not None and s.problem
    words = dict(s.evidence.words)
    assert {"frustration", "topic", "signal"} <= set(words)
    assert all(w.split(" ")[0] not in ("the", "and", "our") for w in words["topic"])
    assert s.evidence.sentence is not None and s.evidence.sentence in text
    assert len(s.evidence.nearest) == 3
    sims = [n.similarity for n in s.evidence.nearest]
    assert sims == sorted(sims, reverse=True)
    assert dict(s.evidence.confidence)["topic"] > 0
    assert orjson.dumps(s.evidence.to_json())


def test_score_is_within_0_100_and_tolerates_odd_text(shipped: LearnedScorer) -> None:
    for text in ("", "!!!", "a" * 10_000, "🙂🙂", "\x00\x01 binary", "NUMBERS WRONG " * 500):
        s = shipped.score(text)
        assert 0 <= s.score <= 100


def test_scoring_does_not_change_the_model(fresh: LearnedScorer) -> None:
    before = state_to_json(fresh.to_state())
    for text in ("Our data disappeared", "upgrade to pro?"):
        fresh.score(text)
    assert state_to_json(fresh.to_state()) == before


def test_training_is_deterministic() -> None:
    taxonomy = load_taxonomy()
    examples = [LabelledTicket(f"t{i}", text, None, frustrated, None, False, topic, ())
                for i, (text, frustrated, topic) in enumerate([
                    ("the sync with hubspot broke", True, "integration"),
                    ("how do I add a user", False, "how_to"),
                    ("invoice is wrong", True, "billing")])]
    a = LearnedScorer.seeded(taxonomy, examples)
    b = LearnedScorer.seeded(taxonomy, examples)
    assert np.array_equal(a.heads.sparse_w, b.heads.sparse_w)


def test_twenty_corrections_fix_the_next_similar_tickets(fresh: LearnedScorer) -> None:
    """A new kind of ticket (carbon-report audits) the corpus never saw, filed under a new topic."""
    lessons = [f"The carbon audit export for site {n} shows scope {n % 3 + 1} emissions twice"
               for n in range(20)]
    unseen = ["Scope 2 emissions appear twice in the carbon audit for the Leeds site",
              "our carbon audit lists the scope 1 emissions two times for site 77"]
    assert all(fresh.score(t).topic != "esg_reporting" for t in unseen)
    for text in lessons:
        assert fresh.learn(text, {"topic": "esg_reporting", "frustrated": True}) == (
            "frustrated", "topic")
    assert all(fresh.score(t).topic == "esg_reporting" for t in unseen)
    assert all(fresh.score(t).score >= 50 for t in unseen)
    # ... and the rest of what it knew still stands.
    assert fresh.score("the Pipedrive connector hasn't pushed a single deal since the "
                       "weekend").topic == "integration"


def test_intent_corrections_are_learned(fresh: LearnedScorer) -> None:
    text = "Could the kiosk mode show our loyalty balance on the start screen"
    before = fresh.assess(text).intent_p["feature_request"]
    for _ in range(5):
        fresh.learn(text, {"intents": ["feature_request"]})
    assert fresh.assess(text).intent_p["feature_request"] > before + 0.1


def test_absent_labels_teach_nothing(fresh: LearnedScorer) -> None:
    before = state_to_json(fresh.to_state())
    assert fresh.learn("anything", {}) == ()
    assert fresh.learn("anything", {"unrelated": 1}) == ()
    assert state_to_json(fresh.to_state()) == before


@pytest.mark.parametrize("labels", [{"frustrated": "yes"}, {"signal": 3}, {"topic": ["a"]},
                                    {"intents": "cancellation"}, {"intents": [1]}])
def test_a_label_of_the_wrong_type_is_a_poison_record(fresh: LearnedScorer,
                                                      labels: dict[str, object]) -> None:
    with pytest.raises(PoisonRecord) as err:
        fresh.learn("Secret ticket text", labels)
    assert "Secret" not in str(err.value)  # coordinates, never content


def test_state_round_trips_through_json_and_holds_only_what_changed(fresh: LearnedScorer) -> None:
    untouched = len(state_to_json(fresh.to_state()))
    fresh.learn("The gantt view jumps around", {"frustrated": True, "topic": "gantt"})
    state = state_from_json(state_to_json(fresh.to_state()))
    assert len(state_to_json(state)) > untouched
    assert len(state_to_json(state)) < 2_000_000
    restored = LearnedScorer.from_state(fresh.taxonomy, state)
    for text in ("The gantt view jumps around", "Our data disappeared", "What's in the Pro plan?"):
        assert restored.score(text) == fresh.score(text)
    fresh.learn("gantt bars vanish", {"frustrated": True})
    restored.learn("gantt bars vanish", {"frustrated": True})
    assert restored.score("gantt bars vanish") == fresh.score("gantt bars vanish")


def test_an_old_or_damaged_state_is_refused_with_what_to_do(fresh: LearnedScorer) -> None:
    old = {"format": "cuewire.learned-scorer/1", "features": 1, "frustration": {}, "heads": {}}
    with pytest.raises(ConfigurationError, match="delete the model keys"):
        LearnedScorer.from_state(fresh.taxonomy, old)
    fresh.learn("gantt bars vanish", {"frustrated": True})
    damaged = orjson.loads(state_to_json(fresh.to_state()))
    damaged["sparse"]["base64"] = "AAAA"
    with pytest.raises(ConfigurationError, match="malformed"):
        LearnedScorer.from_state(fresh.taxonomy, damaged)
    damaged = orjson.loads(state_to_json(fresh.to_state()))
    damaged["columns"] = damaged["columns"][:-1]
    with pytest.raises(ConfigurationError, match="malformed"):
        LearnedScorer.from_state(fresh.taxonomy, damaged)


def test_a_checkpoint_of_an_earlier_representation_is_refused(fresh: LearnedScorer) -> None:
    """Its rows index another hashing of the features: applied, it would scramble the model."""
    fresh.learn("gantt bars vanish", {"frustrated": True})
    earlier = orjson.loads(state_to_json(fresh.to_state()))
    earlier["representation"] -= 1
    with pytest.raises(ConfigurationError, match="delete the model keys"):
        LearnedScorer.from_state(fresh.taxonomy, earlier)


def test_start_over_forgets_feedback_but_not_the_corpus(fresh: LearnedScorer) -> None:
    text = "The gantt view jumps around"
    before = fresh.score(text)
    for _ in range(5):
        fresh.learn(text, {"frustrated": True, "topic": "gantt"})
    assert fresh.score(text) != before
    assert fresh.start_over().score(text) == before
