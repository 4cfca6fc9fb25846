"""The operators the conformance suite runs, each with a strategy for its arguments.

An :class:`Operator` is one pure function (or a method of a value) of ``operators/``;
``args`` draws a tuple of positional arguments and ``kwargs`` a dict. Every module of
``operators/`` appears here, or in :data:`EXEMPT` with the reason it cannot take part.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from hypothesis import strategies as st

from operators import (
    batch_triggers,
    cancellation_cues,
    feedback_lesson,
    gate,
    govern,
    holdout,
    match,
    near_miss,
    normalise_event,
    normalise_ticket,
    plain_account,
    render,
    resolve,
    rule_version,
    sanitise,
    signals,
    snooze_expiry,
    ticket_status,
    variants,
    verdict_records,
    versions,
    weekly_digest,
)
from operators.signals import SignalTable
from tests.conformance import strategies as s

TABLE = SignalTable.from_rules(s.RULES)
_CUE_WORDS = ["", "we", "have", "decided", "not", "to", "renew", "cancelled", "wir", "gekündigt",
              "nicht", "verlängern", "if", "hemos", "decidido", "no", "renovar", "avons", "résilié"]
BY_ID = {r.id: r for r in s.RULES.rules}


@dataclass(frozen=True)
class Operator:
    name: str
    call: Callable[..., Any]
    args: st.SearchStrategy[tuple[Any, ...]]
    kwargs: st.SearchStrategy[dict[str, Any]] = field(default_factory=lambda: st.just({}))

    def __str__(self) -> str:
        return self.name


def _evaluate_then_miss(rule: Any, trigger: Any, window: Any) -> tuple[Any, Any]:
    """evaluate and near_miss as the flow calls them: the second only where the first found nothing."""
    found = match.evaluate(rule, trigger, window)
    return found, None if found else near_miss.near_miss(rule, trigger, window, trigger.at, min_closeness=0.0)


def _later_in_batch(rule: Any, signal: Any, window: Any) -> list[Any]:
    batch = batch_triggers.BatchSignals([signal, *window.get(signal.name, [])[:2]])
    return batch_triggers.later_triggers_in_batch(rule, signal, batch.prior(window), batch)


def _fire_absence(rule: Any, first: Any, window: Any) -> list[Any]:
    out = []
    for absence in rule.when.absences():
        due = first.at + absence.within
        out.append((match.evaluate(rule, first, window, due=due, absence=absence),
                    near_miss.near_miss(rule, first, window, due, absence=absence, min_closeness=0.0)))
    return out


def _render_match(rule: Any, trigger: Any, window: Any, account: Any, now: Any) -> Any:
    found = match.evaluate(rule, trigger, window)
    if found is None:
        return None
    aid = render.alert_id(rule.id, trigger.account_id, [e.record_id for e in found.evidence])
    return render.render_match_alert(match=found, alert_id_=aid, priority=rule.priority, account=account,
                                     detected_at=now, deployment="test")


def _near_ticket(decided: tuple[Any, ...]) -> Any:
    decision, score, account, at, g = decided
    return near_miss.near_miss_ticket(decision, score, account, account_id="acct_1", at=at,
                                      ticket_id="generic:t1", gate=g, min_closeness=0.0)


def _render_ticket(ticket: Any, score: Any, account: Any, now: Any, g: Any) -> Any:
    decision = gate.gate_ticket(score, account, ticket.created_at, g)
    return (render.render_ticket_alert(ticket=ticket, score=score, decision=decision, rule=gate.RULE_ID,
                                       account_id="acct_1", account=account, detected_at=now,
                                       deployment="test"),
            render.render_ticket_digest(ticket=ticket, score=score, decision=decision, account_id="acct_1",
                                        detected_at=now, deployment="test"))


def _split_holdout(verdicts: list[Any], share: float) -> Any:
    return holdout.split_holdout(verdicts, lambda rule: share, "salt")


def _weekly(near: list[Any], now: Any) -> Any:
    items = [n.to_json() for n in near if n is not None]
    week = weekly_digest.iso_week(now)
    return weekly_digest.render_weekly_digest("riley@vendor.test", week, items, "test", now)


near_misses = st.builds(lambda rule, trigger, window: near_miss.near_miss(rule, trigger, window, trigger.at,
                                                                          min_closeness=0.0),
                        s.pattern_rules, s.signals(account_id="acct_1"), s.windows())
segment_bodies = st.fixed_dictionaries(
    {"type": st.sampled_from(["track", "page", "identify", "group"]), "messageId": s.ids,
     "timestamp": s.times.map(lambda t: t.isoformat()), "userId": st.just("u1"),
     "event": st.sampled_from(["Pricing Page Viewed", "Signed In"]), "name": st.just("Pricing"),
     "context": st.fixed_dictionaries({"groupId": st.sampled_from(s.ACCOUNTS)}),
     "properties": st.dictionaries(st.sampled_from(["plan", "seats"]), st.integers(0, 9))})
generic_tickets = st.fixed_dictionaries(
    {"source": st.just("generic"), "ticket_id": s.ids, "body": s.short_text,
     "created_at": s.times.map(lambda t: t.isoformat())},
    optional={"subject": s.short_text, "requester_email": st.just(" Pat@Acme.test "),
              "status": st.sampled_from(["OPEN", "solved"]), "account_id": st.sampled_from(s.ACCOUNTS)})
versions_of = st.lists(st.tuples(st.integers(0, 10_000), st.none() | st.sampled_from(s.ACCOUNTS)),
                       max_size=12).map(lambda pairs: tuple(sorted(dict(pairs).items())))

OPERATORS: list[Operator] = [
    Operator("match.evaluate / near_miss.near_miss", _evaluate_then_miss,
             st.tuples(s.pattern_rules, s.signals(account_id="acct_1"), s.windows())),
    Operator("match.evaluate at a timer", _fire_absence,
             st.tuples(st.sampled_from([r for r in s.RULES.rules if r.when.absences()]),
                       s.signals(account_id="acct_1"), s.windows())),
    Operator("match.later_triggers", match.later_triggers,
             st.tuples(s.pattern_rules, s.signals(account_id="acct_1"), s.windows())),
    Operator("batch_triggers.later_triggers_in_batch", _later_in_batch,
             st.tuples(s.pattern_rules, s.signals(account_id="acct_1"), s.windows())),
    Operator("match.timers_for", match.timers_for, st.tuples(st.just(s.RULES.rules), s.signals())),
    Operator("match.account_conditions_hold", match.account_conditions_hold,
             st.tuples(s.rules, s.accounts(), s.times)),
    Operator("gate.gate_ticket", gate.gate_ticket, st.tuples(s.scores(), s.accounts(), s.times, s.gates)),
    Operator("near_miss.near_miss_ticket", _near_ticket, st.tuples(s.gate_decisions())),
    Operator("govern.govern", govern.govern,
             st.tuples(st.lists(s.candidates(), max_size=6), s.views(), s.policies)),
    Operator("govern.view_keys", govern.view_keys,
             st.tuples(st.lists(s.candidates(), max_size=6), s.policies)),
    Operator("govern.explain_entry", govern.explain_entry, st.tuples(s.verdicts())),
    Operator("govern.candidate_to_dict", govern.candidate_to_dict, st.tuples(s.candidates())),
    Operator("holdout.split_holdout", _split_holdout,
             st.tuples(st.lists(s.verdicts(), max_size=6), st.sampled_from([0.0, 0.3, 0.99]))),
    Operator("variants.arm_for", variants.arm_for,
             st.tuples(s.ids, st.just((("eager", 0.3), ("slow", 0.2))), st.sampled_from(s.ACCOUNTS), s.ids)),
    Operator("rule_version.stamp_rule_versions", rule_version.stamp_rule_versions,
             st.tuples(st.lists(s.verdicts(), max_size=4), st.just(BY_ID))),
    Operator("versions.with_version", versions.with_version,
             st.tuples(versions_of, st.integers(0, 10_000), st.none() | st.sampled_from(s.ACCOUNTS))),
    Operator("versions.as_of", versions.as_of, st.tuples(versions_of, st.integers(-10, 10_010))),
    Operator("signals.event_signals", signals.event_signals,
             st.tuples(s.events(), st.just("acct_1"), st.just(TABLE))),
    Operator("signals.ticket_signals", signals.ticket_signals,
             st.tuples(s.tickets(), s.scores(), st.just("acct_1"), st.just(TABLE))),
    Operator("normalise_event.normalise_event", normalise_event.normalise_event,
             st.tuples(segment_bodies, s.times)),
    Operator("normalise_ticket.normalise_ticket", normalise_ticket.normalise_ticket,
             st.tuples(generic_tickets)),
    Operator("plain_account.plain_snapshot", plain_account.plain_snapshot,
             st.tuples(s.accounts().filter(lambda a: a is not None))),
    Operator("render.render_match_alert", _render_match,
             st.tuples(s.pattern_rules, s.signals(account_id="acct_1"), s.windows(), s.accounts(), s.times)),
    Operator("render.render_ticket_alert / digest", _render_ticket,
             st.tuples(s.tickets(), s.scores(), s.accounts(), s.times, s.gates)),
    Operator("resolve.resolve_batch", lambda records, fetched: resolve.resolve_batch(
                 records, [int(r.timestamp.timestamp() * 1000) for r in records], fetched),
             st.tuples(st.lists(s.events(), max_size=5),
                       st.just({("account", "acct_1"): ((0, {"account_id": "acct_1", "mrr": 10}),)}))),
    Operator("cancellation_cues.told_cancelled", cancellation_cues.told_cancelled,
             st.tuples(st.lists(st.sampled_from(_CUE_WORDS), max_size=12))),
    Operator("sanitise.plain_tree", sanitise.plain_tree,
             st.tuples(st.recursive(s.short_text | st.integers(), lambda inner: st.lists(inner, max_size=3)
                                    | st.dictionaries(s.ids, inner, max_size=3), max_leaves=8))),
    Operator("ticket_status.status_updates", ticket_status.status_updates,
             st.tuples(st.lists(s.signals(account_id="acct_1"), max_size=6), st.integers(0, 100))),
    Operator("verdict_records.published_alert", verdict_records.published_alert,
             st.tuples(s.verdicts())),
    Operator("verdict_records.held_record", verdict_records.held_record, st.tuples(s.verdicts()),
             st.fixed_dictionaries({"now": s.times, "deployment": st.just("test")})),
    Operator("feedback_lesson.lesson_of", feedback_lesson.lesson_of, st.tuples(s.feedback())),
    Operator("snooze_expiry.snooze_lifetime", snooze_expiry.snooze_lifetime,
             st.tuples(s.times, st.none() | s.times, st.timedeltas(timedelta(0), timedelta(days=60)))),
    Operator("weekly_digest.render_weekly_digest", _weekly,
             st.tuples(st.lists(near_misses, max_size=4), s.times)),
]

EXEMPT: dict[str, str] = {
    "corpus": "reads the labelled training files from disk; tests/unit/operators/test_learned_score.py",
    "dead_letter": "render_dead_letter is run through by render.* and the poison-corpus e2e test",
    "value_class": "a class decorator, no operator: its doctest and tests/unit/operators/test_value_class.py",
    "decode": "bytes in, a record out: its property test is tests/unit/operators/test_decode_property.py",
    "explain": "numpy arrays of a fitted model in, text out; covered with the scorer",
    "ticket_evidence": "a fitted model's heads and an assessment in, evidence out; covered with the scorer",
    "frustration_scale": "maps floats to floats; its unit test (test_frustration_scale) checks monotonicity",
    "heads": "a model's weights, updated in place by design (learn_one)",
    "learned_score": "the scorer learns in place by design; its state codec is model_state's (test_codecs)",
    "learned_neighbours": "an index of scipy/numpy arrays built once at start-up; "
                          "tests/unit/operators/test_learned_neighbours.py",
    "measure_backtest": "offline report over published records; tests/unit and e2e/test_backtest.py",
    "measure_lift": "offline report; tests/unit/operators/test_holdout.py",
    "measure_precision": "offline report; tests/unit/operators/test_measure_precision.py",
    "measure_records": "offline report parsing; tests/unit/operators/test_measure_precision.py",
    "measure_shadow": "offline report; tests/unit/operators/test_measure_shadow.py",
    "measure_stats": "closed-form statistics over ints",
    "model_state": "the model-state codec: tests/conformance/test_codecs.py",
    "ordering": "a stateful buffer (InputOrder) with its own snapshot: tests/unit/operators/test_ordering.py",
    "problem": "fingerprint packing: its codec is in tests/conformance/test_codecs.py",
    "reattach": "a stateful buffer (Unattached): bounded state in tests/conformance/test_bounded_state.py",
    "candidate_hold": "a stateful buffer (CandidateHold) and its snapshot: tests/unit/test_candidate_hold.py",
    "records": "the record types themselves",
    "score": "the score types and the scorer protocol",
    "text_features": "the featurizer over the shipped lexicon; tested with the scorer",
    "ticket_repr": "the representer over hashed features; tested with the scorer",
    "word_vectors": "loads the shipped vectors file",
    # Parts split out of a registered operator: they run through it here.
    "alert_account": "the account's words in every alert: through render.*",
    "alert_envelope": "the CloudEvent envelope: through render.* and verdict_records.*",
    "render_match": "through render.render_match_alert",
    "words": "wording helpers: through render.* and near_miss.*",
    "alert_thread": "threads of open alerts: through govern.govern (its candidates reuse accounts and rules)",
    "governance_model": "governance's types: through govern.*",
    "governance_records": "the deferred queue's codec: through govern.candidate_to_dict and test_codecs",
    "owner_time": "the owner's calendar: through govern.govern with policies in three timezones",
    "rule_progress": "the one reading of a rule's conditions: through match.* and near_miss.*",
    "window_reading": "window slices by bisection: through match.* and near_miss.*",
    "identity_keys": "through resolve.resolve_batch",
    "normalise_intercom": "through normalise_ticket.normalise_ticket",
    "helpdesk_fields": "through normalise_ticket.normalise_ticket",
    "html_text": "through normalise_ticket.normalise_ticket and sanitise.plain_tree",
    "candidates": "builds from a passed gate or a match: through the replay decision tests "
                  "(tests/e2e/test_replay_decisions.py) and tests/unit/operators/test_candidates.py",
    # The ticket model's parts, like text_features: tested with the scorer.
    "assessment": "the model's conclusions before rounding; tested with the scorer",
    "problem_vector": "numpy vectors; tested with the scorer and problem's codec",
    "sentiment_lexicon": "the shipped lexicon; tested with the scorer",
    "startup_model": "arrays of a trained model; tests/unit/state/test_model_cache.py",
    "taxonomy_matcher": "the taxonomy's phrases over tokens; tested with the scorer",
    "tokens": "the tokenizer; tested with the scorer",
    "training_data": "reads the labelled training files from disk",
}
