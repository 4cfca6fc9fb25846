"""A cancellation's probability is mixed with the topic head's probability of its topic."""

from __future__ import annotations

from operators import assessment
from operators.learned_score import LearnedScorer


def test_a_ticket_about_leaving_reads_as_a_cancellation_through_its_topic() -> None:
    mixed = assessment.with_topics({"cancellation": 0.1, "full_export": 0.1},
                                   {"cancellation": 0.9, "export": 0.9},
                                   {"cancellation": "cancellation", "full_export": "export"})
    assert mixed["cancellation"] >= assessment.INTENT_AT_BY_NAME["cancellation"]
    assert mixed["full_export"] == 0.1


def test_the_shipped_scorer_mixes_the_topic_into_the_cancellation_it_shows() -> None:
    scorer = LearnedScorer.shipped()
    text = "We're consolidating all our projects into Asana next quarter. How do we get it all out?"
    a = scorer.assess(text)
    rep = a.rep
    probs = scorer.heads.probabilities(scorer.heads.logits(rep))
    topic_p, intent_probs = scorer.neighbours.blended_all(probs["topic"], probs["intents"], rep)
    own = float(intent_probs[scorer.heads.classes["intents"].index("cancellation")])
    topic = float(topic_p[scorer.heads.classes["topic"].index("cancellation")])
    share = assessment.INTENT_TOPIC_SHARE["cancellation"]
    assert abs(a.intent_p["cancellation"] - ((1 - share) * own + share * topic)) < 1e-6
