"""The topic head's vote of the nearest labelled examples: who votes, how much, and what it keeps."""

from __future__ import annotations

import numpy as np
import pytest

from config.taxonomy import load_taxonomy
from operators import learned_neighbours
from operators.learned_neighbours import NeighbourIndex
from operators.ticket_repr import Representer, TicketRepresentation

EXAMPLES = [
    ("The HubSpot connector stopped syncing contacts", 0),
    ("Our Pipedrive sync has not pushed a deal since Friday", 0),
    ("You charged our card twice this month, please refund", 1),
    ("Wrong amount on the March invoice, we want a credit", 1),
    ("A note that teaches no topic", -1),
]


@pytest.fixture(scope="module")
def representer() -> Representer:
    return Representer(load_taxonomy())


@pytest.fixture(scope="module")
def index(representer: Representer) -> NeighbourIndex:
    return NeighbourIndex.build([representer.represent(t) for t, _ in EXAMPLES],
                                [label for _, label in EXAMPLES], 2)


def rep(representer: Representer, text: str) -> TicketRepresentation:
    return representer.represent(text)


def test_only_topic_examples_are_kept(index: NeighbourIndex) -> None:
    assert len(index) == 4
    assert sorted(index.labels.tolist()) == [0, 0, 1, 1]


def test_the_vote_goes_to_the_topic_of_the_nearest_examples(representer: Representer,
                                                             index: NeighbourIndex) -> None:
    sync = index.vote(rep(representer, "the hubspot sync stopped pushing contacts"))
    refund = index.vote(rep(representer, "please refund the double charge on our card"))
    assert sync.argmax() == 0 and refund.argmax() == 1
    assert sync.sum() == pytest.approx(1.0) and refund.sum() == pytest.approx(1.0)


def test_a_ticket_is_most_similar_to_itself(representer: Representer,
                                             index: NeighbourIndex) -> None:
    sims = index.similarities(rep(representer, EXAMPLES[2][0]))
    assert int(sims.argmax()) == 2
    assert float(sims[2]) == pytest.approx(1.0, abs=0.02)


def test_the_blend_moves_an_unsure_linear_reading_but_keeps_its_share(
        representer: Representer, index: NeighbourIndex) -> None:
    unsure = np.array([0.5, 0.5], dtype=np.float32)
    blended = index.blended(unsure.copy(), rep(representer, "hubspot connector not syncing"))
    assert blended[0] > blended[1]
    assert blended.sum() == pytest.approx(1.0)
    # A confident linear reading outvotes the examples: the vote is a correction.
    confident = np.array([0.0, 1.0], dtype=np.float32)
    kept = index.blended(confident.copy(), rep(representer, "hubspot connector not syncing"))
    assert kept.argmax() == 1
    assert kept[1] >= 1.0 - learned_neighbours.BLEND


def test_a_class_learned_after_start_up_keeps_the_linear_reading(
        representer: Representer, index: NeighbourIndex) -> None:
    linear = np.array([0.2, 0.2, 0.6], dtype=np.float32)
    blended = index.blended(linear.copy(), rep(representer, "refund the charge"))
    assert blended.shape == (3,)
    assert blended[2] == pytest.approx(0.6 * (1 - learned_neighbours.BLEND))


def test_rows_most_examples_share_are_not_looked_up(representer: Representer) -> None:
    names = [f"{a}{b}" for a in ("kr", "pl", "zw", "fj", "qu", "mb") for b in ("ox", "ig", "ud",
                                                                             "ez", "aw")]
    count = learned_neighbours.COMMON_AT_LEAST + 10
    texts = [f"the sync broke for project {name}" for name in names[:count]]
    index = NeighbourIndex.build([representer.represent(t) for t in texts],
                                 [i % 2 for i in range(count)], 2)
    shared = representer.represent("the sync broke").rows
    assert all(index.sparse_t.indptr[r + 1] == index.sparse_t.indptr[r] for r in shared)
    own = representer.represent(names[0]).rows
    assert any(index.sparse_t.indptr[r + 1] > index.sparse_t.indptr[r] for r in own)


def test_a_small_index_keeps_every_row(representer: Representer, index: NeighbourIndex) -> None:
    shared = representer.represent("the").rows
    assert all(index.sparse_t.indptr[r + 1] > index.sparse_t.indptr[r] for r in shared)


def test_an_empty_index_leaves_the_linear_reading_alone(representer: Representer) -> None:
    linear = np.array([0.7, 0.3], dtype=np.float32)
    assert np.array_equal(NeighbourIndex.empty(2).blended(linear.copy(), rep(representer, "x")),
                          linear)


def test_the_index_survives_its_arrays(representer: Representer, index: NeighbourIndex) -> None:
    again = NeighbourIndex.from_arrays(index.arrays())
    probe = rep(representer, "wrong invoice amount")
    assert np.allclose(again.vote(probe), index.vote(probe))


INTENT_EXAMPLES = [
    ("We are moving everything to Asana, how do we get all our projects out?", 0, 1.0, 1.0),
    ("Consolidating into Freshdesk next quarter: we need every record exported", 0, 1.0, 1.0),
    ("The HubSpot connector stopped syncing contacts", 0, 0.0, 1.0),
    ("Please refund the double charge on our card", 1, 0.0, 0.0),
]
"""(text, topic, has the intent, whether its label says so)."""
SHARE = learned_neighbours.INTENT_BLEND["cancellation"]


@pytest.fixture(scope="module")
def intent_index(representer: Representer) -> NeighbourIndex:
    return NeighbourIndex.build(
        [representer.represent(t) for t, *_ in INTENT_EXAMPLES], [t for _, t, _, _ in INTENT_EXAMPLES],
        2, np.array([[has] for *_, has, _ in INTENT_EXAMPLES], np.float32),
        np.array([[known] for *_, known in INTENT_EXAMPLES], np.float32), ["cancellation"])


def test_the_nearest_examples_lift_an_intent_they_have(representer: Representer,
                                                       intent_index: NeighbourIndex) -> None:
    probe = rep(representer, "we're moving all our projects to Asana, how do we export them?")
    linear = np.array([0.1], dtype=np.float32)
    topic, intents = intent_index.blended_all(np.array([0.5, 0.5], np.float32), linear.copy(), probe)
    assert intents[0] > linear[0] + 0.5 * SHARE * 0.5
    assert intents[0] <= (1 - SHARE) * linear[0] + SHARE
    assert topic[0] > topic[1]


def test_examples_whose_label_does_not_say_cast_no_intent_vote(representer: Representer) -> None:
    texts = ["Please refund the double charge on our card", "You charged us twice, refund it"]
    index = NeighbourIndex.build([representer.represent(t) for t in texts], [1, 1], 2,
                                 np.ones((2, 1), np.float32), np.zeros((2, 1), np.float32),
                                 ["cancellation"])
    linear = np.array([0.2], dtype=np.float32)
    _, intents = index.blended_all(np.array([0.5, 0.5], np.float32), linear.copy(),
                                   rep(representer, "refund the double charge"))
    assert intents[0] == pytest.approx(0.2)


def test_an_intent_learned_later_keeps_its_linear_reading(representer: Representer,
                                                          intent_index: NeighbourIndex) -> None:
    linear = np.array([0.1, 0.8], dtype=np.float32)
    _, intents = intent_index.blended_all(np.array([0.5, 0.5], np.float32), linear.copy(),
                                          rep(representer, "moving to Asana, export everything"))
    assert intents[1] == pytest.approx(0.8)


def test_the_intent_votes_survive_the_arrays(representer: Representer,
                                             intent_index: NeighbourIndex) -> None:
    again = NeighbourIndex.from_arrays(intent_index.arrays())
    probe = rep(representer, "moving to Asana, export everything")
    linear = np.array([0.3], np.float32)
    topic = np.array([0.5, 0.5], np.float32)
    assert np.allclose(again.blended_all(topic.copy(), linear.copy(), probe)[1],
                       intent_index.blended_all(topic.copy(), linear.copy(), probe)[1])


def test_an_intent_without_a_share_keeps_its_linear_reading(representer: Representer) -> None:
    texts = [t for t, *_ in INTENT_EXAMPLES]
    index = NeighbourIndex.build([representer.represent(t) for t in texts], [0, 0, 0, 1], 2,
                                 np.ones((4, 1), np.float32), np.ones((4, 1), np.float32),
                                 ["upgrade_question"])
    _, intents = index.blended_all(np.array([0.5, 0.5], np.float32), np.array([0.1], np.float32),
                                   rep(representer, "moving to Asana, export everything"))
    assert intents[0] == pytest.approx(0.1)
