"""The one reading of a rule's conditions: where matches and near misses part ways."""

from typing import Any

from config.rules import Rule, RulesFile
from operators import rule_progress as progress
from operators import window_reading
from operators.match import evaluate
from operators.near_miss import near_miss
from operators.signals import Signal
from tests.unit.timelines import sig, window


def custom_rule(when: dict[str, Any]) -> Rule:
    return RulesFile.model_validate({"version": 1, "rules": [{
        "id": "custom", "signal": "churn_risk", "priority": "high",
        "recommended_action": "Call", "message": "Hi {first_name}", "when": when}]}).rules[0]


TWO_ON_ONE_TOPIC = {"count": {"of": "ticket", "same": "topic", "at_least": 2, "within": "3d"}}
A_LOGIN = {"count": {"of": "login", "at_least": 1, "within": "1d"}}


def test_a_topic_count_complete_for_another_signal_is_close_but_cannot_fire() -> None:
    r = custom_rule({"all_of": [TWO_ON_ONE_TOPIC, A_LOGIN]})
    signals = [sig("ticket", 0, topic="billing"), sig("ticket", 1, topic="billing"), sig("login", 2)]
    found = progress.evaluate(r, signals[-1], window(signals))
    assert found is not None and found.match is None
    assert found.closeness == 1.0  # both parts there: nothing to report as missing either
    assert evaluate(r, signals[-1], window(signals)) is None
    assert near_miss(r, signals[-1], window(signals), signals[-1].at, min_closeness=0.0) is None


def test_any_of_fires_with_its_first_matching_branch_not_its_closest() -> None:
    r = custom_rule({"any_of": [TWO_ON_ONE_TOPIC, A_LOGIN]})
    signals = [sig("ticket", 0, topic="billing"), sig("ticket", 1, topic="billing"), sig("login", 2)]
    found = evaluate(r, signals[-1], window(signals))
    assert found is not None and [s.name for s in found.evidence] == ["login"]


def test_all_of_with_a_part_that_cannot_be_judged_yet_is_neither_match_nor_miss() -> None:
    r = custom_rule({"all_of": [{"count": {"of": "api_question", "at_least": 1, "within": "1d"}},
                                {"sequence": {"first": "ticket", "then": "login", "within": "2d"}}]})
    signals = [sig("api_question", 0), sig("ticket", 1)]  # the sequence's first step, alone
    assert progress.evaluate(r, signals[-1], window(signals)) is None
    assert evaluate(r, signals[-1], window(signals)) is None


def test_later_signals_do_not_count_as_of_an_earlier_trigger() -> None:
    r = custom_rule({"count": {"of": "ticket", "at_least": 2, "within": "3d"}})
    signals = [sig("ticket", 0), sig("ticket", 1), sig("ticket", 2)]
    assert evaluate(r, signals[0], window(signals)) is None
    found = evaluate(r, signals[1], window(signals))
    assert found is not None and [s.key for s in found.evidence] == [signals[0].key, signals[1].key]


def test_two_signals_of_one_ticket_count_once() -> None:
    r = custom_rule({"count": {"of": "ticket", "at_least": 2, "within": "3d"}})
    reply = [sig("ticket", 0, key="t1"), sig("ticket", 1, key="t1")]
    assert evaluate(r, reply[-1], window(reply)) is None


def test_a_window_that_grows_between_calls_is_read_afresh() -> None:
    r = custom_rule({"count": {"of": "ticket", "at_least": 2, "within": "3d"}})
    w: dict[str, list[Signal]] = {"ticket": [sig("ticket", 0)]}
    assert evaluate(r, w["ticket"][0], w) is None
    w["ticket"].append(sig("ticket", 1))
    assert evaluate(r, w["ticket"][1], w) is not None
    w["ticket"] = [sig("ticket", 0)]  # replaced by a shorter list
    assert evaluate(r, w["ticket"][0], w) is None


def test_a_reversed_sequence_that_already_fired_is_no_near_miss() -> None:
    r = custom_rule({"sequence": {"first": "ticket", "then": "login", "within": "2d"}})
    fired = [sig("ticket", 0), sig("login", 10)]
    assert evaluate(r, fired[-1], window(fired)) is not None
    again = [*fired, sig("ticket", 20)]  # a second first step, after the login that fired
    assert near_miss(r, again[-1], window(again), again[-1].at, min_closeness=0.0) is None
    alone = [sig("login", 10), sig("ticket", 20)]  # the login had no first step: wrong order
    found = near_miss(r, alone[-1], window(alone), alone[-1].at, min_closeness=0.0)
    assert found is not None and found.closeness == progress.REVERSED_ORDER_CLOSENESS


def test_windows_in_any_order_read_the_same() -> None:
    r = custom_rule({"count": {"of": "ticket", "at_least": 2, "within": "3d"}})
    signals = [sig("ticket", h) for h in (0, 1, 2, 3)]
    newest_first = {"ticket": list(reversed(signals))}  # as state/windows.py reads them
    for trigger in signals[1:]:
        found = evaluate(r, trigger, newest_first)
        expected = evaluate(r, trigger, window(signals))
        assert found is not None and expected is not None and found.evidence == expected.evidence
    assert evaluate(r, signals[1], newest_first).evidence == tuple(signals[:2])  # type: ignore[union-attr]


def test_the_kept_orderings_stay_bounded() -> None:
    r = custom_rule({"count": {"of": "ticket", "at_least": 2, "within": "3d"}})
    for n in range(window_reading.ORDER_CACHE_SIZE + 10):
        signals = [sig("ticket", 0, key=f"t{n}")]
        evaluate(r, signals[0], {"ticket": signals})
    assert len(window_reading._orderings) <= window_reading.ORDER_CACHE_SIZE


def test_a_near_miss_shows_the_closest_branch_of_an_any_of_even_beside_a_match() -> None:
    an_api_question = {"count": {"of": "api_question", "at_least": 1, "within": "1d"}}
    r = custom_rule({"all_of": [{"any_of": [TWO_ON_ONE_TOPIC, A_LOGIN]}, an_api_question]})
    signals = [sig("ticket", 0, topic="billing"), sig("ticket", 1, topic="billing"), sig("login", 2)]
    found = near_miss(r, signals[-1], window(signals), signals[-1].at, min_closeness=0.0)
    assert found is not None and found.missing == "an API question within 24 hours"
    assert found.evidence == (signals[0].key, signals[1].key)  # the topic's tickets: closest first


def test_matches_only_says_nothing_of_a_rule_that_did_not_match() -> None:
    r = custom_rule({"count": {"of": "ticket", "at_least": 2, "within": "3d"}})
    one = [sig("ticket", 0)]
    assert progress.evaluate(r, one[0], window(one), matches_only=True) is None
    full = progress.evaluate(r, one[0], window(one))
    assert full is not None and full.closeness == 0.5 and full.match is None


def test_a_sequence_that_matched_is_no_near_miss_even_if_an_older_first_step_is_far() -> None:
    # One first step (key t1) stored twice: once 36 hours before the login, once 2 hours
    # before. The match reads the recent one; the near miss's longer look back the old one.
    r = custom_rule({"sequence": {"first": "ticket", "then": "login", "within": "24h"}})
    signals = [sig("ticket", 0, key="t1"), sig("ticket", 34, key="t1"), sig("login", 36)]
    assert evaluate(r, signals[-1], window(signals)) is not None
    assert near_miss(r, signals[-1], window(signals), signals[-1].at, min_closeness=0.0) is None


def test_all_of_keeps_what_its_parts_found_for_the_alert_text() -> None:
    """The message's ``{count}`` and "about <topic>" come from the parts' details, in either
    reading (matches only, or the full one the pattern stage makes for near misses too)."""
    r = custom_rule({"all_of": [TWO_ON_ONE_TOPIC,
                                {"sequence": {"first": "login", "then": "ticket", "within": "1d"}}]})
    signals = [sig("ticket", 0, topic="billing"), sig("ticket", 1, topic="billing"),
               sig("login", 1.5), sig("ticket", 2, topic="billing")]
    found = evaluate(r, signals[-1], window(signals))
    assert found is not None and found.details == {"count": 3, "topic": "billing"}
    full = progress.evaluate(r, signals[-1], window(signals))
    assert full is not None and full.match is not None and full.match[1] == found.details


def test_a_sequence_in_either_order_pairs_the_trigger_with_another_records_step() -> None:
    """One ticket can raise both steps (a ticket that asks an API question): its own second
    step is passed over, and an earlier ticket's completes the sequence."""
    r = custom_rule({"sequence": {"first": "ticket", "then": "api_question", "within": "2d",
                                  "either_order": True}})
    signals = [sig("api_question", 0, key="t0"), sig("api_question", 1, key="t1"),
               sig("ticket", 1, key="t1")]
    found = evaluate(r, signals[-1], window(signals))
    assert found is not None and [s.key for s in found.evidence] == ["t0", "t1"]


def test_any_of_keeps_its_match_when_an_earlier_branch_is_as_close_without_one() -> None:
    """The full reading (a match, or else a near miss) of an any_of whose first branch is
    complete but cannot fire for this trigger still holds the later branch's match."""
    r = custom_rule({"any_of": [{"all_of": [TWO_ON_ONE_TOPIC, A_LOGIN]}, A_LOGIN]})
    signals = [sig("ticket", 0, topic="billing"), sig("ticket", 1, topic="billing"), sig("login", 2)]
    full = progress.evaluate(r, signals[-1], window(signals))
    assert full is not None and full.match is not None
    assert [s.name for s in full.match[0]] == ["login"]
