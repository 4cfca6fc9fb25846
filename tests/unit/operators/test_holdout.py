"""Holdout control groups: assignment by hash, the governance split, the rules schema, and lift."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from config.rules import DEFAULT_RULES, Governance, load_rules
from contracts.errors import ConfigurationError
from cuewire.cli import app
from operators.govern import Candidate, GovernanceView, Verdict, govern
from operators.holdout import HOLDOUT_TYPE, assignment_point, holdout_event, in_holdout, split_holdout
from operators.measure_lift import holdout_lift, verdict_text
from operators.measure_records import AccountChange, Decision, RaisedAlert, raised_alert

T0 = datetime(2026, 10, 1, 10, 0, tzinfo=UTC)
NOW = datetime(2026, 12, 1, tzinfo=UTC)


def test_assignment_is_pinned_stable_and_close_to_the_share_over_10000_accounts() -> None:
    pinned = [in_holdout("repeat-unresolved", f"acct_{i}", 0.10, "cuewire") for i in range(10_000)]
    assert pinned == [in_holdout("repeat-unresolved", f"acct_{i}", 0.10, "cuewire")
                      for i in range(10_000)]
    assert 0.09 <= sum(pinned) / 10_000 <= 0.11  # ±3.3 standard deviations of a fair 10 %
    for share in (0.05, 0.25, 0.5):
        got = sum(in_holdout("upgrade-intent", f"acct_{i}", share, "s1") for i in range(10_000))
        assert abs(got / 10_000 - share) < 0.02
    # Salt and rule draw other groups; a larger share only adds accounts.
    other_salt = [in_holdout("repeat-unresolved", f"acct_{i}", 0.10, "fresh") for i in range(10_000)]
    other_rule = [in_holdout("upgrade-intent", f"acct_{i}", 0.10, "cuewire") for i in range(10_000)]
    assert sum(a and b for a, b in zip(pinned, other_salt, strict=True)) < 200
    assert sum(a and b for a, b in zip(pinned, other_rule, strict=True)) < 200
    wider = [in_holdout("repeat-unresolved", f"acct_{i}", 0.20, "cuewire") for i in range(10_000)]
    assert all(w for p, w in zip(pinned, wider, strict=True) if p)
    assert not any(in_holdout("repeat-unresolved", f"acct_{i}", 0.0, "cuewire") for i in range(1000))


def test_assignment_point_is_the_pinned_hash() -> None:
    # The hash is schema: changing it silently reshuffles every rule's control group.
    assert assignment_point("r", "acct_1", "s") == pytest.approx(0.6052568, abs=1e-7)


def candidate(n: int, rule: str = "repeat-unresolved") -> Candidate:
    return Candidate(f"a{n}", rule, f"acct_{n}", "churn_risk", "high", False, T0 + timedelta(minutes=n),
                     {"consent": {"email": True}}, None, alert={"data": {"alert_id": f"a{n}"}})


def test_only_publish_verdicts_of_accounts_in_the_group_are_held_out() -> None:
    verdicts = [Verdict(candidate(i), "publish", "") for i in range(400)]
    verdicts += [Verdict(candidate(i), "suppressed", "cooldown: …") for i in range(400, 800)]
    kept, held = split_holdout(verdicts, lambda rule: 0.25, "salt")
    assert {v.candidate.alert_id for v in held} == {
        f"a{i}" for i in range(400) if in_holdout("repeat-unresolved", f"acct_{i}", 0.25, "salt")}
    assert 60 < len(held) < 140 and all(v.outcome == "publish" for v in held)
    assert len(kept) + len(held) == 800
    kept, held = split_holdout(verdicts, lambda rule: 0.0, "salt")
    assert not held and len(kept) == 800


def test_a_held_out_alert_is_governed_first_so_both_arms_share_cooldowns() -> None:
    first = candidate(1)
    [verdict], writes = govern([first], GovernanceView(), Governance())
    _, [held] = split_holdout([verdict], lambda rule: 0.999999, "s")
    later = Candidate("b1", first.rule_id, first.account_id, "churn_risk", "high", False,
                      first.at + timedelta(hours=1), first.account, None)
    [again], _ = govern([later], GovernanceView(cooldowns=writes.cooldowns), Governance())
    # The later match updates the held-out alert's thread, and is held out with it.
    assert held.candidate.alert_id == "a1" and again.update is not None
    assert again.update.thread_id == "a1"
    assert split_holdout([again], lambda rule: 0.999999, "s") == ([], [again])


def test_the_holdout_record_is_a_digest_entry_with_the_alert() -> None:
    body = holdout_event(Verdict(candidate(3), "publish", ""), now=T0, deployment="test")
    assert body["type"] == HOLDOUT_TYPE and body["data"]["holdout"] is True
    assert body["data"]["alert"] == {"alert_id": "a3"} and body["data"]["outcome"] == "holdout"
    parsed = raised_alert(body)
    assert parsed is not None and parsed.holdout and parsed.alert_id == "a3"
    assert body["id"] == holdout_event(Verdict(candidate(3), "publish", ""), now=NOW,
                                       deployment="test")["id"]


def rules_with(tmp_path: Path, holdout: str) -> Path:
    path = tmp_path / "rules.yaml"
    path.write_text(DEFAULT_RULES.read_text().replace(
        "  - id: repeat-unresolved\n", f"  - id: repeat-unresolved\n    holdout: {holdout}\n"))
    return path


def test_the_rules_file_takes_a_share_and_rules_check_shows_it(tmp_path: Path) -> None:
    rules = load_rules(rules_with(tmp_path, "10%"))
    assert {r.id: r.holdout for r in rules.rules}["repeat-unresolved"] == 0.10
    assert {r.id: r.holdout for r in rules.rules}["upgrade-intent"] == 0.0
    assert rules.governance.holdout_salt == "cuewire"
    result = CliRunner().invoke(app, ["rules", "check", str(rules_with(tmp_path, "10%"))])
    assert result.exit_code == 0
    assert any("repeat-unresolved" in line and "holdout 10%" in line for line in result.stdout.splitlines())
    for bad in ("150%", "10", "lots"):
        with pytest.raises(ConfigurationError, match="holdout"):
            load_rules(rules_with(tmp_path, bad))


def arm(rule: str, n: int, bad: int, holdout: bool, start: int = 0) -> tuple[list[RaisedAlert],
                                                                                list[Decision]]:
    alerts = [RaisedAlert(f"{rule}-{holdout}-{i}", rule, f"acct_{start + i}", "high", T0,
                          holdout=holdout) for i in range(n)]
    churned = [Decision(a.alert_id, "churned", T0 + timedelta(days=5)) for a in alerts[:bad]]
    return alerts, churned


def test_lift_and_its_interval_match_a_hand_calculation() -> None:
    # Control group: 30 of 100 accounts churned; treated: 15 of 100. Wilson intervals by
    # hand, (2np + z² ± z√(z² + 4np(1−p))) / (2(n + z²)) with z = 1.95996:
    #   30/100 → (0.21895, 0.39585),  15/100 → (0.09306, 0.23284).
    # Lift 0.30 − 0.15 = 0.15; Newcombe: 0.15 − √(0.08105² + 0.08284²) = 0.03411,
    #                                    0.15 + √(0.09585² + 0.05694²) = 0.26149.
    held, held_said = arm("r", 100, 30, True)
    treated, treated_said = arm("r", 100, 15, False, start=1000)
    [lift] = holdout_lift(held + treated, held_said + treated_said, [], now=NOW)
    assert (lift.held_out, lift.held_out_bad, lift.treated, lift.treated_bad) == (100, 30, 100, 15)
    assert lift.difference is not None
    assert round(lift.difference.estimate, 4) == 0.15
    assert (round(lift.difference.low, 4), round(lift.difference.high, 4)) == (0.0341, 0.2615)
    assert verdict_text(lift).startswith("alerts help")


def test_a_small_sample_is_too_small_to_conclude() -> None:
    held, held_said = arm("r", 12, 6, True)
    treated, treated_said = arm("r", 100, 10, False, start=1000)
    [lift] = holdout_lift(held + treated, held_said + treated_said, [], now=NOW)
    assert lift.too_small and verdict_text(lift).startswith("too small to conclude: 12 held out")
    [lift] = holdout_lift(held + treated, held_said + treated_said, [], now=NOW, min_arm=10)
    assert not lift.too_small


def test_crm_outcomes_count_inside_the_horizon_and_immature_accounts_wait() -> None:
    def alert(n: int, **kw: object) -> RaisedAlert:
        return RaisedAlert(f"a{n}", "r", f"acct_{n}", "high", T0, holdout=n % 2 == 0, mrr=1000,
                           renewal_date=date(2026, 10, 20), **kw)  # type: ignore[arg-type]
    alerts = [alert(n) for n in range(6)]
    alerts.append(RaisedAlert("late", "r", "acct_9", "high", NOW - timedelta(days=3), holdout=True))
    changes = [
        AccountChange("acct_0", T0 + timedelta(days=2), deleted=True),               # tombstone
        AccountChange("acct_1", T0 + timedelta(days=3), mrr=800),                     # MRR down
        AccountChange("acct_2", T0 + timedelta(days=60), mrr=100),                    # after horizon
        AccountChange("acct_2", T0 + timedelta(days=1), renewal_date=date(2027, 10, 20)),  # renewed
        AccountChange("acct_3", T0 + timedelta(days=1), mrr=1200, renewal_date=date(2027, 10, 20)),
        AccountChange("acct_4", T0 + timedelta(days=1), mrr=1000, renewal_date=date(2026, 10, 20)),
    ]  # acct_4: renewal passed, never moved: lapsed; acct_5: no CRM record after: lapsed too
    [lift] = holdout_lift(alerts, [], changes, now=NOW)
    # held out: acct_0 (bad), acct_2 (fine), acct_4 (bad); acct_9 has not had its 30 days
    # treated: acct_1 (bad), acct_3 (fine), acct_5 (bad: renewal lapsed)
    assert (lift.held_out, lift.held_out_bad, lift.treated, lift.treated_bad) == (3, 2, 3, 2)


def test_report_prints_lift_and_says_when_the_sample_is_too_small(tmp_path: Path) -> None:
    import orjson

    def staged(n: int) -> dict[str, object]:
        return {"topic": "alerts", "value": {"type": "io.cuewire.alert.churn_risk",
                "time": "2026-10-01T10:00:00Z", "data": {"alert_id": f"a{n}", "rule": "r",
                                                          "account_id": f"acct_{n}", "priority": "high"}}}

    def held(n: int) -> dict[str, object]:
        return {"topic": "digest", "value": holdout_event(
            Verdict(Candidate(f"h{n}", "r", f"acct_h{n}", "churn_risk", "high", False, T0, None, None,
                              alert={"data": {"priority": "high", "detected_at": "2026-10-01T10:00:00Z"}}),
                    "publish", ""), now=T0, deployment="test")}
    lines = [staged(n) for n in range(8)] + [held(n) for n in range(4)]
    lines += [{"topic": "feedback", "value": {"alert_id": a, "decision": "churned",
                                              "at": "2026-10-05T00:00:00Z"}} for a in ("a0", "h0", "h1")]
    path = tmp_path / "out.jsonl"
    path.write_bytes(b"\n".join(orjson.dumps(line) for line in lines))
    args = ["report", str(path), "--now", "2026-12-01T00:00:00Z"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    [row] = [line.split() for line in result.stdout.splitlines() if line.startswith("r ")]
    assert row[1:6] == ["4", "50%", "8", "12%", "+37.5"]
    assert "too small to conclude: 4 held out, 8 treated (need at least 30 in each arm)" in result.stdout
    assert "(4 held out)" in result.stdout
    result = CliRunner().invoke(app, [*args, "--min-arm", "4"])
    assert "no clear difference" in result.stdout


def test_accounts_inside_their_horizon_are_waited_for_and_said_so() -> None:
    held, _ = arm("r", 3, 0, True)
    treated, _ = arm("r", 5, 0, False, start=1000)
    recent = [dataclasses.replace(a, at=NOW - timedelta(days=2)) for a in held[:2] + treated[:4]]
    [lift] = holdout_lift(held[2:] + treated[4:] + recent, [], [], now=NOW)
    assert (lift.held_out, lift.treated) == (1, 1)
    assert (lift.held_out_waiting, lift.treated_waiting) == (2, 4)
    assert verdict_text(lift).endswith("; 2 held out and 4 treated are still inside their horizon")
