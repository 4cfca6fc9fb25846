"""Every governance and pattern decision of the shipped rules, through the whole flow.

One replay (``cuewire replay``, in-process Redis) of a constructed history in which each
account lives through one decision; each test reads what the flow published for its
account. Flip a decision anywhere between decoding and publishing and its test goes red,
however the flow is arranged inside.
"""

from __future__ import annotations

import pytest

from tests.replay_world import (
    CALM,
    FURIOUS,
    Line,
    Published,
    account,
    alerts,
    at,
    digest,
    reasons,
    replay,
    ticket,
    track,
    zendesk,
)

PRICING = "Pricing Page Viewed"


def views(account_id: str, day: float, hours: tuple[float, ...] = (10, 10.5)) -> list[Line]:
    """Two pricing-page views: upgrade-intent's two upgrade signals within 7 days."""
    return [track(account_id, PRICING, day, h) for h in hours]


def history() -> list[Line]:
    lines = [account(a) for a in ("promo", "single", "promofrus", "night", "cool", "cart",
                                  "cartdone", "gatehot", "late", "clock", "stepdone")]
    lines += [account("gatecalm", mrr=5000), account("promoopen", zendesk_organization_id="701"),
              account("promosolved", zendesk_organization_id="702")]
    lines += [
        ticket("promofrus", 1, 0, 10, FURIOUS),
        ticket("gatehot", 1, 0, 10, FURIOUS), ticket("gatecalm", 1, 0, 10, CALM),
        zendesk("701", "5001", 0, 10, body=FURIOUS),
        zendesk("702", "5002", 0, 10, body=FURIOUS), zendesk("702", "5002", 0, 12, status="SOLVED"),
    ]
    for a in ("promo", "promofrus", "promoopen", "promosolved"):
        lines += views(a, 1)
    lines += [track("single", PRICING, 1, 10)]
    lines += views("night", 1, (20, 20.5))
    lines += views("cool", 1) + views("cool", 2) + views("cool", 4)
    lines += [track("cart", "Checkout Started", 1, 10), track("cartdone", "Checkout Started", 1, 10),
              track("cartdone", "Order Completed", 1, 12),
              track("stepdone", "Onboarding Step Started", 1, 10),
              track("stepdone", "Onboarding Step Completed", 1, 13)]
    # A view read after a later one: the pair still completes the pattern, as of the later.
    lines += [track("late", PRICING, 1, 12), track("late", PRICING, 1, 10)]
    lines += [track("clock", "Signed In", 9, 10)]  # moves event time on: the timers fire
    return lines


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Published:
    return replay(tmp_path_factory.mktemp("decisions"), history())


def test_two_upgrade_signals_match_and_one_does_not(out: Published) -> None:
    [alert] = alerts(out, "promo", "upgrade-intent")
    assert [e["at"] for e in alert["evidence"]] == [at(1, 10), at(1, 10.5)]
    assert alerts(out, "single") == []


def test_a_promotional_alert_waits_while_a_frustrated_ticket_is_open(out: Published) -> None:
    for account_id, ticket_id in (("promofrus", "generic:promofrus-1"), ("promoopen", "zendesk:5001")):
        assert alerts(out, account_id, "upgrade-intent") == []
        assert reasons(out, account_id) == [
            f"promotional alert held back: {account_id} has an open frustrated ticket ({ticket_id})"]


def test_a_solved_ticket_no_longer_holds_promotional_alerts_back(out: Published) -> None:
    """The helpdesk's status change (no text, no signal of its own) closes the ticket."""
    assert len(alerts(out, "promosolved", "upgrade-intent")) == 1
    assert reasons(out, "promosolved") == []


def test_a_frustrated_ticket_is_not_held_back_itself(out: Published) -> None:
    """Only promotional alerts wait for an open frustrated ticket; the gate's own churn alert goes."""
    for account_id in ("promofrus", "promoopen", "promosolved", "gatehot"):
        [gate] = alerts(out, account_id, "ticket-frustration-gate")
        assert gate["signal"] != "upgrade_intent"


def test_the_gate_passes_a_frustrated_ticket_and_digests_a_calm_one(out: Published) -> None:
    assert alerts(out, "gatecalm") == []
    [below] = digest(out, "gatecalm", "ticket.below_gate")
    assert below["reason"].startswith("score ") and "below the gate" in below["reason"]
    assert digest(out, "gatehot", "ticket.below_gate") == []


def test_outside_working_hours_an_alert_is_marked_for_the_next_morning(out: Published) -> None:
    [night] = alerts(out, "night", "upgrade-intent")
    assert (night.get("queue"), night.get("deliver_after")) == ("next_morning", "2026-11-04T09:00:00Z")
    [day] = alerts(out, "promo", "upgrade-intent")
    assert "queue" not in day and "deliver_after" not in day


def test_cooldown_keeps_a_rule_quiet_for_48_hours_then_lets_it_speak(out: Published) -> None:
    """Inside the 48 hours a match is new evidence in the open alert's thread, not a new
    alert; after them the rule speaks again, in a thread of its own."""
    published = alerts(out, "cool", "upgrade-intent")
    opened = [a for a in published if a.get("change") is None]
    assert [a["evidence"][-1]["at"] for a in opened] == [at(1, 10.5), at(4, 10)]
    updates = [a for a in published if a.get("change") is not None]
    assert [(u["evidence"][-1]["at"], u["change"], u["thread_id"]) for u in updates] == [
        (at(2, 10), "new_evidence", opened[0]["alert_id"]),
        (at(2, 10.5), "new_evidence", opened[0]["alert_id"]),
        (at(4, 10.5), "new_evidence", opened[1]["alert_id"])]
    assert reasons(out, "cool") == [], "an update is not a suppression"


def test_a_cart_left_for_24_hours_is_abandoned_and_a_completed_one_is_not(out: Published) -> None:
    [abandoned] = alerts(out, "cart", "abandonment")
    assert [e["at"] for e in abandoned["evidence"]] == [at(1, 10)]
    assert alerts(out, "cartdone") == []
    assert alerts(out, "stepdone") == [], "a finished onboarding step is not an abandoned one"


def test_records_out_of_time_order_complete_the_pattern_as_of_the_later_one(out: Published) -> None:
    [alert] = alerts(out, "late", "upgrade-intent")
    assert [e["at"] for e in alert["evidence"]] == [at(1, 10), at(1, 12)]


def test_a_held_back_alert_goes_to_the_digest_with_the_alert_as_rendered(out: Published) -> None:
    [record] = digest(out, "promofrus", "suppressed")
    assert record["outcome"] == "suppressed" and record["alert"]["rule"] == "upgrade-intent"
    assert [e["at"] for e in record["alert"]["evidence"]] == [at(1, 10), at(1, 10.5)]
    assert all(kind == "alerts" for kind, e in out if e["type"].startswith("io.cuewire.alert."))
    assert all(kind == "digest" for kind, e in out if e["type"].startswith("io.cuewire.digest."))
