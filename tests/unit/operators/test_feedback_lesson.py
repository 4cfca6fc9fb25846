"""What a decision teaches: a false-signal dismissal teaches "no signal" without a label; other
bare decisions teach nothing; a reviewer's own labels always win."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from operators.feedback_lesson import lesson_of
from operators.records import Feedback

AT = datetime(2026, 11, 20, 11, 0, tzinfo=UTC)


def said(decision: str, reason: str | None = None, **labels: object) -> Feedback:
    return Feedback("a1", decision, dict(labels), "riley@vendor.com", AT, reason=reason)


def test_a_false_signal_dismissal_teaches_no_signal() -> None:
    assert lesson_of(said("dismissed", "false_signal")) == {"signal": None}


@pytest.mark.parametrize(("decision", "reason"), [
    ("dismissed", "not_useful"), ("dismissed", "already_handled"), ("dismissed", None),
    ("approved", None), ("snoozed", "false_signal"), ("sent", None),
])
def test_other_bare_decisions_teach_nothing(decision: str, reason: str | None) -> None:
    assert lesson_of(said(decision, reason)) == {}


def test_the_reviewers_labels_are_kept_and_their_signal_wins() -> None:
    assert lesson_of(said("dismissed", "false_signal", frustrated=False, topic="billing")) == {
        "frustrated": False, "topic": "billing", "signal": None}
    assert lesson_of(said("dismissed", "false_signal", signal="billing_issue")) == {"signal": "billing_issue"}
    assert lesson_of(said("approved", None, signal="churn_risk", colour="red")) == {"signal": "churn_risk"}
