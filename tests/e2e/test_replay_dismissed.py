"""A dismissed alert is closed: new evidence for it is held back, not sent as an update.

CONTRACTS.md: "New evidence for an alert that is still open may be published as
``io.cuewire.alert.updated``". A reviewer who dismissed an alert has closed it; updating
it again is the noise the dismissal was about. A new alert of the same rule, once its
cooldown is over, is not the dismissed one's news and goes out as ever.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.replay_world import Line, Published, account, at, digest, feedback, replay, rules_file, track

RULES = [{"id": "pricing", "signal": "upgrade_intent",
          "when": {"count": {"of": "upgrade_intent", "at_least": 2, "within": "7d"}}}]


def history(dismissal: dict[str, Any] | None) -> list[Line]:
    lines: list[Line] = [account("acme")]
    if dismissal:
        # Feedback is learned in batches of 500 (or after 5 s): these fill the batch, so the
        # dismissal is kept before the replay's end governs anything.
        lines += [feedback(**dismissal)]
        lines += [feedback(alert_id=f"a-pad-{i}", decision="approved", at=at(1, 11)) for i in range(499)]
    lines += [track("acme", "Pricing Page Viewed", 1, h) for h in (10, 10.5)]  # the alert
    lines += [track("acme", "Pricing Page Viewed", 1, 12)]                     # its news
    lines += [track("acme", "Pricing Page Viewed", 5, h) for h in (10, 10.5)]  # past the 48 h cooldown
    return lines


def published(out: Published, type_: str) -> list[dict[str, Any]]:
    return [e for kind, e in out if kind == "alerts" and e["type"] == type_]


def test_new_evidence_for_a_dismissed_alert_is_held_back(tmp_path: Path) -> None:
    rules = rules_file(tmp_path / "rules.yaml", RULES, {"upgrade_intent": ["Pricing Page Viewed"]})
    before = replay(tmp_path, history(None), rules)
    first, later = published(before, "io.cuewire.alert.upgrade_intent")
    threads = [u["data"]["thread_id"] for u in published(before, "io.cuewire.alert.updated")]
    assert threads.count(first["id"]) == 1 and threads.count(later["id"]) >= 1

    out = replay(tmp_path, history({"alert_id": first["id"], "decision": "dismissed", "reason": "not_useful",
                                    "account_id": "acme", "rule": "pricing", "at": at(1, 11),
                                    "by": "riley@vendor.test"}), rules)
    assert [e["id"] for e in published(out, "io.cuewire.alert.upgrade_intent")] == [first["id"], later["id"]]
    # The later alert's own news still goes out: only the dismissed thread is closed.
    assert [u["data"]["thread_id"] for u in published(out, "io.cuewire.alert.updated")] == [
        t for t in threads if t == later["id"]]
    assert [d["reason"] for d in digest(out, "acme", "suppressed")] == [
        f"dismissed: riley@vendor.test dismissed alert {first['id']}; new evidence for it is not sent"]
