"""The ticket model: one shared representation, several heads, evidence, and online learning.

* representation — :mod:`operators.ticket_repr` (hashed words, word pairs and
  character n-grams, lexicon sentiment, the taxonomy's hint phrases; the
  shipped multilingual word vectors);
* heads — :mod:`operators.heads`: frustration (P ≥ 50 / 65 / 80, turned into the
  0–100 score by :mod:`operators.frustration_scale`), signal, topic, intents;
  the topic head's and the intents' readings are blended with a vote of the
  nearest labelled examples (:mod:`operators.learned_neighbours`);
* evidence — :mod:`operators.ticket_evidence` (with :mod:`operators.explain`): the
  words that drove each head, the key sentence, the nearest labelled examples.

* problem vectors — :mod:`operators.problem_vector`, what ``same: problem`` rules compare.

At start-up :meth:`LearnedScorer.seeded` trains the heads on the labelled
corpus (:mod:`operators.training_data`: ``config/corpus/train.jsonl`` and
``train2.jsonl``, the older seed tickets and the taxonomy's own examples), or
takes a model trained from the same inputs from a cache
(:mod:`operators.startup_model`; the flow's is on disk, :mod:`state.model_cache`).
A reviewer's label then moves the model a little (:meth:`LearnedScorer.learn`).
State (:mod:`operators.model_state`) is JSON, never pickle, and holds only what
feedback changed.

>>> s = LearnedScorer.shipped().score("We've decided not to continue past March: what's the "
...                                   "process to get our records out and shut the workspace down?")
>>> s.topic, "cancellation" in s.intents, s.signal
('cancellation', True, 'churn_risk')
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import numpy as np

from config.taxonomy import Taxonomy, load_taxonomy
from operators import frustration_scale, problem
from operators.assessment import INTENT_TOPIC_SHARE, Assessment, intents_shown, with_topics
from operators.corpus import LabelledTicket, load_tickets
from operators.heads import Heads
from operators.learned_neighbours import NeighbourIndex
from operators.model_state import state_from_json, state_to_json
from operators.problem_vector import distinctive_words, problem_vector
from operators.score import Evidence, LazyEvidence, Score
from operators.ticket_evidence import evidence_of, score_phrases
from operators.ticket_repr import Representer, TicketRepresentation
from operators.training_data import (
    NONE,
    checked_labels,
    design_matrix,
    head_classes,
    rarity_of,
    targets_of,
    taxonomy_examples,
    training_files,
)

if TYPE_CHECKING:
    from operators.startup_model import TrainedModels

__all__ = ["Assessment", "LearnedScorer", "state_from_json", "state_to_json", "taxonomy_examples",
           "training_files"]


class LearnedScorer:
    """Scores ticket text (the :class:`~operators.score.TicketScorer` protocol) and learns from labels."""

    def __init__(self, taxonomy: Taxonomy, representer: Representer, heads: Heads,
                 examples: Sequence[LabelledTicket], example_vectors: np.ndarray,
                 neighbours: NeighbourIndex | None = None) -> None:
        self.taxonomy = taxonomy
        self.representer = representer
        self.heads = heads
        self.base = heads.copy()
        """The weights as trained at start-up: checkpoints hold the difference from them."""
        self.examples = list(examples)
        self.example_vectors = example_vectors
        self.neighbours = neighbours or NeighbourIndex.empty(len(heads.classes["topic"]))
        """The start-up corpus's topic examples, whose nearest vote with the topic head."""
        self.checkpoint_version: int | None = None
        """The Redis checkpoint this state came from (``None``: the model trained at start-up)."""
        self.learned = 0
        self.rarity: dict[str, float] = {}
        """Inverse document frequency of the corpus's words: rare words say which problem it is."""
        self.default_rarity = 1.0
        self._word_slots: dict[str, tuple[int, float]] = {}
        self._intent_topics: dict[str, str | None] = {i.id: i.topic for i in taxonomy.intents}

    @property
    def featurizer(self) -> Representer:
        return self.representer

    # -- construction ---------------------------------------------------------

    @classmethod
    def shipped(cls) -> LearnedScorer:
        """The model of the shipped taxonomy and corpus, trained once per process (for tools and docs)."""
        return _shipped()

    @classmethod
    def seeded(cls, taxonomy: Taxonomy, examples: Sequence[LabelledTicket] | None = None,
               *, representer: Representer | None = None,
               cache: TrainedModels | None = None) -> LearnedScorer:
        """The start-up model: trained on ``examples`` (default: the shipped corpus, from
        ``cache`` when it holds a model trained from the same inputs) and the taxonomy's own
        examples."""
        if examples is None and representer is None:
            from operators.startup_model import cached_or_trained

            key = (taxonomy.model_dump_json(), tuple((str(p), p.stat().st_mtime_ns)
                                                     for p in training_files()))
            trained = _trained.get(key)
            if trained is None:
                trained = _trained[key] = cached_or_trained(taxonomy, cache)
            return trained.start_over()
        if examples is None:
            examples = [t for p in training_files() for t in load_tickets(p)]
        examples = [*examples, *taxonomy_examples(taxonomy)]
        representer = representer or Representer(taxonomy)
        heads = Heads(head_classes(taxonomy, examples), representer.dimensions)
        reps = [representer.represent(t.text) for t in examples]
        x_sparse, x_dense = design_matrix(reps)
        targets = targets_of(heads, examples)
        heads.fit(x_sparse, x_dense, targets)
        topic_index = {name: i for i, name in enumerate(heads.classes["topic"])}
        neighbours = NeighbourIndex.build(
            reps, [topic_index.get(t.topic, -1) if t.topic else -1 for t in examples],
            len(heads.classes["topic"]), targets.y["intents"], targets.mask["intents"],
            heads.classes["intents"])
        scorer = cls(taxonomy, representer, heads, [], np.zeros((0, 1), dtype=np.float32),
                     neighbours)
        scorer.rarity, scorer.default_rarity = rarity_of(reps)
        vectors = np.stack([scorer._problem_vector(r) for r in reps]) if reps else np.zeros((0, 1))
        scorer.examples = list(examples)
        scorer.example_vectors = vectors.astype(np.float32)
        return scorer

    def start_over(self) -> LearnedScorer:
        """A scorer with the start-up weights (no feedback learned), sharing this one's corpus."""
        fresh = LearnedScorer(self.taxonomy, self.representer, self.base.copy(), self.examples,
                              self.example_vectors, self.neighbours)
        fresh.rarity, fresh.default_rarity = self.rarity, self.default_rarity
        return fresh

    def replace_models(self, other: LearnedScorer) -> None:
        """Adopt ``other``'s weights (a newer checkpoint) in place, so holders of this scorer see them."""
        self.heads = other.heads
        self.checkpoint_version = other.checkpoint_version
        self.learned = other.learned

    # -- scoring --------------------------------------------------------------

    def score(self, text: str) -> Score:
        return self.to_score(self.assess(text), text)

    def assess(self, text: str) -> Assessment:
        return self._assess(self.representer.represent(text))

    def _assess(self, rep: TicketRepresentation) -> Assessment:
        heads = self.heads
        probs = heads.probabilities(heads.logits(rep))
        frustration = frustration_scale.monotone(probs["frustration"].tolist())
        topic_p, intent_probs = self.neighbours.blended_all(probs["topic"], probs["intents"], rep)
        t = int(topic_p.argmax())
        signal_p = probs["signal"]
        s = int(signal_p.argmax())
        signal = heads.classes["signal"][s]
        intent_p = dict(zip(heads.classes["intents"], intent_probs.tolist(), strict=True))
        topics = heads.classes["topic"]
        intent_p = with_topics(intent_p, {topic: float(topic_p[topics.index(topic)])
                                          for name in INTENT_TOPIC_SHARE
                                          if (topic := self._intent_topics.get(name)) in topics},
                               self._intent_topics)
        intents = intents_shown(intent_p)
        return Assessment(
            frustration, frustration_scale.exact_score(frustration),
            None if signal == NONE else signal, float(signal_p[s]),
            heads.classes["topic"][t], float(topic_p[t]), intents, intent_p,
            self._problem_vector(rep, topic_p), rep)

    def _problem_vector(self, rep: TicketRepresentation,
                        topic_p: np.ndarray | None = None) -> np.ndarray:
        if topic_p is None:
            topic_p = self.neighbours.blended(
                self.heads.probabilities(self.heads.logits(rep))["topic"], rep)
        distinctive = distinctive_words(rep.words, self.rarity, self.default_rarity, self._word_slots)
        return problem_vector(rep, topic_p, len(self.base.classes["topic"]), distinctive)

    def to_score(self, a: Assessment, text: str) -> Score:
        score = frustration_scale.rounded_score(a.frustration)
        rep = a.rep
        return Score(
            score=score, signal=a.signal, topic=a.topic,
            risk=frustration_scale.risk_level(score, a.topic),
            confidence=round(max(a.probability, 1.0 - a.probability), 3),
            phrases=score_phrases(self.heads, a) if score >= 50 else (), intents=a.intents,
            categories=tuple(sorted({h.owner for h in rep.hits if h.kind == "category"})),
            problem=problem.pack(a.problem),
            explain=LazyEvidence(lambda: self.evidence(a, text)),
        )

    def evidence(self, a: Assessment, text: str) -> Evidence:
        return evidence_of(self.heads, a, text, self.example_vectors, self.examples)

    def same_problem(self, a: str, b: str) -> bool:
        """Whether two texts describe the same problem (as ``same: problem`` rules read it)."""
        return problem.same_problem(self.score(a).problem, self.score(b).problem)

    # -- learning -------------------------------------------------------------

    def learn(self, text: str, labels: Mapping[str, Any]) -> tuple[str, ...]:
        """Learn from one labelled text; returns which labels were learned.

        ``labels`` as in a feedback record: ``frustrated`` (bool), ``signal`` and
        ``topic`` (a name, or null for none), ``intents`` (a list of names).
        Absent labels teach nothing. Raises :class:`PoisonRecord` naming the
        label when one has the wrong type.
        """
        return self._learn(self.representer.represent(text), labels)

    def assess_then_learn(self, text: str, labels: Mapping[str, Any]) -> Assessment:
        """One prequential step: assess the text, then learn its labels (reading the text once)."""
        rep = self.representer.represent(text)
        assessment = self._assess(rep)
        self._learn(rep, labels)
        return assessment

    def _learn(self, rep: TicketRepresentation, labels: Mapping[str, Any]) -> tuple[str, ...]:
        ticket = checked_labels(labels)
        learned = [name for name, known in (
            ("frustrated", ticket.frustrated is not None), ("signal", ticket.signal_known),
            ("topic", ticket.topic is not None), ("intents", ticket.intents is not None)) if known]
        if not learned:
            return ()
        for head, name in (("topic", ticket.topic),
                           ("signal", (ticket.signal or NONE) if ticket.signal_known else None)):
            if name is not None and name not in self.heads.classes[head]:
                self.heads.add_class(head, name)
        for name in ticket.intents or ():
            if name not in self.heads.classes["intents"]:
                self.heads.add_class("intents", name)
        self.heads.learn_one(rep, targets_of(self.heads, [ticket]))
        self.learned += 1
        return tuple(learned)

    # -- state ----------------------------------------------------------------

    def to_state(self) -> dict[str, Any]:
        from operators.model_state import state_of

        return state_of(self)

    @classmethod
    def from_state(cls, taxonomy: Taxonomy, state: Mapping[str, Any],
                   featurizer: Representer | None = None,
                   base: LearnedScorer | None = None) -> LearnedScorer:
        """A scorer with a checkpoint's learning applied on top of ``base`` (default: a fresh
        start-up model of ``taxonomy``)."""
        from operators.model_state import apply_state

        start = base or cls.seeded(taxonomy, representer=featurizer)
        scorer = cls(taxonomy, start.representer, start.base.copy(), start.examples,
                     start.example_vectors, start.neighbours)
        scorer.rarity, scorer.default_rarity = start.rarity, start.default_rarity
        apply_state(scorer, state)
        return scorer


_trained: dict[tuple[str, tuple[tuple[str, int], ...]], LearnedScorer] = {}
"""Start-up models already trained in this process, by taxonomy and corpus files: training is
deterministic, so a second flow in one process (tests, tools) copies the first one's weights."""


@lru_cache(maxsize=1)
def _shipped() -> LearnedScorer:
    return LearnedScorer.seeded(load_taxonomy())
