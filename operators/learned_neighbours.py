"""The topic head's and the intents' second opinion: a vote of the labelled examples nearest a ticket.

A linear head weighs every feature the same way in every ticket; a new voice
("the Pipedrive thing has not pushed a deal since Friday") is often closer to a
handful of whole examples than to the sum of its words' weights. The index
keeps every topic-labelled example's representation, unit-normalised in each
part (sparse words, pairs and n-grams; dense word vectors), and scores a ticket
by cosine similarity, the two parts averaged. The :data:`NEIGHBOURS` nearest
vote for their topics, each weighted ``exp(similarity / TEMPERATURE)``, and
the topic head reads ``(1 - BLEND) * linear + BLEND * vote``. The same
neighbours vote on some intents, among those whose label says whether they have
it, at :data:`INTENT_BLEND`.

Chosen on the dev split and on ``train2.jsonl``'s writers held out (the linear
head alone 0.82 / 0.80 topic accuracy; blended 0.84 / 0.81); the vote alone is
worse than either (0.63 / 0.68): it is a correction, not a head of its own.
Sparse rows that most examples share are not looked up (:data:`COMMON_SHARE`):
they cost most of the time and move no ticket's topic on either split.

>>> import numpy as np
>>> from config.taxonomy import load_taxonomy
>>> from operators.ticket_repr import Representer
>>> rep = Representer(load_taxonomy())
>>> texts = ["The Salesforce sync stopped", "Please refund the double charge"]
>>> index = NeighbourIndex.build([rep.represent(t) for t in texts], [0, 1], 2)
>>> vote = index.vote(rep.represent("our salesforce connector stopped syncing"))
>>> int(vote.argmax()), vote.shape
(0, (2,))
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy import sparse  # type: ignore[import-untyped]

from operators.ticket_repr import BUCKETS, TicketRepresentation

NEIGHBOURS = 15
TEMPERATURE = 0.05
BLEND = 0.3
"""The vote's share of the topic head's probabilities."""
INTENT_BLEND = {"cancellation": 0.5, "api_question": 0.5, "billing_dispute": 0.5}
"""The same neighbours' share of an intent's probability, among those of them whose label
says whether they have it. "We're consolidating everything into Asana: how do we get it all
out?" is a cancellation by LABELLING.md's rules, though few of its words are: its nearest
examples say so. Chosen per intent by cross-validation over held-out blocks of the corpus
(``python -m cuewire_dev.evaluate_cv``): cancellation recall at precision 0.85 from 0.81 to
0.85 (0.82 at a share of 0.3), and on ``train2.jsonl``'s writers held out from 0.92 to 0.94;
API questions and billing disputes gain precision at the same recall. Intents said by few
examples (upgrade questions, feature requests) and full exports lost recall or precision to
the vote, whose neighbours mostly lack them: they, and intents a taxonomy adds, keep the
linear reading."""
COMMON_SHARE = 0.02
"""A sparse row found in more than this share of the examples is not looked up..."""
COMMON_AT_LEAST = 20
"""... nor fewer than this many: a small index keeps every row."""


def _unit_rows(x: sparse.csr_matrix) -> sparse.csr_matrix:
    norms = np.sqrt(np.asarray(x.multiply(x).sum(axis=1)).ravel())
    return (sparse.diags(1.0 / np.maximum(norms, 1e-9)) @ x).tocsr().astype(np.float32)


class NeighbourIndex:
    """The labelled examples' unit representations and their topics (class indices)."""

    def __init__(self, sparse_t: sparse.csr_matrix, dense: np.ndarray, labels: np.ndarray,
                 classes: int, intents: np.ndarray | None = None,
                 intents_known: np.ndarray | None = None,
                 intent_blend: np.ndarray | None = None) -> None:
        self.sparse_t = sparse_t
        """(BUCKETS, examples): row ``r`` holds every example's weight of sparse row ``r``."""
        self.dense = dense
        self.labels = labels
        self.classes = classes
        self.intents = intents if intents is not None else np.zeros((len(labels), 0), np.float32)
        """(examples, intents): 1 where an example has the intent."""
        self.intents_known = (intents_known if intents_known is not None
                              else np.zeros_like(self.intents))
        """(examples, intents): 1 where its label says whether it has it."""
        self.intent_blend = (intent_blend if intent_blend is not None
                             else np.zeros(self.intents.shape[1], np.float32))
        """Per intent, the vote's share of its probability (:data:`INTENT_BLEND`)."""
        indptr = sparse_t.indptr.astype(np.int64)
        self._starts, self._ends = indptr[:-1], indptr[1:]
        """Where each of ``sparse_t``'s rows starts and ends, as int64: gathered per ticket
        without the int32 arithmetic's casts."""

    @classmethod
    def build(cls, reps: Sequence[TicketRepresentation], labels: Sequence[int],
              classes: int, intents: np.ndarray | None = None,
              intents_known: np.ndarray | None = None,
              intent_names: Sequence[str] = ()) -> NeighbourIndex:
        """The index of ``reps`` labelled ``labels`` (class index per rep, -1: not a topic
        example), with each rep's intents and which of them its label knows (rows of
        ``intents`` / ``intents_known``, columns ``intent_names``), when given."""
        keep = [i for i, label in enumerate(labels) if label >= 0]
        chosen = [reps[i] for i in keep]
        indptr = np.cumsum([0, *(len(r.rows) for r in chosen)])
        indices = np.concatenate([r.rows for r in chosen]) if chosen else np.zeros(0, np.int64)
        data = np.concatenate([r.values for r in chosen]) if chosen else np.zeros(0, np.float32)
        x = sparse.csr_matrix((data, indices, indptr), shape=(len(chosen), BUCKETS),
                              dtype=np.float32)
        x.sum_duplicates()
        dense = (np.stack([r.dense for r in chosen]).astype(np.float32) if chosen
                 else np.zeros((0, 1), np.float32))
        t = _unit_rows(x).T.tocsr()
        # Rows most examples have ("<th", "the", "the ") say little about which example is
        # nearest and cost most of the look-up: they are left out of the index.
        counts = np.diff(t.indptr)
        common = counts > max(COMMON_SHARE * len(chosen), COMMON_AT_LEAST)
        if common.any():
            t = (sparse.diags((~common).astype(np.float32)) @ t).tocsr()
            t.eliminate_zeros()
        kept_intents = kept_known = None
        if intents is not None and intents_known is not None:
            kept_intents = np.asarray(intents, np.float32)[keep].reshape(len(keep), -1)
            kept_known = np.asarray(intents_known, np.float32)[keep].reshape(len(keep), -1)
        blend = np.asarray([INTENT_BLEND.get(name, 0.0) for name in intent_names], np.float32)
        if kept_intents is not None and len(blend) != kept_intents.shape[1]:
            raise ValueError("intent_names must name every column of intents")
        return cls(t, dense, np.asarray([labels[i] for i in keep], np.int64),
                   classes, kept_intents, kept_known, blend if kept_intents is not None else None)

    def __len__(self) -> int:
        return int(self.labels.shape[0])

    def similarities(self, rep: TicketRepresentation) -> np.ndarray:
        """Cosine similarity of ``rep`` to every example, its sparse and dense parts averaged."""
        rows, values = rep.rows, rep.values
        if len(rows):
            unique, inverse = np.unique(rows, return_inverse=True)
            summed = np.bincount(inverse, weights=values).astype(np.float32)
            norm = float(np.sqrt(summed @ summed))
            sims = self._dot(unique, summed / norm) if norm else np.zeros(len(self))
        else:
            sims = np.zeros(len(self), dtype=np.float32)
        dense_norm = float(np.sqrt(rep.dense @ rep.dense))
        # In place where the arrays are this call's own: the same sums, fewer allocations.
        if dense_norm:
            dense = self.dense @ rep.dense
            dense /= dense_norm
            sims = np.add(sims, dense, out=sims if sims.dtype == np.float64 else None)
        out = np.asarray(sims, dtype=np.float32)
        out *= 0.5
        return out

    def _dot(self, rows: np.ndarray, weights: np.ndarray) -> np.ndarray:
        """Every example's dot product with the sparse vector ``weights`` at ``rows`` (a gather
        of the index's rows, without building a matrix per ticket). Each example's products
        are summed in the order of ``rows``, whichever of them the index holds."""
        starts = self._starts.take(rows)
        lengths = self._ends.take(rows) - starts
        held = lengths > 0  # most of a ticket's rows are in no example (or in too many)
        starts, lengths = starts[held], lengths[held]
        total = int(lengths.sum())
        if not total:
            return np.zeros(len(self), dtype=np.float32)
        offsets = np.cumsum(lengths) - lengths
        positions = np.arange(total) + np.repeat(starts - offsets, lengths)
        t = self.sparse_t
        return np.bincount(t.indices.take(positions), weights=t.data.take(positions)
                           * np.repeat(weights[held], lengths), minlength=len(self))

    def nearest(self, rep: TicketRepresentation) -> tuple[np.ndarray, np.ndarray]:
        """The :data:`NEIGHBOURS` nearest examples and their weights ``exp(similarity /
        TEMPERATURE)`` (relative to the nearest's)."""
        n = len(self)
        sims = self.similarities(rep)
        k = min(NEIGHBOURS, n)
        top = np.argpartition(-sims, k - 1)[:k] if k < n else np.arange(n)
        return top, np.exp((sims[top] - sims[top].max()) / TEMPERATURE)

    def vote(self, rep: TicketRepresentation) -> np.ndarray:
        """The nearest examples' topics, weighted by closeness: probabilities over the classes."""
        out = np.zeros(self.classes, dtype=np.float32)
        if not len(self):
            return out
        top, weights = self.nearest(rep)
        return self._topic_vote(top, weights)

    def _topic_vote(self, top: np.ndarray, weights: np.ndarray) -> np.ndarray:
        out = np.zeros(self.classes, dtype=np.float32)
        np.add.at(out, self.labels[top], weights)
        out /= out.sum()
        return out

    def _intent_vote(self, top: np.ndarray, weights: np.ndarray,
                     linear: np.ndarray) -> np.ndarray:
        """Per intent, the weighted share of the nearest examples that have it, among those
        whose label knows; the linear reading where none does."""
        known = self.intents_known[top]
        said = weights @ known
        has = weights @ (self.intents[top] * known)
        width = min(len(linear), said.shape[0])
        vote = linear.copy()
        seen = said[:width] > 0
        vote[:width][seen] = has[:width][seen] / said[:width][seen]
        return vote

    def blended_all(self, topic: np.ndarray, intents: np.ndarray,
                    rep: TicketRepresentation) -> tuple[np.ndarray, np.ndarray]:
        """The topic head's and the intents' probabilities with the nearest examples' votes
        mixed in (one look-up for both; classes learned later keep the linear reading)."""
        if not len(self):
            return topic, intents
        top, weights = self.nearest(rep)
        out = topic * (1.0 - BLEND)
        out[: self.classes] += BLEND * self._topic_vote(top, weights)[: len(out)]
        if not self.intents.shape[1]:
            return out, intents
        share = np.zeros(len(intents), np.float32)
        width = min(len(intents), len(self.intent_blend))
        share[:width] = self.intent_blend[:width]
        mixed = (1.0 - share) * intents + share * self._intent_vote(top, weights, intents)
        return out, mixed

    def blended(self, linear: np.ndarray, rep: TicketRepresentation) -> np.ndarray:
        """The topic head's probabilities with the vote mixed in (classes learned later keep
        the linear reading alone)."""
        if not len(self):
            return linear
        vote = self.vote(rep)
        out = linear * (1.0 - BLEND)
        out[: self.classes] += BLEND * vote[: len(out)]
        return out

    def arrays(self) -> dict[str, np.ndarray]:
        """What a cache of start-up models keeps of the index."""
        t = self.sparse_t
        return {"nn_data": t.data, "nn_indices": t.indices, "nn_indptr": t.indptr,
                "nn_dense": self.dense, "nn_labels": self.labels,
                "nn_classes": np.array(self.classes), "nn_intents": self.intents,
                "nn_intents_known": self.intents_known, "nn_intent_blend": self.intent_blend}

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray]) -> NeighbourIndex:
        labels = arrays["nn_labels"]
        t = sparse.csr_matrix((arrays["nn_data"], arrays["nn_indices"], arrays["nn_indptr"]),
                              shape=(BUCKETS, len(labels)))
        return cls(t, arrays["nn_dense"], labels, int(arrays["nn_classes"]),
                   arrays["nn_intents"], arrays["nn_intents_known"], arrays["nn_intent_blend"])

    @classmethod
    def empty(cls, classes: int) -> NeighbourIndex:
        return cls(sparse.csr_matrix((BUCKETS, 0), dtype=np.float32),
                   np.zeros((0, 1), np.float32), np.zeros(0, np.int64), classes)
