"""Shadow rules inside one replay: a candidate beside the live rules on the same records, its
alerts apart (``alerts.shadow``), the live outputs exactly those of a run without it."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import orjson
import pytest
import yaml
from typer.testing import CliRunner

from config.rules import DEFAULT_RULES
from config.settings import Settings
from cuewire.app import replay
from cuewire.cli import app
from flows.stages.items import Outgoing
from tests.e2e.test_backtest import D0, history, rules_file
from tests.replay_world import CALM, FURIOUS, Line, account, at, feedback, ticket, track
from tests.replay_world import rules_file as small_rules_file

pytestmark = pytest.mark.e2e
Run = dict[str, list[dict[str, Any]]]
HISTORY_CLOCK = D0 - timedelta(days=1)
"""Pinned before the history, as backtests do: governance follows event time alone."""


def replayed(history_file: Path, rules: Path | None, shadow: Path | None) -> Run:
    """One replay of ``history_file``; its outputs by kind (``alerts.shadow`` …)."""
    out: Run = {}

    def keep(suffix: str) -> Any:
        def write(batch: list[Outgoing]) -> None:
            for o in batch:
                out.setdefault(o.kind + suffix, []).append(orjson.loads(o.value))
        return write

    replay(Settings(rules=rules, shadow_rules=shadow), history_file, keep(""),
           clock=lambda: HISTORY_CLOCK, write_shadow=keep(".shadow"))
    return out


def run(tmp_path: Path, rules: Path, shadow: Path | None) -> Run:
    """One replay of the backtest's history."""
    return replayed(history(tmp_path / "h.jsonl"), rules, shadow)


def alerts(found: Run, kind: str = "alerts") -> set[tuple[str, str, str]]:
    return {(a["data"]["rule"], a["subject"], a["id"]) for a in found.get(kind, [])}


def live_outputs(found: Run) -> Run:
    return {k: v for k, v in found.items() if not k.endswith(".shadow")}


def live_rules(tmp_path: Path) -> Path:
    return rules_file(tmp_path / "live.yaml", pricing_mrr=2000, export_mrr=500, export_priority="low")


def test_a_candidate_identical_to_the_live_rules_raises_the_same_alerts(tmp_path: Path) -> None:
    live = live_rules(tmp_path)
    both = run(tmp_path, live, live)
    assert len(alerts(both)) == 7 and alerts(both, "alerts.shadow") == alerts(both)  # same ids too


def test_a_lowered_threshold_adds_exactly_its_alerts_and_leaves_the_live_ones_alone(tmp_path: Path) -> None:
    live = live_rules(tmp_path)
    lowered = rules_file(tmp_path / "lowered.yaml", pricing_mrr=1000, export_mrr=500, export_priority="low")
    alone = run(tmp_path, live, None)
    both = run(tmp_path, live, lowered)
    assert live_outputs(both) == live_outputs(alone)  # record for record
    extra = alerts(both, "alerts.shadow") - alerts(both)
    assert [(rule, account) for rule, account, _ in extra] == [("pricing-interest", "acct_mid")]
    assert alerts(both) <= alerts(both, "alerts.shadow")
    assert not {i for _, _, i in extra} & {a["id"] for a in both["alerts"] + both.get("digest", [])}


def test_a_candidate_ticket_gate_alerts_on_exactly_the_tickets_it_lets_in(tmp_path: Path) -> None:
    """Tickets are scored once; the shadow branch gates the scores with the candidate's gate."""
    lines = [account("loud"), account("quiet"),  # MRR 200: only the score alone opens the gate
             ticket("loud", 1, 1, 10, FURIOUS), ticket("quiet", 1, 1, 10, CALM)]
    history_file = tmp_path / "tickets.jsonl"
    history_file.write_bytes(b"\n".join(orjson.dumps(line) for line in lines) + b"\n")
    open_gate = tmp_path / "open-gate.yaml"
    open_gate.write_text(DEFAULT_RULES.read_text().replace("score_alone: 80", "score_alone: 0"))

    alone, both = replayed(history_file, None, None), replayed(history_file, None, open_gate)
    assert live_outputs(both) == live_outputs(alone)  # record for record
    gate = "ticket-frustration-gate"
    assert {(r, a) for r, a, _ in alerts(both) if r == gate} == {(gate, "loud")}
    shadow_gated = {(r, a) for r, a, _ in alerts(both, "alerts.shadow") if r == gate}
    assert shadow_gated == {(gate, "loud"), (gate, "quiet")}
    [loud] = [i for r, a, i in alerts(both) if a == "loud"]
    assert loud in {i for _, _, i in alerts(both, "alerts.shadow")}  # the same alert, the same id

    def below_gate(kind: str) -> set[str]:
        return {d["subject"] for d in both.get(kind, [])
                if d["type"] == "io.cuewire.digest.ticket.below_gate"}
    assert below_gate("digest") == {"quiet"} and below_gate("digest.shadow") == set()


def test_a_reviewers_snooze_silences_the_rule_on_the_shadow_branch_too(tmp_path: Path) -> None:
    """Once promoted, the candidate would be bound by the reviewers' snoozes: so is its shadow."""
    rules = small_rules_file(tmp_path / "pricing.yaml", [
        {"id": "pricing", "signal": "upgrade_intent",
         "when": {"count": {"of": "upgrade_intent", "at_least": 2, "within": "7d"}}}],
        {"upgrade_intent": ["Pricing Page Viewed"]})
    lines: list[Line] = [account("snoozed"), account("awake")]
    lines += [feedback(alert_id="a-earlier", decision="snoozed", until="2099-01-01T00:00:00Z",
                       account_id="snoozed", rule="pricing", at=at(0, 8), by="riley@vendor.test")]
    # Feedback is learned in batches of 500 (or after 5 s): these fill the batch, so the
    # snooze is kept before the replay's end governs anything.
    lines += [feedback(alert_id=f"a-pad-{i}", decision="snoozed", until=at(10), account_id=f"pad_{i}",
                       rule="pricing", at=at(0, 8)) for i in range(500)]
    lines += [track(a, "Pricing Page Viewed", 1, h) for a in ("snoozed", "awake") for h in (10, 11)]
    history_file = tmp_path / "snoozes.jsonl"
    history_file.write_bytes(b"\n".join(orjson.dumps(line) for line in lines) + b"\n")
    out = replayed(history_file, rules, rules)
    assert {a for _, a, _ in alerts(out)} == {"awake"}
    assert alerts(out, "alerts.shadow") == alerts(out)
    held = [d for d in out.get("digest.shadow", []) if d["subject"] == "snoozed"]
    assert [d["data"]["reason"].split(":", 1)[0] for d in held] == ["snoozed"]


def test_shadow_windows_and_cooldowns_never_touch_the_live_ones(tmp_path: Path) -> None:
    """The candidate alerts on the first pricing view, the live rule on the second: were their
    cooldowns shared, the live alert would be suppressed by the shadow's."""
    live = live_rules(tmp_path)
    doc = yaml.safe_load(live.read_text())
    doc["rules"][0]["when"]["count"]["at_least"] = 1
    eager = tmp_path / "eager.yaml"
    eager.write_text(yaml.safe_dump(doc))
    alone, candidate_alone = run(tmp_path, live, None), run(tmp_path, eager, None)
    both = run(tmp_path, live, eager)
    # Each side exactly as if it ran by itself, whichever branch governs a batch first.
    assert live_outputs(both) == live_outputs(alone)
    assert both["alerts.shadow"] == candidate_alone["alerts"]
    pricing = [a for a in both["alerts.shadow"] if a["data"]["rule"] == "pricing-interest"]
    assert {a["subject"] for a in pricing} == {"acct_big"}
    assert pricing[0]["id"] not in {a["id"] for a in both["alerts"]}  # it fired at the first view


def test_replay_writes_both_and_report_compares_them(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    live = live_rules(tmp_path)
    lowered = rules_file(tmp_path / "lowered.yaml", pricing_mrr=1000, export_mrr=500, export_priority="low")
    monkeypatch.setenv("CUEWIRE_RULES", str(live))
    monkeypatch.setenv("CUEWIRE_SHADOW_RULES", str(lowered))
    out = tmp_path / "out.jsonl"
    runner = CliRunner()
    result = runner.invoke(app, ["replay", str(history(tmp_path / "h.jsonl")), "-o", str(out),
                                 "--include", "alerts,alerts.shadow"])
    assert result.exit_code == 0, result.output
    topics = [orjson.loads(line)["topic"] for line in out.read_bytes().splitlines()]
    assert topics.count("alerts") == 7 and topics.count("alerts.shadow") == 8
    report = runner.invoke(app, ["report", str(out), "--shadow", "--now", "2026-11-03T00:00:00Z"])
    assert report.exit_code == 0, report.output
    assert "Shadow rules: 8 shadow alerts beside the live ones" in report.stdout
    shadow_table = report.stdout.split("Shadow rules:", 1)[1].splitlines()
    [pricing] = [line.split() for line in shadow_table if line.startswith("pricing-interest ")]
    assert pricing[1:6] == ["1", "2", "1", "0", "1"]  # live, shadow, both, only live, only shadow


def test_replay_refuses_shadow_outputs_without_a_candidate(tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CUEWIRE_SHADOW_RULES", raising=False)
    result = CliRunner().invoke(app, ["replay", str(history(tmp_path / "h.jsonl")),
                                      "--include", "alerts.shadow"])
    assert result.exit_code == 2 and "CUEWIRE_SHADOW_RULES" in result.output
